import { describe, expect, it } from 'vitest';
import { diffApplications, fieldChanges, type ArgoFileObject } from '../../tools/diff/applications.ts';
import { applicationSet, appProject, rootApplication } from '../../tools/generate/apps.ts';
import { catalog } from '../../tools/catalog/index.ts';
import type { KubeObject } from '../../tools/kube/object.ts';

/**
 * The apps/ part of the diff on the generated Argo CD objects (tools/generate/apps.ts), changed the
 * way a pull request would change them.
 */
const envs = catalog.environments;
const env = (name: string) => {
  const found = envs.find((e) => e.name === name);
  if (!found) throw new Error(`catalog has no ${name}`);
  return found;
};

/** The committed apps/ as the diff reads it: each object with its file. */
function committed(): ArgoFileObject[] {
  return [
    { file: 'apps/bootstrap/root-application.yaml', object: rootApplication(catalog) },
    ...envs.map((e) => ({ file: `apps/${e.name}.applicationset.yaml`, object: applicationSet(catalog, e) })),
    { file: 'apps/project.yaml', object: appProject(catalog) },
  ];
}

type Editable = KubeObject & { spec: Record<string, any> };

/** The committed objects with one ApplicationSet (or the AppProject) edited in place. */
function edited(file: string, edit: (object: Editable) => void): ArgoFileObject[] {
  return committed().map((entry) => {
    if (entry.file !== file) return entry;
    const copy = structuredClone(entry.object) as Editable;
    edit(copy);
    return { file, object: copy };
  });
}

const flagLines = (flags: { severity: string; rule: string; env?: string; component?: string; message: string }[]) =>
  flags.map((f) => `${f.severity} ${f.rule} ${f.env ?? ''}/${f.component ?? ''}: ${f.message}`);

describe('diffApplications', () => {
  it('finds nothing when both sides are the committed objects', () => {
    expect(diffApplications(committed(), committed())).toEqual({ applications: [], objects: [], flags: [] });
  });

  it('a targetRevision in one ApplicationSet changes each of its Applications, with one flag naming them all', () => {
    // GIVEN dev's ApplicationSet on release-1
    const head = edited('apps/dev.applicationset.yaml', (o) => (o.spec.template.spec.source.targetRevision = 'release-1'));
    // WHEN compared
    const diff = diffApplications(committed(), head);
    // THEN every dev Application changes that one field, prod none, and the flag says the renders do not show it
    const dev = env('dev')
      .components.map((c) => `dev-${c}`)
      .sort();
    expect(diff.applications.map((a) => `${a.change} ${a.name}`)).toEqual(dev.map((name) => `changed ${name}`));
    expect(
      diff.applications.every(
        (a) =>
          a.fields.length === 1 &&
          a.fields[0]?.path === 'spec.source.targetRevision' &&
          a.fields[0].before === 'main' &&
          a.fields[0].after === 'release-1',
      ),
    ).toBe(true);
    expect(flagLines(diff.flags)).toEqual([
      `warning source-change dev/: source.targetRevision: main → release-1 (Applications ${dev.join(', ')}): the cluster gets what that source holds, which this diff's renders of the head do not show`,
    ]);
    expect(diff.objects).toEqual([]);
  });

  it('a removed ApplicationSet removes its Applications: a danger each, as the generated Applications carry the resources finalizer', () => {
    // GIVEN prod's ApplicationSet file deleted
    const head = committed().filter((entry) => entry.file !== 'apps/prod.applicationset.yaml');
    const diff = diffApplications(committed(), head);
    // THEN each prod Application is removed, with its wave, destination and finalizer shown
    const prod = env('prod')
      .components.map((c) => `prod-${c}`)
      .sort();
    expect(diff.applications.map((a) => `${a.change} ${a.name} ${a.madeBy}`)).toEqual(
      prod.map((name) => `removed ${name} ApplicationSet observability-prod`),
    );
    const loki = diff.applications.find((a) => a.name === 'prod-loki');
    expect(loki?.fields.map((f) => `${f.path}: ${f.before}`)).toEqual([
      'metadata.labels.wave: 2',
      'rollingSync.step: 3',
      'spec.project: observability',
      'spec.destination: {name: prod, namespace: observability}',
      'spec.source: {path: overlays/prod/loki, repoURL: https://github.com/example-org/observability-gitops.git, targetRevision: main}',
      'metadata.finalizers: [resources-finalizer.argocd.argoproj.io]',
    ]);
    expect(diff.flags.map((f) => `${f.severity} ${f.rule} ${f.env}/${f.component}`)).toEqual(
      prod.map((name) => `danger application-removed prod/${name.slice('prod-'.length)}`),
    );
    expect(diff.flags.find((f) => f.component === 'loki')?.message).toBe(
      'Application prod-loki removed (ApplicationSet observability-prod goes with apps/prod.applicationset.yaml, and the Applications it owns with it, in reverse RollingSync order): its resources-finalizer.argocd.argoproj.io finalizer makes Argo CD delete every resource it deployed (overlays/prod/loki → prod/observability) first, volumes and their data included',
    );
    // AND the ApplicationSet itself is shown removed, its settings listed but not its template again
    expect(diff.objects.map((o) => `${o.change} ${o.kind} ${o.name} ${o.file}`)).toEqual([
      'removed ApplicationSet observability-prod apps/prod.applicationset.yaml',
    ]);
    expect(diff.objects[0]?.fields.map((f) => f.path)).toContain('spec.strategy.deletionOrder');
    expect(diff.objects[0]?.fields.some((f) => f.path.startsWith('spec.template') || f.path.startsWith('spec.generators'))).toBe(false);
  });

  it('an element removed from a generator deletes that Application; without a finalizer and with preserveResourcesOnDeletion, its resources stay', () => {
    // GIVEN dev's MinIO element removed
    const drop = (o: Editable) =>
      (o.spec.generators[0].list.elements = o.spec.generators[0].list.elements.filter(
        (e: { component: string }) => e.component !== 'minio',
      ));
    const withFinalizer = diffApplications(committed(), edited('apps/dev.applicationset.yaml', drop));
    expect(flagLines(withFinalizer.flags)).toEqual([
      'danger application-removed dev/minio: Application dev-minio removed (ApplicationSet observability-dev no longer generates it, in reverse RollingSync order): its resources-finalizer.argocd.argoproj.io finalizer makes Argo CD delete every resource it deployed (overlays/dev/minio → dev/observability) first, volumes and their data included',
    ]);
    // AND GIVEN an ApplicationSet whose template has no finalizer and that preserves resources: the controller adds none
    const preserving = (o: Editable) => {
      delete o.spec.template.metadata.finalizers;
      o.spec.syncPolicy = { preserveResourcesOnDeletion: true };
    };
    const base = edited('apps/dev.applicationset.yaml', preserving);
    const head = edited('apps/dev.applicationset.yaml', (o) => {
      preserving(o);
      drop(o);
    });
    expect(flagLines(diffApplications(base, head).flags)).toEqual([
      'warning application-removed dev/minio: Application dev-minio removed (ApplicationSet observability-dev no longer generates it, in reverse RollingSync order): it has no resources finalizer, so what it deployed (overlays/dev/minio → dev/observability) stays in the cluster, no longer managed by Argo CD',
    ]);
    // AND without finalizers in the template but no preservation, the controller's default finalizer counts
    const defaulted = edited('apps/dev.applicationset.yaml', (o) => delete o.spec.template.metadata.finalizers);
    const dropped = edited('apps/dev.applicationset.yaml', (o) => {
      delete o.spec.template.metadata.finalizers;
      drop(o);
    });
    expect(diffApplications(defaulted, dropped).flags.map((f) => f.severity)).toEqual(['danger']);
  });

  it('flags a wave change, reordered RollingSync steps, a new destination, project and sync options', () => {
    // GIVEN prod's Loki in wave 3, dev's steps reversed, prod's cluster renamed, dev's project and sync options changed
    const head = committed().map((entry) => {
      const copy = structuredClone(entry.object) as Editable;
      if (entry.file === 'apps/prod.applicationset.yaml') {
        copy.spec.generators[0].list.elements.find((e: { component: string }) => e.component === 'loki').wave = '3';
        copy.spec.template.spec.destination = { name: 'prod-eu', namespace: 'observability' };
      }
      if (entry.file === 'apps/dev.applicationset.yaml') {
        copy.spec.strategy.rollingSync.steps.reverse();
        copy.spec.template.spec.project = 'default';
        copy.spec.template.spec.syncPolicy.syncOptions = ['ServerSideApply=true', 'Replace=true'];
      }
      return { file: entry.file, object: copy };
    });
    const diff = diffApplications(committed(), head);
    const lines = flagLines(diff.flags);
    // THEN the wave change names the Application and both waves
    expect(lines).toContain(
      'warning wave-order prod/loki: wave 2 → 3 (Application prod-loki): it now syncs in a different RollingSync step; check what it depends on is in an earlier wave',
    );
    // AND reversed steps move each dev Application whose step changed (platform 1 → 4, …)
    expect(lines.filter((l) => l.startsWith('warning wave-order dev/platform'))).toEqual([
      "warning wave-order dev/platform: RollingSync step 1 → 4 (Application dev-platform, wave 0): the ApplicationSet's steps are reordered, so it syncs before or after other Applications than it did",
    ]);
    // AND the new cluster is a danger, once for all prod Applications
    const prod = env('prod')
      .components.map((c) => `prod-${c}`)
      .sort();
    expect(lines).toContain(
      `danger destination-change prod/: destination cluster prod/observability → prod-eu/observability (Applications ${prod.join(', ')}): Argo CD creates its resources in the new cluster, empty volumes included; those in the old one are no longer tracked and stay there, unmanaged`,
    );
    expect(lines.find((l) => l.includes('project-change'))).toMatch(
      /^warning project-change dev\/: project observability → default \(Applications dev-/,
    );
    expect(lines.find((l) => l.includes('sync-policy'))).toMatch(
      /^warning sync-policy dev\/: syncPolicy\.syncOptions: \+ Replace=true; − PruneLast=true, FailOnSharedResource=true \(Applications dev-/,
    );
    // AND each changed Application lists its fields, the step among them
    expect(diff.applications.find((a) => a.name === 'dev-platform')?.fields.find((f) => f.path === 'rollingSync.step')).toEqual({
      path: 'rollingSync.step',
      before: '1',
      after: '4',
    });
  });

  it('shows AppProject changes field by field: a destination removed is a warning, a kind allowed is info', () => {
    // GIVEN the AppProject loses prod's destination and gains a cluster-scoped kind
    const head = edited('apps/project.yaml', (o) => {
      o.spec.destinations = o.spec.destinations.filter((d: { name: string }) => d.name !== 'prod');
      o.spec.clusterResourceWhitelist.push({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' });
    });
    const diff = diffApplications(committed(), head);
    expect(diff.applications).toEqual([]);
    expect(diff.objects).toEqual([
      {
        change: 'changed',
        kind: 'AppProject',
        name: 'observability',
        namespace: 'argocd',
        file: 'apps/project.yaml',
        fields: [
          { path: 'spec.clusterResourceWhitelist', added: ['{group: apiextensions.k8s.io, kind: CustomResourceDefinition}'] },
          { path: 'spec.destinations', removed: ['{name: prod, namespace: observability}'] },
        ],
      },
    ]);
    expect(flagLines(diff.flags)).toEqual([
      "info appproject-change /: clusterResourceWhitelist adds {group: apiextensions.k8s.io, kind: CustomResourceDefinition}: the project's Applications may deploy more",
      'warning appproject-change /: destinations loses {name: prod, namespace: observability}: a sync of an Application of the project that needs it fails',
    ]);
  });

  it('a Secret among the Argo CD objects (repository credentials) shows which keys change, never a value', () => {
    // GIVEN a repository Secret in the bootstrap whose password is rotated
    const repoSecret = (password: string): ArgoFileObject => ({
      file: 'apps/bootstrap/repository.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'repo-observability', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
        stringData: { url: 'https://github.com/example-org/observability-gitops.git', password },
      },
    });
    const diff = diffApplications(
      [...committed(), repoSecret('first-repo-password')],
      [...committed(), repoSecret('second-repo-password')],
    );
    // THEN one changed object naming the key, and neither value anywhere
    expect(diff.objects.map((o) => `${o.change} ${o.kind} ${o.name}: ${o.fields.map((f) => f.path).join(', ')}`)).toEqual([
      'changed Secret repo-observability: stringData.password',
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/first-repo-password|second-repo-password/);
  });

  it('compares values leaf by leaf, lists as sets unless only their order changes', () => {
    expect(fieldChanges({ a: { b: 1, c: [1, 2] } }, { a: { b: 2, c: [2, 1] }, d: 'x' })).toEqual([
      { path: 'a.b', before: '1', after: '2' },
      { path: 'a.c', before: '[1, 2]', after: '[2, 1]' },
      { path: 'd', after: 'x' },
    ]);
  });
});
