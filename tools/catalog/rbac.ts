import type { V1PolicyRule } from '@kubernetes/client-node';

/** The stack's ServiceAccount, the one identity with API access (Alloy's Kubernetes discovery). */
export const STACK_SERVICE_ACCOUNT = 'observability-stack';

const READ = ['get', 'list', 'watch'];
/** The seed's "all" on a namespaced resource, spelled out: `check` rejects wildcards. */
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** The seed's RBAC model: ClusterRole rules (discovery across the cluster, /metrics). */
export const CLUSTER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'namespaces', 'nodes', 'pods', 'services'], verbs: READ },
  { nonResourceURLs: ['/metrics'], verbs: ['get'] },
];

/** The seed's RBAC model: namespaced Role rules (configuration and credentials of the stack). */
export const NAMESPACE_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ALL_VERBS },
];
