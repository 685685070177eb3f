import { selectorLabels } from '../kube/labels.ts';
import type { ComponentName, Environment } from './types.ts';

/** A group of pods of the stack, as NetworkPolicies select it. */
export interface Workload {
  id: string;
  component: ComponentName;
  selector: Record<string, string>;
}

/** Peers outside the namespace that the stack talks to or hears from. */
export type ExternalPeer = 'ingress-controller' | 'dns' | 'kube-apiserver' | 'internet' | 'metrics-store';
const EXTERNAL_PEERS: readonly ExternalPeer[] = ['ingress-controller', 'dns', 'kube-apiserver', 'internet'];

/** The peers outside the namespace an environment has: the metrics store only when it names one. */
export function externalPeers(env: Environment): ExternalPeer[] {
  return [...EXTERNAL_PEERS, ...(env.metrics ? (['metrics-store'] as const) : [])];
}

/** The TCP port of an http(s) URL: explicit, else 443 for https and 80 for http. */
export function urlPort(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? PORTS.https : 80;
}

/** Container port names of the stack's own `/metrics` endpoints: Loki and Alloy (`http-metrics`), Grafana. */
export const METRICS_PORT_NAMES: readonly string[] = ['http-metrics', 'grafana'];

/** `*` stands for every workload of the stack. */
export interface IntendedFlow {
  from: string;
  to: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  reason: string;
}

export const PORTS = {
  minioApi: 9000,
  minioConsole: 9001,
  lokiHttp: 3100,
  lokiGrpc: 9095,
  memberlist: 7946,
  alloyHttp: 12345,
  grafanaHttp: 3000,
  dns: 53,
  https: 443,
  apiServer: 6443,
} as const;

/** The address ranges no "internet" rule may reach: cluster, node and service networks live here. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

export function lokiTargets(env: Environment): ('all' | 'read' | 'write' | 'backend')[] {
  return env.loki.mode === 'monolithic' ? ['all'] : ['read', 'write', 'backend'];
}

/** Name of the Loki workload (and Service) running a target: `loki` when monolithic, `loki-<target>` otherwise. */
export function lokiName(target: 'all' | 'read' | 'write' | 'backend'): string {
  return target === 'all' ? 'loki' : `loki-${target}`;
}

/** Where pushes go and where queries go, by mode. */
export function lokiWriteTarget(env: Environment): string {
  return env.loki.mode === 'monolithic' ? 'loki' : 'loki-write';
}
export function lokiReadTarget(env: Environment): string {
  return env.loki.mode === 'monolithic' ? 'loki' : 'loki-read';
}

/** The port of an external S3 endpoint (`host[:port]`): the one written, else HTTPS or HTTP by `insecure`. */
function externalS3Port(store: Extract<Environment['objectStore'], { kind: 's3' }>): number {
  const port = /:(\d+)$/.exec(store.endpoint)?.[1];
  return port ? Number(port) : store.insecure ? 80 : PORTS.https;
}

function lokiReplicas(env: Environment): number {
  return lokiTargets(env).reduce((sum, target) => sum + (env.loki.replicas[target] ?? 0), 0);
}

export function workloads(env: Environment): Workload[] {
  const list: Workload[] = [];
  const has = (c: ComponentName): boolean => env.components.includes(c);
  if (has('minio')) {
    list.push({ id: 'minio', component: 'minio', selector: selectorLabels('minio', 'server') });
    list.push({
      id: 'minio-bucket-setup',
      component: 'minio',
      selector: selectorLabels('minio', 'bucket-setup'),
    });
  }
  if (has('loki')) {
    for (const target of lokiTargets(env)) {
      list.push({ id: lokiName(target), component: 'loki', selector: selectorLabels('loki', target) });
    }
  }
  if (has('alloy')) list.push({ id: 'alloy', component: 'alloy', selector: selectorLabels('alloy') });
  if (has('grafana')) list.push({ id: 'grafana', component: 'grafana', selector: selectorLabels('grafana') });
  return list;
}

/** The seed's allowed-traffic table plus what the stack needs to work at all (DESIGN §3). */
export function intendedFlows(env: Environment): IntendedFlow[] {
  const flows: IntendedFlow[] = [];
  const has = (c: ComponentName): boolean => env.components.includes(c);
  const add = (from: string, to: string, port: number, reason: string, protocol: 'TCP' | 'UDP' = 'TCP'): void => {
    flows.push({ from, to, port, protocol, reason });
  };
  const loki = lokiTargets(env).map(lokiName);

  add('*', 'dns', PORTS.dns, 'name resolution (seed: All → DNS)', 'UDP');
  add('*', 'dns', PORTS.dns, 'name resolution over TCP for large answers', 'TCP');
  // The seed's "All → HTTPS" narrowed to who needs it (docs/adr/0016-internet-egress-only-where-needed.md).
  if (has('grafana') && env.grafana.alerting.contactPoint) {
    add('grafana', 'internet', PORTS.https, `alert notifications to the ${env.grafana.alerting.contactPoint.name} webhook`);
  }
  if (has('loki') && env.objectStore.kind === 's3') {
    for (const target of loki)
      add(target, 'internet', externalS3Port(env.objectStore), `chunks on the external S3 endpoint ${env.objectStore.endpoint}`);
  }
  if (has('grafana')) {
    add('ingress-controller', 'grafana', PORTS.grafanaHttp, `seed: Ingress → Grafana (${env.ingress.grafanaHost})`);
    if (has('loki')) add('grafana', lokiReadTarget(env), PORTS.lokiHttp, 'seed: Grafana → Loki (queries)');
  }
  if (has('alloy')) {
    add('alloy', 'kube-apiserver', PORTS.https, 'Kubernetes discovery (Service address)');
    add('alloy', 'kube-apiserver', PORTS.apiServer, 'Kubernetes discovery (endpoint port after DNAT)');
    if (has('loki')) add('alloy', lokiWriteTarget(env), PORTS.lokiHttp, 'seed: Alloy → Loki (push)');
  }
  if (has('minio')) {
    add('ingress-controller', 'minio', PORTS.minioConsole, `seed: Ingress → MinIO console (${env.ingress.minioConsoleHost})`);
    add('minio-bucket-setup', 'minio', PORTS.minioApi, 'bucket, versioning and lifecycle setup');
    for (const target of loki) add(target, 'minio', PORTS.minioApi, 'seed: Loki → MinIO (every target reads or writes chunks)');
  }
  if (env.metrics && has('alloy')) {
    // Alloy scrapes the stack's /metrics on its own node and remote-writes them (docs/adr/0014-metrics-remote-write.md).
    const scraped: [string, number][] = [
      ...(has('loki') ? loki.map((t): [string, number] => [t, PORTS.lokiHttp]) : []),
      ['alloy', PORTS.alloyHttp],
      ...(has('grafana') ? [['grafana', PORTS.grafanaHttp] as [string, number]] : []),
    ];
    for (const [to, port] of scraped) {
      if (!flows.some((f) => f.from === 'alloy' && f.to === to && f.port === port))
        add('alloy', to, port, "Alloy scrapes the stack's /metrics");
    }
    add('alloy', 'metrics-store', urlPort(env.metrics.remoteWriteUrl), "seed: Alloy's Prometheus writer (remote write)");
    if (has('grafana')) add('grafana', 'metrics-store', urlPort(env.metrics.queryUrl), "seed: Grafana's Prometheus connector");
  }
  if (has('loki') && lokiReplicas(env) > 1) {
    for (const from of loki) {
      for (const to of loki) {
        add(from, to, PORTS.memberlist, 'Loki memberlist ring');
        add(from, to, PORTS.lokiGrpc, 'Loki gRPC between targets');
      }
    }
  }
  return flows;
}
