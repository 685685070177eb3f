import type { V1PolicyRule } from '@kubernetes/client-node';
import { byKey, compareStrings } from '../kube/order.ts';

/**
 * The architecture document's RBAC model ("Security Architecture / RBAC Model"), kept as its own
 * object set: ClusterRole and Role of this name, bound to no workload, because none of the stack's
 * configurations uses those rights (docs/adr/0011-rbac-per-workload.md). Each workload runs as its own
 * ServiceAccount with exactly what its configuration reads instead.
 */
export const SEED_ROLE = 'observability-stack';

/** Verbs of a read-only rule: Alloy's own chart grants these on everything its discovery reads. */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch'];
const READ = [...READ_VERBS];
/** The seed's "all" on a namespaced resource, spelled out: `check` rejects wildcards. */
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** The seed's RBAC model: ClusterRole rules (discovery across the cluster, /metrics). */
export const CLUSTER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'namespaces', 'nodes', 'pods', 'services'], verbs: READ },
  { nonResourceURLs: ['/metrics'], verbs: ['get'] },
];

/** The seed's RBAC model: namespaced Role rules (configuration and credentials of the stack). */
export const NAMESPACE_RULES: readonly V1PolicyRule[] = [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ALL_VERBS }];

/** One API resource a workload's configuration reads; `namespace` absent means across the cluster. */
export interface ApiRead {
  group: string;
  resource: string;
  namespace?: string;
}

const core = (resource: string): ApiRead => ({ group: '', resource });

/**
 * What Alloy's `discovery.kubernetes` lists and watches for each `role`: the role's own resource,
 * and for `endpoints` / `endpointslice` the Services and Pods behind them (Alloy
 * docs/sources/reference/components/discovery/discovery.kubernetes.md at v1.18.1, "role" sections;
 * Prometheus discovery/kubernetes/kubernetes.go, which Alloy wraps).
 */
export const DISCOVERY_ROLE_READS: Readonly<Record<string, readonly ApiRead[]>> = {
  pod: [core('pods')],
  node: [core('nodes')],
  service: [core('services')],
  endpoints: [core('endpoints'), core('services'), core('pods')],
  endpointslice: [{ group: 'discovery.k8s.io', resource: 'endpointslices' }, core('services'), core('pods')],
  ingress: [{ group: 'networking.k8s.io', resource: 'ingresses' }],
};

/** `attach_metadata { node = true }` needs Nodes, `namespace = true` Namespaces (same document, "attach_metadata"). */
export const ATTACH_METADATA_READS: Readonly<Record<string, ApiRead>> = { node: core('nodes'), namespace: core('namespaces') };

/** Read-only rules granting exactly `reads` (one rule per API group, resources sorted). */
export function readRulesFor(reads: readonly ApiRead[]): V1PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const { group, resource } of reads) byGroup.set(group, (byGroup.get(group) ?? new Set()).add(resource));
  return [...byGroup]
    .sort(byKey(([group]) => group))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: [...READ_VERBS] }));
}

/** The drift job's identity in each cluster: it may read what the stack deploys, and nothing else. */
export const DRIFT_READER = 'drift-reader';
export const DRIFT_READER_ROLE = 'observability-drift-reader';
export const DRIFT_READER_VERBS = ['get', 'list'];

/** The API resource of a kind, as RBAC rules name it (`NetworkPolicy` -> `networkpolicies`). */
function resourceOf(kind: string): string {
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
