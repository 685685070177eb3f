import type { V1PolicyRule } from '@kubernetes/client-node';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

export interface RbacModel {
  serviceAccount: string;
  namespace: string;
  clusterRules: readonly V1PolicyRule[];
  namespaceRules: readonly V1PolicyRule[];
  /** The drift job's identity: its roles may only read. */
  driftReader: { serviceAccount: string; role: string; verbs: readonly string[] };
}

/** A rule in comparable form: lists sorted, absent lists empty. */
function canonical(rule: V1PolicyRule): string {
  const sorted = (list?: string[]): string[] => [...(list ?? [])].sort();
  return JSON.stringify({
    apiGroups: sorted(rule.apiGroups),
    resources: sorted(rule.resources),
    resourceNames: sorted(rule.resourceNames),
    nonResourceURLs: sorted(rule.nonResourceURLs),
    verbs: sorted(rule.verbs),
  });
}

function rulesFindings(app: RenderedApp, role: KubeObject, expected: readonly V1PolicyRule[]): Finding[] {
  const rules = (role['rules'] as V1PolicyRule[] | null | undefined) ?? [];
  const have = rules.map(canonical).sort();
  const want = expected.map(canonical).sort();
  const where = { env: app.env, component: app.component, object: describeObject(role) };
  const findings: Finding[] = [];
  for (const extra of have.filter((r) => !want.includes(r))) findings.push({ rule: 'rbac/rules-differ', severity: 'error', ...where, path: '/rules', message: `rule ${extra} is not in the seed's RBAC model (tools/catalog/rbac.ts)` });
  for (const missing of want.filter((r) => !have.includes(r))) findings.push({ rule: 'rbac/rules-differ', severity: 'error', ...where, path: '/rules', message: `rule ${missing} of the seed's RBAC model is missing` });
  return findings;
}

/**
 * Roles and bindings equal the seed's model held in the catalog: no wildcards anywhere, the stack's
 * ClusterRole and Role hold exactly the model's rules, and both are bound to the stack's ServiceAccount only.
 */
export function rbacFindings(app: RenderedApp, model: RbacModel): Finding[] {
  const findings: Finding[] = [];
  for (const role of app.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
    ((role['rules'] as V1PolicyRule[] | null | undefined) ?? []).forEach((rule, i) => {
      for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs'] as const) {
        if ((rule[field] ?? []).some((v) => v.includes('*'))) {
          findings.push({ rule: 'rbac/wildcard', severity: 'error', env: app.env, component: app.component, object: describeObject(role), path: `/rules/${i}/${field}`, message: `wildcard in ${field}: list exactly what is needed` });
        }
      }
    });
    if (role.metadata.name === model.serviceAccount) findings.push(...rulesFindings(app, role, role.kind === 'ClusterRole' ? model.clusterRules : model.namespaceRules));
    if (role.metadata.name === model.driftReader.role) {
      ((role['rules'] as V1PolicyRule[] | null | undefined) ?? []).forEach((rule, i) => {
        const writes = (rule.verbs ?? []).filter((v) => !model.driftReader.verbs.includes(v));
        if (writes.length > 0) findings.push({ rule: 'rbac/drift-reader-not-read-only', severity: 'error', env: app.env, component: app.component, object: describeObject(role), path: `/rules/${i}/verbs`, message: `verbs ${writes.join(', ')}: the drift reader may only ${model.driftReader.verbs.join(' and ')}` });
      });
    }
  }
  for (const binding of app.objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const subjects = (binding['subjects'] as { kind: string; name: string; namespace?: string }[] | undefined) ?? [];
    const roleRef = binding['roleRef'] as { kind: string; name: string };
    const account = roleRef.name === model.driftReader.role ? model.driftReader.serviceAccount : model.serviceAccount;
    const roleKind = binding.kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role';
    const ok =
      [model.serviceAccount, model.driftReader.role].includes(roleRef.name) &&
      subjects.length === 1 &&
      subjects[0]?.kind === 'ServiceAccount' &&
      subjects[0].name === account &&
      subjects[0].namespace === model.namespace &&
      roleRef.kind === roleKind;
    if (!ok) {
      findings.push({ rule: 'rbac/binding', severity: 'error', env: app.env, component: app.component, object: describeObject(binding), path: '/subjects', message: `must bind ${roleKind} ${roleRef.name} to ServiceAccount ${model.namespace}/${account} only` });
    }
  }
  return findings;
}
