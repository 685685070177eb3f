import type { V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1DaemonSet } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import { selectorLabels } from '../kube/labels.ts';
import type { Environment } from '../catalog/types.ts';
import { HEALTH } from '../catalog/health.ts';
import { image } from '../catalog/images.ts';
import { METRICS_PORT_NAMES, PORTS, lokiWriteTarget } from '../catalog/flows.ts';
import { DISCOVERY_ROLE_READS, readRulesFor } from '../catalog/rbac.ts';
import { ALLOY_DISCOVERY_LABELS, ALLOY_LEVEL_LABEL, NAMESPACE } from '../catalog/names.ts';
import {
  configChecksum,
  httpProbe,
  meta,
  object,
  podDefaults,
  resources,
  restrictedContainer,
  service,
  standardLabels,
  workloadServiceAccount,
} from './common.ts';
import { PRIORITY_NODE_AGENT } from './platform.ts';

/**
 * Alloy keeps its tail positions under `--storage.path` (loki.source.file's positions file). On the
 * node, not an emptyDir: a replaced pod (any config change rolls the DaemonSet) resumes where the
 * last one stopped instead of re-shipping every log file (docs/adr/0015-alloy-positions-on-the-node.md).
 */
const STORAGE_PATH = '/var/lib/alloy';
/** The node directory behind it, one per stack so two Alloy installations never share positions. */
const ALLOY_HOST_STORAGE = `/var/lib/alloy/${NAMESPACE}`;

/** The one `discovery.kubernetes` role the configuration uses, across every namespace: all Alloy reads from the API. */
const DISCOVERY_ROLE = 'pod';
/** Alloy's own ClusterRole and binding: cluster-scoped, so prefixed with the stack's namespace. */
const ALLOY_CLUSTER_ROLE = `${NAMESPACE}-alloy`;

function relabelRules(): string {
  return Object.entries(ALLOY_DISCOVERY_LABELS)
    .map(([label, source]) => `  rule {\n    source_labels = ["${source}"]\n    target_label  = "${label}"\n  }\n\n`)
    .join('');
}

function lokiPushUrl(env: Environment): string {
  return `http://${lokiWriteTarget(env)}.${NAMESPACE}.svc.cluster.local:${PORTS.lokiHttp}/loki/api/v1/push`;
}

/**
 * With a metrics store: the stack's own `/metrics` on this node (its pods of the namespace exposing a
 * metrics port, from the same discovery), scraped and remote-written. Component names and arguments:
 * Alloy docs/sources/reference/components/prometheus/prometheus.scrape.md and prometheus.remote_write.md
 * at v1.18.1 (`__meta_kubernetes_pod_container_port_name` from discovery.kubernetes.md, role pod).
 */
function metricsPipeline(env: Environment): string {
  if (!env.metrics) return '';
  return `
// The stack's own metrics, this node's pods only (same discovery), to the environment's metrics store.
discovery.relabel "stack_metrics" {
  targets = discovery.kubernetes.pods.targets

  rule {
    source_labels = ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_port_name"]
    separator     = "/"
    regex         = "${NAMESPACE}/(${METRICS_PORT_NAMES.join('|')})"
    action        = "keep"
  }

${relabelRules()}  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    target_label  = "job"
  }
}

prometheus.scrape "stack" {
  targets         = discovery.relabel.stack_metrics.output
  scrape_interval = "60s"
  forward_to      = [prometheus.remote_write.metrics_store.receiver]
}

prometheus.remote_write "metrics_store" {
  endpoint {
    url = "${env.metrics.remoteWriteUrl}"
  }
}
`;
}

/** Tails this node's pod logs, parses CRI framing and JSON, labels it (ALLOY_STREAM_LABELS), pushes to Loki. */
export function alloyConfig(env: Environment): string {
  return `// Generated from tools/components/alloy.ts: pod logs of this node to Loki.
discovery.kubernetes "pods" {
  role = "${DISCOVERY_ROLE}"

  // Only this node's pods: HOSTNAME is the node name (set from spec.nodeName in the DaemonSet).
  selectors {
    role  = "${DISCOVERY_ROLE}"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}

discovery.relabel "pod_logs" {
  targets = discovery.kubernetes.pods.targets

${relabelRules()}  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pod_logs" {
  path_targets = discovery.relabel.pod_logs.output
}

loki.source.file "pod_logs" {
  targets    = local.file_match.pod_logs.targets
  forward_to = [loki.process.pod_logs.receiver]
}

loki.process "pod_logs" {
  stage.cri {}

  stage.json {
    expressions = { ${ALLOY_LEVEL_LABEL} = "level" }
  }

  stage.labels {
    values = { ${ALLOY_LEVEL_LABEL} = "" }
  }

  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = "${lokiPushUrl(env)}"
  }
}
${metricsPipeline(env)}`;
}

/** Wave 3: Alloy on every node. Runs as root to read root-owned log files: docs/adr/0003-alloy-runs-as-root.md. */
export function alloy(env: Environment): KubeObject[] {
  const labels = standardLabels('alloy');
  const selector = selectorLabels('alloy');
  const config = alloyConfig(env);
  return [
    // Kubernetes discovery needs the API token; Alloy is the one workload that mounts it.
    workloadServiceAccount('alloy', labels, true),
    object<V1ClusterRole>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(ALLOY_CLUSTER_ROLE, labels, { clusterScoped: true }),
      rules: readRulesFor(DISCOVERY_ROLE_READS[DISCOVERY_ROLE] ?? []),
    }),
    object<V1ClusterRoleBinding>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(ALLOY_CLUSTER_ROLE, labels, { clusterScoped: true }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ALLOY_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: 'alloy', namespace: NAMESPACE }],
    }),
    object<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('alloy-config', labels), data: { 'config.alloy': config } }),
    object<V1DaemonSet>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('alloy', labels),
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels, annotations: configChecksum(config) },
          spec: {
            ...podDefaults(PRIORITY_NODE_AGENT, 'alloy'),
            automountServiceAccountToken: true,
            securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'alloy',
                image: image('alloy'),
                args: [
                  'run',
                  '/etc/alloy/config.alloy',
                  `--storage.path=${STORAGE_PATH}`,
                  `--server.http.listen-addr=0.0.0.0:${PORTS.alloyHttp}`,
                  '--stability.level=generally-available',
                  // Usage reporting off, as Loki's and Grafana's (grafana/alloy docs/sources/reference/cli/run.md).
                  '--disable-reporting',
                ],
                env: [{ name: 'HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http-metrics', containerPort: PORTS.alloyHttp, protocol: 'TCP' }],
                // No liveness probe, as upstream's chart: /-/healthy turns 500 when any one component is
                // unhealthy, and a restart would stop every healthy pipeline too (tools/catalog/health.ts).
                readinessProbe: httpProbe(HEALTH.alloy.readiness, 'http-metrics'),
                resources: resources(env.alloy.resources),
                securityContext: { ...restrictedContainer(), runAsNonRoot: false },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/alloy', readOnly: true },
                  { name: 'varlog', mountPath: '/var/log', readOnly: true },
                  { name: 'storage', mountPath: STORAGE_PATH },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'alloy-config' } },
              { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
              { name: 'storage', hostPath: { path: ALLOY_HOST_STORAGE, type: 'DirectoryOrCreate' } },
            ],
          },
        },
      },
    }),
    service('alloy', labels, selector, [{ name: 'http-metrics', port: PORTS.alloyHttp, targetPort: 'http-metrics' }]),
  ];
}
