import type { V1ConfigMap, V1DaemonSet } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { image } from '../catalog/images.ts';
import { PORTS, lokiWriteTarget } from '../catalog/flows.ts';
import { STACK_SERVICE_ACCOUNT } from '../catalog/rbac.ts';
import { NAMESPACE, configChecksum, httpProbe, meta, object, podDefaults, resources, restrictedContainer, selectorLabels, service, standardLabels } from './common.ts';
import { PRIORITY_CRITICAL } from './platform.ts';

/** Alloy keeps tail positions here; on an emptyDir they restart with the pod (README: "Known limits"). */
const STORAGE_PATH = '/tmp/alloy';

/** Stream labels Alloy copies from Kubernetes discovery onto every line, with the meta label each comes from. */
const DISCOVERY_LABELS = {
  namespace: '__meta_kubernetes_namespace',
  pod: '__meta_kubernetes_pod_name',
  container: '__meta_kubernetes_pod_container_name',
  node: '__meta_kubernetes_pod_node_name',
} as const;

/** The stream label Alloy sets from a JSON log line's `level` field. */
const LEVEL_LABEL = 'level';

/**
 * Stream labels Alloy's own stages add, grafana/alloy v1.18.1: `stage.cri` sets `stream` (stdout or stderr,
 * internal/component/loki/process/stages/cri.go:121) and `loki.source.file` sets `filename`, the file's path
 * (internal/component/loki/source/file/tailer.go:66).
 */
const COMPONENT_LABELS = ['stream', 'filename'] as const;

/** Every stream label Alloy writes: what a LogQL stream selector can match on (tools/validate/logql.ts). */
export const ALLOY_STREAM_LABELS: readonly string[] = [...Object.keys(DISCOVERY_LABELS), LEVEL_LABEL, ...COMPONENT_LABELS];

function relabelRules(): string {
  return Object.entries(DISCOVERY_LABELS)
    .map(([label, source]) => `  rule {\n    source_labels = ["${source}"]\n    target_label  = "${label}"\n  }\n\n`)
    .join('');
}

export function lokiPushUrl(env: Environment): string {
  return `http://${lokiWriteTarget(env)}.${NAMESPACE}.svc.cluster.local:${PORTS.lokiHttp}/loki/api/v1/push`;
}

/** Tails this node's pod logs, parses CRI framing and JSON, labels it (ALLOY_STREAM_LABELS), pushes to Loki. */
export function alloyConfig(env: Environment): string {
  return `// Generated from tools/components/alloy.ts: pod logs of this node to Loki.
discovery.kubernetes "pods" {
  role = "pod"

  // Only this node's pods: HOSTNAME is the node name (set from spec.nodeName in the DaemonSet).
  selectors {
    role  = "pod"
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
    expressions = { ${LEVEL_LABEL} = "level" }
  }

  stage.labels {
    values = { ${LEVEL_LABEL} = "" }
  }

  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = "${lokiPushUrl(env)}"
  }
}
`;
}

/** Wave 3: Alloy on every node. Runs as root to read root-owned log files: docs/adr/0003-alloy-runs-as-root.md. */
export function alloy(env: Environment): KubeObject[] {
  const labels = standardLabels('alloy');
  const selector = selectorLabels('alloy');
  const config = alloyConfig(env);
  return [
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
            ...podDefaults(PRIORITY_CRITICAL),
            serviceAccountName: STACK_SERVICE_ACCOUNT,
            // Kubernetes discovery needs the API token; this is the one workload that mounts it.
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
                ],
                env: [{ name: 'HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http-metrics', containerPort: PORTS.alloyHttp, protocol: 'TCP' }],
                readinessProbe: httpProbe('/-/ready', 'http-metrics'),
                livenessProbe: httpProbe('/-/healthy', 'http-metrics', { initialDelaySeconds: 30 }),
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
              { name: 'storage', emptyDir: {} },
            ],
          },
        },
      },
    }),
    service('alloy', labels, selector, [{ name: 'http-metrics', port: PORTS.alloyHttp, targetPort: 'http-metrics' }]),
  ];
}
