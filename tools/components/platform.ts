import type { V1ClusterRole, V1Namespace, V1PriorityClass, V1ResourceQuota, V1Role } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { CLUSTER_RULES, NAMESPACE_RULES, SEED_ROLE } from '../catalog/rbac.ts';
import { NAMESPACE } from '../catalog/names.ts';
import { meta, object, standardLabels } from './common.ts';
import { networkPolicies } from './network-policies.ts';

export const PRIORITY_CRITICAL = 'observability-critical';
export const PRIORITY_STANDARD = 'observability-standard';
/**
 * The node agent's own class: the compute quota leaves it out by this name, since a DaemonSet's size
 * follows the cluster's node count, not the namespace's budget (docs/adr/0017-node-agent-outside-the-quota.md).
 */
export const PRIORITY_NODE_AGENT = 'observability-node-agent';

const labels = standardLabels('observability-platform');

/** The stack's namespace, with its pod security levels. */
function namespace(): KubeObject {
  return object<V1Namespace>({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      ...meta(NAMESPACE, labels, { clusterScoped: true }),
      labels: {
        ...labels,
        // Alloy needs hostPath and root (docs/adr/0003-alloy-runs-as-root.md): enforce privileged, report restricted.
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
}

/**
 * The architecture document's RBAC model, kept as its own objects and bound to no workload:
 * none of the stack's configurations uses these rights (docs/adr/0011-rbac-per-workload.md).
 */
function seedRoles(): KubeObject[] {
  return [
    object<V1ClusterRole>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(SEED_ROLE, labels, { clusterScoped: true }),
      rules: CLUSTER_RULES.map((rule) => ({ ...rule })),
    }),
    object<V1Role>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(SEED_ROLE, labels),
      rules: NAMESPACE_RULES.map((rule) => ({ ...rule })),
    }),
  ];
}

/**
 * Compute for every pod but the node agent's. A PriorityClass scope may only track pods, cpu and
 * memory (kubernetes pkg/apis/core/helper IsResourceQuotaScopeValidForResource), and scopes are
 * immutable, so storage stays in the unscoped quota of the old name.
 */
function quotas(q: Environment['limits']['quota']): KubeObject[] {
  return [
    object<V1ResourceQuota>({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('observability-compute', labels),
      spec: {
        hard: {
          'requests.cpu': q.requestsCpu,
          'requests.memory': q.requestsMemory,
          'limits.cpu': q.limitsCpu,
          'limits.memory': q.limitsMemory,
          pods: String(q.pods),
        },
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'NotIn', values: [PRIORITY_NODE_AGENT] }] },
      },
    }),
    object<V1ResourceQuota>({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('observability-quota', labels),
      spec: { hard: { persistentvolumeclaims: String(q.persistentVolumeClaims), 'requests.storage': q.requestsStorage } },
    }),
  ];
}

/** Container requests and limits for a container that sets none. */
function limitRange(d: Environment['limits']['containerDefaults']): KubeObject {
  return {
    // Written as plain JSON: client-node's model spells the `default` field `_default`.
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta('observability-limits', labels),
    spec: { limits: [{ type: 'Container', defaultRequest: { ...d.requests }, default: { ...d.limits } }] },
  };
}

function priorityClass(name: string, value: number, description: string): KubeObject {
  return object<V1PriorityClass>({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: meta(name, labels, { clusterScoped: true }),
    value,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
    description,
  });
}

/** Wave 0: the namespace and everything the other components rely on being there first. */
export function platform(env: Environment): KubeObject[] {
  return [
    namespace(),
    ...seedRoles(),
    ...quotas(env.limits.quota),
    limitRange(env.limits.containerDefaults),
    priorityClass(PRIORITY_CRITICAL, 1_000_000, 'Log ingestion and storage of the observability stack (Loki write path, MinIO).'),
    priorityClass(
      PRIORITY_NODE_AGENT,
      1_000_000,
      'Alloy, the log collector on every node; outside the namespace compute quota, which cannot know the node count.',
    ),
    priorityClass(PRIORITY_STANDARD, 100_000, 'Query and visualization path of the observability stack (Grafana, Loki read and backend).'),
    ...networkPolicies(env),
  ];
}
