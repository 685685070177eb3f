import type { Catalog } from '../catalog/index.ts';
import {
  CLUSTER_RULES,
  DRIFT_READER,
  DRIFT_READER_ROLE,
  DRIFT_READER_VERBS,
  NAMESPACE_RULES,
  READ_VERBS,
  SEED_ROLE,
} from '../catalog/rbac.ts';
import { SECRETS } from '../catalog/secrets.ts';
import { ALLOY_STREAM_LABELS, NAMESPACE } from '../catalog/names.ts';
import type { RenderedApp, RenderedTree } from '../render/tree.ts';
import type { Environment } from '../catalog/types.ts';
import { allowedFlows, formatMatrix, matrixJson, networkFindings, NetworkPolicyError, type Flow, type FlowMatrix } from './network.ts';
import { concreteIntendedFlows, networkEndpoints } from './network-endpoints.ts';
import { sortFindings, type Finding } from './finding.ts';
import { tlsFindings } from './tls.ts';
import { probeFindings } from './probes.ts';
import { quotaFindings } from './quota.ts';
import { identityFindings, rbacFindings, type RbacModel } from './rbac.ts';
import { schemaFindings } from './schema.ts';
import { securityFindings, type HonouredException } from './security.ts';
import { SECURITY_EXCEPTIONS } from '../catalog/exceptions.ts';
import { wiringFindings, type ExternalRefs } from './wiring.ts';
import { LOKI_ADDED_LABELS, logqlFindings, type KnownLabels } from './logql.ts';
import { grafanaFolderFindings } from './grafana-folders.ts';
import { grafanaProvisioningFindings } from './grafana-provisioning.ts';
import { alloyArgumentFindings } from './alloy-arguments.ts';
import { lokiConfigFindings } from './loki-config.ts';
import { TEXT_EMBEDDING_STREAMS } from '../catalog/log-lines.ts';

export interface NetworkMatrix {
  env: string;
  text: string;
  json: FlowMatrix;
}

export interface ValidationResult {
  findings: Finding[];
  /** The reachability matrix each environment's rendered NetworkPolicies allow. */
  matrices: NetworkMatrix[];
  /** Departures from the security controls the catalog declares, with their reasons, as honoured. */
  honoured: HonouredException[];
}

/** Evaluates an environment's rendered NetworkPolicies and compares the flows with the catalog's intent. */
function networkGate(env: Environment, apps: readonly RenderedApp[]): { findings: Finding[]; matrix?: NetworkMatrix } {
  const objects = apps.flatMap((a) => a.objects);
  const endpoints = networkEndpoints(env, objects);
  let allowed: Flow[];
  try {
    allowed = allowedFlows(objects, endpoints);
  } catch (error) {
    if (!(error instanceof NetworkPolicyError)) throw error;
    return {
      findings: [{ rule: 'network/invalid-policy', severity: 'error', env: env.name, component: 'platform', message: error.message }],
    };
  }
  return {
    findings: networkFindings(allowed, concreteIntendedFlows(env), { env: env.name, component: 'platform' }),
    matrix: { env: env.name, text: formatMatrix(allowed, endpoints), json: matrixJson(allowed) },
  };
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
  const model: RbacModel = {
    seedRole: SEED_ROLE,
    namespace: NAMESPACE,
    clusterRules: CLUSTER_RULES,
    namespaceRules: NAMESPACE_RULES,
    readVerbs: READ_VERBS,
    driftReader: { serviceAccount: DRIFT_READER, role: DRIFT_READER_ROLE, verbs: DRIFT_READER_VERBS },
  };
  const honoured: HonouredException[] = [];
  const labels: KnownLabels = { stream: ALLOY_STREAM_LABELS, other: LOKI_ADDED_LABELS, embedding: TEXT_EMBEDDING_STREAMS };
  for (const app of tree.apps) {
    findings.push(
      ...rbacFindings(app, model),
      ...schemaFindings(app),
      ...logqlFindings(app, labels),
      ...probeFindings(app),
      ...grafanaProvisioningFindings(app),
      ...alloyArgumentFindings(app),
      ...lokiConfigFindings(app),
    );
    const security = securityFindings(app, SECURITY_EXCEPTIONS);
    findings.push(...security.findings);
    honoured.push(...security.honoured);
  }
  const matrices: NetworkMatrix[] = [];
  for (const env of [...new Set(tree.apps.map((a) => a.env))]) {
    const apps = tree.apps.filter((a) => a.env === env);
    findings.push(
      ...wiringFindings(apps, externalRefs(catalog, env)),
      ...grafanaFolderFindings(apps),
      ...identityFindings(apps, model),
      ...quotaFindings(
        env,
        apps.flatMap((a) => a.objects),
      ),
    );
    const entry = catalog.environments.find((e) => e.name === env);
    if (entry) findings.push(...tlsFindings(apps, entry));
    // Flows are judged on the whole environment: a policy's effect depends on every other policy.
    if (entry && apps.length === entry.components.length) {
      const gate = networkGate(entry, apps);
      findings.push(...gate.findings);
      if (gate.matrix) matrices.push(gate.matrix);
    }
  }
  return { findings: sortFindings(findings), matrices, honoured };
}
