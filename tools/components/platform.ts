import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Namespace,
  V1PriorityClass,
  V1ResourceQuota,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { CLUSTER_RULES, NAMESPACE_RULES, STACK_SERVICE_ACCOUNT } from '../catalog/rbac.ts';
import { NAMESPACE } from '../catalog/names.ts';
import { meta, object, standardLabels } from './common.ts';
import { networkPolicies } from './network-policies.ts';

export const PRIORITY_CRITICAL = 'observability-critical';
export const PRIORITY_STANDARD = 'observability-standard';

const labels = standardLabels('observability-platform');

/** Wave 0: the namespace and everything the other components rely on being there first. */
export function platform(env: Environment): KubeObject[] {
  const q = env.limits.quota;
  const d = env.limits.containerDefaults;
  return [
    object<V1Namespace>({
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
    }),
    object<V1ServiceAccount>({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(STACK_SERVICE_ACCOUNT, labels),
      automountServiceAccountToken: false,
    }),
    object<V1ClusterRole>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(STACK_SERVICE_ACCOUNT, labels, { clusterScoped: true }),
      rules: CLUSTER_RULES.map((rule) => ({ ...rule })),
    }),
    object<V1ClusterRoleBinding>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(STACK_SERVICE_ACCOUNT, labels, { clusterScoped: true }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: STACK_SERVICE_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', name: STACK_SERVICE_ACCOUNT, namespace: NAMESPACE }],
    }),
    object<V1Role>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(STACK_SERVICE_ACCOUNT, labels),
      rules: NAMESPACE_RULES.map((rule) => ({ ...rule })),
    }),
    object<V1RoleBinding>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(STACK_SERVICE_ACCOUNT, labels),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: STACK_SERVICE_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', name: STACK_SERVICE_ACCOUNT, namespace: NAMESPACE }],
    }),
    object<V1ResourceQuota>({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('observability-quota', labels),
      spec: {
        hard: {
          'requests.cpu': q.requestsCpu,
          'requests.memory': q.requestsMemory,
          'limits.cpu': q.limitsCpu,
          'limits.memory': q.limitsMemory,
          pods: String(q.pods),
          persistentvolumeclaims: String(q.persistentVolumeClaims),
          'requests.storage': q.requestsStorage,
        },
      },
    }),
    {
      // Written as plain JSON: client-node's model spells the `default` field `_default`.
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('observability-limits', labels),
      spec: { limits: [{ type: 'Container', defaultRequest: { ...d.requests }, default: { ...d.limits } }] },
    },
    object<V1PriorityClass>({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: meta(PRIORITY_CRITICAL, labels, { clusterScoped: true }),
      value: 1_000_000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Log collection and ingestion of the observability stack (Alloy, Loki write path, MinIO).',
    }),
    object<V1PriorityClass>({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: meta(PRIORITY_STANDARD, labels, { clusterScoped: true }),
      value: 100_000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Query and visualization path of the observability stack (Grafana, Loki read and backend).',
    }),
    ...networkPolicies(env),
  ];
}
