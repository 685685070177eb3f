import type { ImageName } from './images.ts';

/**
 * What each long-running image's HTTP health endpoints mean, read from upstream at the pinned
 * versions. The rule: a liveness probe restarts the container, so it may only ask whether the
 * process itself still serves; anything that also reflects dependencies, rings or pipelines belongs
 * in readiness (or nowhere). `npm run check` refuses a liveness probe on a `notForLiveness` path.
 */
export interface HealthEndpoints {
  /** The process-only endpoint for liveness, or undefined when upstream recommends no liveness probe. */
  liveness?: string;
  readiness: string;
  /** Paths that answer for more than the process: a liveness probe on one restarts healthy pods. */
  notForLiveness: readonly string[];
  /** Where upstream says so. */
  source: string;
}

export const HEALTH = {
  loki: {
    liveness: '/loki/api/v1/status/buildinfo',
    readiness: '/ready',
    // /ready fails during WAL replay, while the ring is unhealthy and, on read pods, while no
    // query-scheduler is connected: as liveness it restart-storms writers and every reader in a backend outage.
    notForLiveness: ['/ready'],
    source:
      'grafana-community/helm-charts charts/loki/values.yaml (18.11.0, Loki 3.7.6): loki.livenessProbe buildinfo, readinessProbe /ready',
  },
  alloy: {
    readiness: '/-/ready',
    notForLiveness: ['/-/healthy'],
    source:
      'grafana/alloy v1.18.1 docs/sources/reference/http/_index.md ("/-/healthy isn\'t suitable for a Kubernetes liveness probe"); chart alloy.livenessProbe: {}',
  },
  grafana: {
    liveness: '/healthz',
    readiness: '/api/health',
    // /api/health answers 503 when the database cannot be reached; /healthz only says the web server runs.
    notForLiveness: ['/api/health'],
    source: 'grafana/grafana pkg/api/http_server.go healthzHandler and apiHealthHandler',
  },
  minio: {
    liveness: '/minio/health/live',
    readiness: '/minio/health/ready',
    // /cluster answers 503 without write quorum: an administrator's probe, not a container's.
    notForLiveness: ['/minio/health/cluster'],
    source: 'minio/minio docs/metrics/healthcheck/README.md',
  },
} as const satisfies Partial<Record<ImageName, HealthEndpoints>>;
