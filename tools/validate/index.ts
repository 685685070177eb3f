import type { Catalog } from '../catalog/index.ts';
import { CLUSTER_RULES, DRIFT_READER, DRIFT_READER_ROLE, DRIFT_READER_VERBS, NAMESPACE_RULES, STACK_SERVICE_ACCOUNT } from '../catalog/rbac.ts';
import { SECRETS } from '../catalog/secrets.ts';
import { NAMESPACE } from '../components/common.ts';
import type { RenderedTree } from '../render/tree.ts';
import { sortFindings, type Finding } from './finding.ts';
import { rbacFindings } from './rbac.ts';
import { wiringFindings, type ExternalRefs } from './wiring.ts';

export interface ValidationResult {
  findings: Finding[];
}

/** What an environment may reference without rendering it: Secrets its catalog says come from outside git. */
function externalRefs(catalog: Catalog, env: string): ExternalRefs {
  const entry = catalog.environments.find((e) => e.name === env);
  const secrets = entry?.credentials === 'external' ? Object.values(SECRETS).map((s) => s.name) : [];
  return { secrets, serviceAccounts: [] };
}

/** Runs every gate on rendered overlays (as they are on disk, stale or not) and returns sorted findings. */
export function validateTree(tree: RenderedTree, catalog: Catalog): ValidationResult {
  const findings: Finding[] = [];
  const model = {
    serviceAccount: STACK_SERVICE_ACCOUNT,
    namespace: NAMESPACE,
    clusterRules: CLUSTER_RULES,
    namespaceRules: NAMESPACE_RULES,
    driftReader: { serviceAccount: DRIFT_READER, role: DRIFT_READER_ROLE, verbs: DRIFT_READER_VERBS },
  };
  for (const app of tree.apps) findings.push(...rbacFindings(app, model));
  for (const env of [...new Set(tree.apps.map((a) => a.env))]) {
    findings.push(...wiringFindings(tree.apps.filter((a) => a.env === env), externalRefs(catalog, env)));
  }
  return { findings: sortFindings(findings) };
}
