import type { V1PolicyRule } from '@kubernetes/client-node';
import { compareStrings } from '../kube/order.ts';

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

/** The drift job's identity in each cluster: it may read what the stack deploys, and nothing else. */
export const DRIFT_READER = 'drift-reader';
export const DRIFT_READER_ROLE = 'observability-drift-reader';
export const DRIFT_READER_VERBS = ['get', 'list'];

/** The API resource of a kind, as RBAC rules name it (`NetworkPolicy` -> `networkpolicies`). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/** get/list on exactly the given kinds, one rule per API group. */
export function readRules(kinds: readonly { group: string; kind: string }[]): V1PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const { group, kind } of kinds) byGroup.set(group, (byGroup.get(group) ?? new Set()).add(resourceOf(kind)));
  return [...byGroup]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: DRIFT_READER_VERBS }));
}
