/**
 * RBAC gate. Per overlay: no wildcards; the architecture document's model (catalog/rbac.ts) rendered
 * exactly; the drift reader only reads; every binding names one ServiceAccount of the stack's namespace.
 * Per environment (`identityFindings`): each workload runs as its own ServiceAccount, mounts an API token
 * only when its configuration talks to the API, and holds exactly the rights that configuration uses.
 *
 * Rule ids (error): rbac/wildcard, rbac/rules-differ, rbac/seed-model-missing, rbac/drift-reader-not-read-only,
 * rbac/binding, rbac/default-service-account, rbac/shared-service-account, rbac/unneeded-token,
 * rbac/missing-token, rbac/missing-rights, rbac/excess-rights, rbac/unjudged-api-use, rbac/unused-binding.
 */
import type { V1PodSpec, V1PolicyRule } from '@kubernetes/client-node';
import { describeObject, type KubeObject } from '../kube/object.ts';
import { podSpecOf, pointer } from '../kube/pod.ts';
import type { ApiRead } from '../catalog/rbac.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';
import { AlloySyntaxError, kubernetesApiUse } from './alloy-config.ts';

export interface RbacModel {
  /** Name of the ClusterRole and Role holding the architecture document's model. */
  seedRole: string;
  namespace: string;
  clusterRules: readonly V1PolicyRule[];
  namespaceRules: readonly V1PolicyRule[];
  /** Verbs a read of the API needs (what the stack grants for each read). */
  readVerbs: readonly string[];
  /** The drift job's identity: its roles may only read; no workload runs as it. */
  driftReader: { serviceAccount: string; role: string; verbs: readonly string[] };
}

const rulesOf = (role: KubeObject): V1PolicyRule[] => (role['rules'] as V1PolicyRule[] | null | undefined) ?? [];

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
  const have = rulesOf(role).map(canonical).sort();
  const want = expected.map(canonical).sort();
  const where = { env: app.env, component: app.component, object: describeObject(role) };
  const findings: Finding[] = [];
  for (const extra of have.filter((r) => !want.includes(r)))
    findings.push({
      rule: 'rbac/rules-differ',
      severity: 'error',
      ...where,
      path: '/rules',
      message: `rule ${extra} is not in the seed's RBAC model (tools/catalog/rbac.ts)`,
    });
  for (const missing of want.filter((r) => !have.includes(r)))
    findings.push({
      rule: 'rbac/rules-differ',
      severity: 'error',
      ...where,
      path: '/rules',
      message: `rule ${missing} of the seed's RBAC model is missing`,
    });
  return findings;
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/** Wildcards, the seed model, the drift reader's verbs and the shape of every binding of one overlay. */
export function rbacFindings(app: RenderedApp, model: RbacModel): Finding[] {
  const findings: Finding[] = [];
  for (const role of app.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
    rulesOf(role).forEach((rule, i) => {
      for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs'] as const) {
        if ((rule[field] ?? []).some((v) => v.includes('*'))) {
          findings.push({
            rule: 'rbac/wildcard',
            severity: 'error',
            env: app.env,
            component: app.component,
            object: describeObject(role),
            path: `/rules/${i}/${field}`,
            message: `wildcard in ${field}: list exactly what is needed`,
          });
        }
      }
    });
    if (role.metadata.name === model.seedRole)
      findings.push(...rulesFindings(app, role, role.kind === 'ClusterRole' ? model.clusterRules : model.namespaceRules));
    if (role.metadata.name === model.driftReader.role) {
      rulesOf(role).forEach((rule, i) => {
        const writes = (rule.verbs ?? []).filter((v) => !model.driftReader.verbs.includes(v));
        if (writes.length > 0)
          findings.push({
            rule: 'rbac/drift-reader-not-read-only',
            severity: 'error',
            env: app.env,
            component: app.component,
            object: describeObject(role),
            path: `/rules/${i}/verbs`,
            message: `verbs ${writes.join(', ')}: the drift reader may only ${model.driftReader.verbs.join(' and ')}`,
          });
      });
    }
  }
  for (const binding of app.objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const subjects = (binding['subjects'] as Subject[] | undefined) ?? [];
    const roleRef = binding['roleRef'] as { kind: string; name: string };
    const roleKind = binding.kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role';
    const account = roleRef.name === model.driftReader.role ? model.driftReader.serviceAccount : undefined;
    const ok =
      subjects.length === 1 &&
      subjects[0]?.kind === 'ServiceAccount' &&
      subjects[0].namespace === model.namespace &&
      (account === undefined || subjects[0].name === account) &&
      roleRef.kind === roleKind;
    if (!ok) {
      findings.push({
        rule: 'rbac/binding',
        severity: 'error',
        env: app.env,
        component: app.component,
        object: describeObject(binding),
        path: '/subjects',
        message: `must bind ${roleKind} ${roleRef.name} to ${account ? `ServiceAccount ${model.namespace}/${account}` : `one ServiceAccount of namespace ${model.namespace}`} only`,
      });
    }
  }
  return findings;
}

interface Workload {
  app: RenderedApp;
  owner: KubeObject;
  pod: V1PodSpec;
  path: string;
}

function podWorkloads(apps: readonly RenderedApp[]): Workload[] {
  return apps.flatMap((app) =>
    app.objects.flatMap((owner) => {
      const spec = podSpecOf(owner);
      return spec ? [{ app, owner, pod: spec.pod, path: pointer(spec.path) }] : [];
    }),
  );
}

/** One permission: `*` scope is cluster-wide; a non-resource URL has group `url:`. */
interface Atom {
  scope: string;
  group: string;
  resource: string;
  verb: string;
}

const atomKey = (a: Atom): string => `${a.scope}\u0000${a.group}\u0000${a.resource}\u0000${a.verb}`;
const describeAtom = (a: Atom): string =>
  `${a.verb} ${a.group.startsWith('url:') ? a.resource : `${a.group ? `${a.group}/` : ''}${a.resource}`} ${a.scope === '*' ? 'cluster-wide' : `in namespace ${a.scope}`}`;

function ruleAtoms(rule: V1PolicyRule, scope: string): Atom[] {
  const verbs = rule.verbs ?? [];
  const urls = (rule.nonResourceURLs ?? []).flatMap((url) => verbs.map((verb) => ({ scope: '*', group: 'url:', resource: url, verb })));
  const resources = (rule.apiGroups ?? []).flatMap((group) =>
    (rule.resources ?? []).flatMap((resource) => verbs.map((verb) => ({ scope, group, resource, verb }))),
  );
  return [...urls, ...resources];
}

interface Grant {
  atom: Atom;
  via: string;
}

/** What each ServiceAccount (by name) may do, through which binding. */
function grants(objects: readonly KubeObject[], namespace: string): Map<string, Grant[]> {
  const roles = new Map(
    objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').map((o) => [`${o.kind}/${o.metadata.name}`, o]),
  );
  const out = new Map<string, Grant[]>();
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const roleRef = binding['roleRef'] as { kind: string; name: string };
    const role = roles.get(`${roleRef.kind}/${roleRef.name}`);
    const scope = binding.kind === 'ClusterRoleBinding' ? '*' : (binding.metadata.namespace ?? namespace);
    const via = `${roleRef.kind} ${roleRef.name} via ${describeObject(binding)}`;
    for (const subject of (binding['subjects'] as Subject[] | undefined) ?? []) {
      if (subject.kind !== 'ServiceAccount' || subject.namespace !== namespace) continue;
      const list = out.get(subject.name) ?? [];
      for (const rule of role ? rulesOf(role) : []) list.push(...ruleAtoms(rule, scope).map((atom) => ({ atom, via })));
      out.set(subject.name, list);
    }
  }
  return out;
}

/** The API reads of a workload's configuration: every Alloy file of every ConfigMap it mounts. */
function configuredReads(
  w: Workload,
  configMaps: ReadonlyMap<string, KubeObject>,
  namespace: string,
): { reads: { read: ApiRead; by: string }[]; unjudged: string[]; unreadable: string[] } {
  const out = { reads: [] as { read: ApiRead; by: string }[], unjudged: [] as string[], unreadable: [] as string[] };
  for (const volume of w.pod.volumes ?? []) {
    const data = (configMaps.get(volume.configMap?.name ?? '')?.['data'] as Record<string, string> | undefined) ?? {};
    for (const [key, text] of Object.entries(data).filter(([k]) => k.endsWith('.alloy'))) {
      try {
        const use = kubernetesApiUse(text, namespace);
        out.reads.push(...use.reads);
        out.unjudged.push(...use.unjudged.map((c) => `${c} (ConfigMap ${volume.configMap?.name} ${key})`));
      } catch (error) {
        if (!(error instanceof AlloySyntaxError)) throw error;
        out.unreadable.push(`ConfigMap ${volume.configMap?.name} ${key}: ${error.message}`);
      }
    }
  }
  return out;
}

/**
 * Least privilege per workload across one environment's overlays: its own ServiceAccount, an API
 * token only when its configuration reads the API, and granted rights equal to those reads (a
 * cluster-wide grant where one namespace suffices counts as excess). Bindings to ServiceAccounts no
 * workload runs as (other than the drift reader) are findings too.
 */
export function identityFindings(apps: readonly RenderedApp[], model: RbacModel): Finding[] {
  const findings: Finding[] = [];
  const objects = apps.flatMap((a) => a.objects);
  const accounts = new Map(
    objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === model.namespace).map((o) => [o.metadata.name, o]),
  );
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === model.namespace).map((o) => [o.metadata.name, o]),
  );
  const granted = grants(objects, model.namespace);
  const users = new Map<string, string>();
  const platform = apps.find((a) => a.component === 'platform');
  if (platform) {
    for (const kind of ['ClusterRole', 'Role']) {
      if (!platform.objects.some((o) => o.kind === kind && o.metadata.name === model.seedRole)) {
        findings.push({
          rule: 'rbac/seed-model-missing',
          severity: 'error',
          env: platform.env,
          component: 'platform',
          object: `${kind} ${model.seedRole}`,
          message: `the architecture document's RBAC model is kept as ${kind} ${model.seedRole}; it is not rendered`,
        });
      }
    }
  }
  for (const w of podWorkloads(apps)) {
    const at = { env: w.app.env, component: w.app.component, object: describeObject(w.owner) };
    const account = w.pod.serviceAccountName ?? 'default';
    const path = `${w.path}/serviceAccountName`;
    if (account === 'default')
      findings.push({
        rule: 'rbac/default-service-account',
        severity: 'error',
        ...at,
        path,
        message: "runs as the namespace's default ServiceAccount: give the workload its own",
      });
    const other = users.get(account);
    if (other && account !== 'default')
      findings.push({
        rule: 'rbac/shared-service-account',
        severity: 'error',
        ...at,
        path,
        message: `ServiceAccount ${account} is also ${other}'s: each workload gets its own`,
      });
    users.set(account, describeObject(w.owner));

    const use = configuredReads(w, configMaps, model.namespace);
    for (const text of use.unreadable)
      findings.push({ rule: 'rbac/unjudged-api-use', severity: 'error', ...at, message: `cannot read ${text}` });
    for (const c of use.unjudged)
      findings.push({
        rule: 'rbac/unjudged-api-use',
        severity: 'error',
        ...at,
        message: `${c} talks to the Kubernetes API in a way this gate does not model: model its reads in tools/catalog/rbac.ts`,
      });
    const needed = use.reads.flatMap(({ read, by }) =>
      model.readVerbs.map((verb) => ({ atom: { scope: read.namespace ?? '*', group: read.group, resource: read.resource, verb }, by })),
    );
    const token =
      w.pod.automountServiceAccountToken ?? (accounts.get(account)?.['automountServiceAccountToken'] as boolean | undefined) ?? true;
    if (needed.length === 0 && token)
      findings.push({
        rule: 'rbac/unneeded-token',
        severity: 'error',
        ...at,
        path: `${w.path}/automountServiceAccountToken`,
        message: 'mounts an API token its configuration never uses: set automountServiceAccountToken: false',
      });
    if (needed.length > 0 && !token)
      findings.push({
        rule: 'rbac/missing-token',
        severity: 'error',
        ...at,
        path: `${w.path}/automountServiceAccountToken`,
        message: `its configuration reads the API (${[...new Set(needed.map((n) => n.by))].join(', ')}) but no token is mounted`,
      });

    const have = granted.get(account) ?? [];
    const missing = new Map<string, { atom: Atom; by: string; verbs: string[] }>();
    for (const { atom, by } of needed) {
      const ok = have.some(
        (g) =>
          g.atom.group === atom.group &&
          g.atom.resource === atom.resource &&
          g.atom.verb === atom.verb &&
          (g.atom.scope === '*' || g.atom.scope === atom.scope),
      );
      const key = `${by}\u0000${atomKey({ ...atom, verb: '' })}`;
      const entry = missing.get(key) ?? { atom, by, verbs: [] };
      if (!ok && !entry.verbs.includes(atom.verb)) missing.set(key, { ...entry, verbs: [...entry.verbs, atom.verb] });
    }
    for (const { atom, by, verbs } of missing.values()) {
      findings.push({
        rule: 'rbac/missing-rights',
        severity: 'error',
        ...at,
        path,
        message: `${by} needs ${describeAtom({ ...atom, verb: verbs.join(', ') })}; ServiceAccount ${account} may not`,
      });
    }
    const neededKeys = new Set(needed.map((n) => atomKey(n.atom)));
    const excess = new Map<string, { atom: Atom; via: string; verbs: Set<string> }>();
    for (const { atom, via } of have.filter((g) => !neededKeys.has(atomKey(g.atom)))) {
      const key = `${via}\u0000${atomKey({ ...atom, verb: '' })}`;
      const entry = excess.get(key) ?? { atom, via, verbs: new Set<string>() };
      excess.set(key, entry.verbs.add(atom.verb) && entry);
    }
    for (const { atom, via, verbs } of excess.values()) {
      findings.push({
        rule: 'rbac/excess-rights',
        severity: 'error',
        ...at,
        path,
        message: `ServiceAccount ${account} may ${describeAtom({ ...atom, verb: [...verbs].join(', ') })} (${via}), which its configuration never uses`,
      });
    }
  }
  for (const app of apps) {
    for (const binding of app.objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
      for (const subject of (binding['subjects'] as Subject[] | undefined) ?? []) {
        if (subject.kind === 'ServiceAccount' && !users.has(subject.name) && subject.name !== model.driftReader.serviceAccount) {
          findings.push({
            rule: 'rbac/unused-binding',
            severity: 'error',
            env: app.env,
            component: app.component,
            object: describeObject(binding),
            path: '/subjects',
            message: `binds ServiceAccount ${subject.name}, which no workload runs as: remove the binding`,
          });
        }
      }
    }
  }
  return findings;
}
