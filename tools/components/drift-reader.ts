import type { V1ClusterRole, V1ClusterRoleBinding, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import { DRIFT_READER, DRIFT_READER_ROLE, readRules } from '../catalog/rbac.ts';
import { kindsOf } from '../kube/kinds.ts';
import { NAMESPACE } from '../catalog/names.ts';
import { isHook } from '../kube/annotations.ts';
import { meta, object, standardLabels } from './common.ts';

const labels = standardLabels('drift-reader');
const subjects = [{ kind: 'ServiceAccount', name: DRIFT_READER, namespace: NAMESPACE }];

/**
 * The drift job's read-only identity: get/list on exactly the kinds the environment deploys, namespaced
 * kinds in the stack's namespace only. README: "A kubeconfig for the drift job".
 */
export function driftReader(deployed: readonly KubeObject[]): KubeObject[] {
  const watched = deployed.filter((o) => !isHook(o));
  const namespaced = kindsOf([
    ...watched.filter((o) => o.metadata.namespace),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DRIFT_READER, namespace: NAMESPACE } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: DRIFT_READER_ROLE, namespace: NAMESPACE } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: DRIFT_READER_ROLE, namespace: NAMESPACE } },
  ]);
  const clusterScoped = kindsOf([
    ...watched.filter((o) => !o.metadata.namespace),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: DRIFT_READER_ROLE } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: DRIFT_READER_ROLE } },
  ]);
  return [
    object<V1ServiceAccount>({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(DRIFT_READER, labels),
      automountServiceAccountToken: false,
    }),
    object<V1Role>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(DRIFT_READER_ROLE, labels),
      rules: readRules(namespaced),
    }),
    object<V1RoleBinding>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(DRIFT_READER_ROLE, labels),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: DRIFT_READER_ROLE },
      subjects,
    }),
    object<V1ClusterRole>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(DRIFT_READER_ROLE, labels, { clusterScoped: true }),
      rules: readRules(clusterScoped),
    }),
    object<V1ClusterRoleBinding>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(DRIFT_READER_ROLE, labels, { clusterScoped: true }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: DRIFT_READER_ROLE },
      subjects,
    }),
  ];
}
