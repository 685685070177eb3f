/**
 * The project's shared names: defined once here, read by the generator, the gates and the scripts
 * (the store pattern of argocd-autopilot's pkg/store).
 */

/** The one namespace the stack lives in, in every environment's cluster. */
export const NAMESPACE = 'observability';

/** Value of `app.kubernetes.io/part-of` on every object of the stack; drift selects live objects by it. */
export const PART_OF = 'observability-stack';

/** Where Argo CD runs and keeps its own objects. */
export const ARGOCD_NAMESPACE = 'argocd';

/** The AppProject every Application of the stack belongs to. */
export const PROJECT = 'observability';

/** The bootstrap Application that syncs `apps/`. */
export const ROOT_APP = 'observability-apps';

/** Stream labels Alloy copies from Kubernetes discovery onto every line, with the meta label each comes from. */
export const ALLOY_DISCOVERY_LABELS = {
  namespace: '__meta_kubernetes_namespace',
  pod: '__meta_kubernetes_pod_name',
  container: '__meta_kubernetes_pod_container_name',
  node: '__meta_kubernetes_pod_node_name',
} as const;

/** The stream label Alloy sets from a JSON log line's `level` field. */
export const ALLOY_LEVEL_LABEL = 'level';

/**
 * Stream labels Alloy's own stages add, grafana/alloy v1.18.1: `stage.cri` sets `stream` (stdout or stderr,
 * internal/component/loki/process/stages/cri.go:121) and `loki.source.file` sets `filename`, the file's path
 * (internal/component/loki/source/file/tailer.go:66).
 */
const ALLOY_COMPONENT_LABELS = ['stream', 'filename'] as const;

/** Every stream label Alloy writes: what a LogQL stream selector can match on (tools/validate/logql.ts). */
export const ALLOY_STREAM_LABELS: readonly string[] = [
  ...Object.keys(ALLOY_DISCOVERY_LABELS),
  ALLOY_LEVEL_LABEL,
  ...ALLOY_COMPONENT_LABELS,
];
