import { describeObject, objectKey, type KubeObject } from '../kube/object.ts';
import { definedScopes, isNamespaced, withArgoNamespace } from '../kube/identity.ts';
import { expandApplicationSet, ExpandError, type PlannedApplication } from '../argocd/expand.ts';
import { sharedObjects } from '../argocd/shared.ts';
import { kindsOf, type ResourceKind } from '../kube/kinds.ts';
import type { RenderedTree } from '../render/tree.ts';
import type { Finding } from './finding.ts';

const key = (k: ResourceKind): string => `${k.group}/${k.kind}`;

function kindFindings(
  project: KubeObject,
  field: 'clusterResourceWhitelist' | 'namespaceResourceWhitelist',
  rendered: ResourceKind[],
): Finding[] {
  const allowed = ((project['spec'] as Record<string, ResourceKind[] | undefined>)[field] ?? []).map(key);
  const needed = rendered.map(key);
  const object = `AppProject ${project.metadata.name}`;
  const scope = field === 'clusterResourceWhitelist' ? 'cluster-scoped' : 'namespaced';
  return [
    ...allowed
      .filter((k) => k.includes('*'))
      .map((k) => ({
        rule: 'apps/project-wildcard',
        severity: 'error' as const,
        object,
        path: `/spec/${field}`,
        message: `${k}: wildcards are not allowed; list the kinds`,
      })),
    ...needed
      .filter((k) => !allowed.includes(k))
      .map((k) => ({
        rule: 'apps/kind-not-whitelisted',
        severity: 'error' as const,
        object,
        path: `/spec/${field}`,
        message: `${scope} kind ${k} is rendered but not whitelisted: Argo CD will refuse to sync it`,
      })),
    ...allowed
      .filter((k) => !k.includes('*') && !needed.includes(k))
      .map((k) => ({
        rule: 'apps/kind-whitelisted-unused',
        severity: 'error' as const,
        object,
        path: `/spec/${field}`,
        message: `${scope} kind ${k} is whitelisted but nothing renders it: remove it`,
      })),
  ];
}

/**
 * Objects two Applications deploy to the same cluster (keyed as Argo CD keys them, the destination
 * namespace filled in): with FailOnSharedResource=true one of the syncs fails, without it they
 * overwrite each other.
 */
function sharedFindings(planned: readonly PlannedApplication[], tree: RenderedTree): Finding[] {
  const scopes = definedScopes(tree.apps.flatMap((a) => a.objects));
  const apps = planned.flatMap((app) => {
    const rendered = tree.apps.find((a) => a.dir === app.path);
    if (!rendered) return [];
    const objects = rendered.objects.map((object) => withArgoNamespace(object, app.destination.namespace, scopes));
    return [
      {
        group: app.destination.name ?? app.destination.server ?? '',
        app: app.name,
        objects: new Map(objects.map((o) => [objectKey(o), o])),
      },
    ];
  });
  return sharedObjects(apps).map((shared) => ({
    rule: 'apps/shared-object',
    severity: 'error' as const,
    object: describeObject(shared.object),
    message: `rendered by Applications ${shared.apps.join(', ')} for the same cluster (${shared.group}): Argo CD tracks an object for one Application only (with FailOnSharedResource=true the other sync fails); keep it in one overlay`,
  }));
}

/**
 * The Argo CD objects against the rendered overlays: every overlay has exactly one Application,
 * every Application's path renders, RollingSync steps cover every Application once in wave order,
 * no object is deployed by two Applications to one cluster, and the AppProject allows exactly what
 * the overlays need.
 */
export function appsFindings(objects: readonly KubeObject[], tree: RenderedTree): Finding[] {
  const findings: Finding[] = [];
  const project = objects.find((o) => o.kind === 'AppProject');
  const planned: PlannedApplication[] = [];
  for (const appset of objects.filter((o) => o.kind === 'ApplicationSet')) {
    try {
      planned.push(...expandApplicationSet(appset));
    } catch (error) {
      if (!(error instanceof ExpandError)) throw error;
      findings.push({ rule: 'apps/template', severity: 'error', object: `ApplicationSet ${appset.metadata.name}`, message: error.message });
    }
  }
  const byName = new Map<string, PlannedApplication[]>();
  for (const app of planned) byName.set(app.name, [...(byName.get(app.name) ?? []), app]);
  for (const [name, apps] of byName) {
    if (apps.length > 1)
      findings.push({
        rule: 'apps/duplicate-application',
        severity: 'error',
        object: `Application ${name}`,
        message: `generated ${apps.length} times (by ${apps.map((a) => a.applicationSet).join(', ')}): Argo CD keeps only one`,
      });
  }
  const overlays = new Set(tree.apps.map((a) => a.dir));
  for (const app of planned) {
    const object = `Application ${app.name}`;
    if (!overlays.has(app.path))
      findings.push({
        rule: 'apps/missing-overlay',
        severity: 'error',
        object,
        path: '/spec/source/path',
        message: `${app.path} is not an overlay that renders`,
      });
    if (app.step === -1)
      findings.push({
        rule: 'apps/step-coverage',
        severity: 'error',
        object,
        message: `no RollingSync step of ${app.applicationSet} matches its labels ${JSON.stringify(app.labels)}: it would never sync`,
      });
    if (app.step === -2)
      findings.push({
        rule: 'apps/step-coverage',
        severity: 'error',
        object,
        message: `several RollingSync steps of ${app.applicationSet} match it`,
      });
    if (project) {
      const spec = project['spec'] as { sourceRepos?: string[]; destinations?: { name?: string; server?: string; namespace?: string }[] };
      if (!(spec.sourceRepos ?? []).includes(app.repoURL))
        findings.push({
          rule: 'apps/source-not-allowed',
          severity: 'error',
          object,
          message: `repoURL ${app.repoURL} is not in AppProject ${project.metadata.name}'s sourceRepos`,
        });
      const allowed = (spec.destinations ?? []).some(
        (d) => (d.name ?? d.server) === (app.destination.name ?? app.destination.server) && d.namespace === app.destination.namespace,
      );
      if (!allowed)
        findings.push({
          rule: 'apps/destination-not-allowed',
          severity: 'error',
          object,
          message: `destination ${JSON.stringify(app.destination)} is not in AppProject ${project.metadata.name}'s destinations`,
        });
    }
  }
  const managed = new Set(planned.map((a) => a.path));
  for (const dir of overlays) {
    const count = planned.filter((a) => a.path === dir).length;
    if (!managed.has(dir))
      findings.push({ rule: 'apps/unmanaged-overlay', severity: 'error', object: dir, message: 'no Application syncs this overlay' });
    else if (count > 1)
      findings.push({
        rule: 'apps/duplicate-application',
        severity: 'error',
        object: dir,
        message: `${count} Applications sync this overlay`,
      });
  }
  // Steps run in order: a lower wave must never sit in a later step than a higher wave.
  for (const a of planned) {
    for (const b of planned) {
      if (a.applicationSet !== b.applicationSet || a.step < 0 || b.step < 0) continue;
      const [wa, wb] = [Number(a.labels['wave']), Number(b.labels['wave'])];
      if ((wa < wb && a.step >= b.step) || (wa === wb && a.step !== b.step && a.name < b.name)) {
        findings.push({
          rule: 'apps/step-order',
          severity: 'error',
          object: `Application ${a.name}`,
          message: `wave ${wa} is in step ${a.step + 1} but ${b.name} (wave ${wb}) is in step ${b.step + 1}: steps must follow the catalog's wave order`,
        });
      }
    }
  }
  findings.push(...sharedFindings(planned, tree));
  if (!project) findings.push({ rule: 'apps/project-missing', severity: 'error', object: 'apps/project.yaml', message: 'no AppProject' });
  else {
    // Scope is the kind's, not the manifest's: a namespaced object may leave its namespace to the destination.
    const rendered = tree.apps.flatMap((a) => a.objects);
    const scopes = definedScopes(rendered);
    findings.push(...kindFindings(project, 'clusterResourceWhitelist', kindsOf(rendered.filter((o) => !isNamespaced(o, scopes)))));
    findings.push(...kindFindings(project, 'namespaceResourceWhitelist', kindsOf(rendered.filter((o) => isNamespaced(o, scopes)))));
  }
  return findings;
}
