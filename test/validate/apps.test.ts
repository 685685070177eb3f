import { describe, expect, it } from 'vitest';
import { argoObjects } from '../../tools/argocd/app-files.ts';
import { readOutputTree } from '../../tools/generate/disk.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { appsFindings } from '../../tools/validate/apps.ts';
import { REPO_ROOT, renderCommitted } from '../support/repo.ts';
import { sharedComponents, syncSteps } from '../support/catalog.ts';

type AppSetSpec = {
  generators: { list: { elements: Record<string, string>[] } }[];
  strategy: { rollingSync: { steps: unknown[] } };
  template: { metadata: { name: string } };
};
const spec = (o: KubeObject): AppSetSpec => o['spec'] as AppSetSpec;

describe('Argo CD objects against the rendered overlays', async () => {
  const tree = await renderCommitted();
  const committed = argoObjects(await readOutputTree(REPO_ROOT));
  const mutate = (change: (objects: KubeObject[]) => void): ReturnType<typeof appsFindings> => {
    const objects = structuredClone(committed);
    change(objects);
    return appsFindings(objects, tree);
  };
  const prodSet = (objects: KubeObject[]): KubeObject => objects.find((o) => o.metadata.name === 'observability-prod') as KubeObject;
  const rules = (findings: ReturnType<typeof appsFindings>): string[] => [...new Set(findings.map((f) => f.rule))];

  it('passes for the committed tree: one Application per overlay, steps in wave order, exact whitelist', () => {
    expect(appsFindings(committed, tree)).toEqual([]);
  });

  it('finds an object two Applications deploy to one cluster, whether or not its manifest names the namespace', () => {
    // GIVEN prod's Loki overlay also renders Grafana's claim, without a namespace (the destination supplies it)
    const grafana = tree.apps.find((a) => a.dir === 'overlays/prod/grafana');
    const claim = grafana?.objects.find((o) => o.kind === 'PersistentVolumeClaim') as KubeObject;
    const { namespace: _namespace, ...metadata } = claim.metadata;
    const apps = tree.apps.map((a) => (a.dir === 'overlays/prod/loki' ? { ...a, objects: [...a.objects, { ...claim, metadata }] } : a));
    // WHEN validated
    const findings = appsFindings(committed, { apps });
    // THEN one error names both Applications
    expect(findings.map((f) => `${f.rule} ${f.object}: ${f.message.split(' for ')[0]}`)).toEqual([
      'apps/shared-object PersistentVolumeClaim observability/grafana-data: rendered by Applications prod-grafana, prod-loki',
    ]);
  });

  it('finds a step list that misses an Application', () => {
    // GIVEN prod's last step (its highest wave) removed
    const findings = mutate((objects) => void spec(prodSet(objects)).strategy.rollingSync.steps.pop());
    // THEN every Application of that wave is reported as never syncing
    expect(findings.filter((f) => f.rule === 'apps/step-coverage').map((f) => f.object)).toEqual(
      (syncSteps('prod').at(-1) ?? []).map((c) => `Application prod-${c}`),
    );
  });

  it('finds steps out of wave order', () => {
    const findings = mutate((objects) => void spec(prodSet(objects)).strategy.rollingSync.steps.reverse());
    expect(rules(findings)).toEqual(['apps/step-order']);
  });

  it('finds an Application whose overlay is missing', () => {
    const findings = mutate((objects) => void spec(prodSet(objects)).generators[0]?.list.elements.push({ component: 'tempo', wave: '3' }));
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'apps/missing-overlay', object: 'Application prod-tempo' }));
  });

  it('finds an overlay no Application syncs', () => {
    const findings = mutate((objects) => {
      const elements = spec(prodSet(objects)).generators[0]?.list.elements ?? [];
      elements.splice(
        elements.findIndex((e) => e['component'] === 'grafana'),
        1,
      );
    });
    expect(findings).toEqual([expect.objectContaining({ rule: 'apps/unmanaged-overlay', object: 'overlays/prod/grafana' })]);
  });

  it('finds a cluster-scoped kind that is not whitelisted, and a whitelisted kind nothing renders', () => {
    const findings = mutate((objects) => {
      const project = objects.find((o) => o.kind === 'AppProject') as KubeObject;
      const whitelist = (project['spec'] as { clusterResourceWhitelist: { group: string; kind: string }[] }).clusterResourceWhitelist;
      whitelist.splice(
        whitelist.findIndex((k) => k.kind === 'PriorityClass'),
        1,
        { group: 'storage.k8s.io', kind: 'StorageClass' },
      );
    });
    expect(findings.map((f) => [f.rule, f.message.split(' ')[2]])).toEqual([
      ['apps/kind-not-whitelisted', 'scheduling.k8s.io/PriorityClass'],
      ['apps/kind-whitelisted-unused', 'storage.k8s.io/StorageClass'],
    ]);
  });

  it('finds two Applications with one name', () => {
    const findings = mutate((objects) => {
      spec(prodSet(objects)).template.metadata.name = 'dev-{{.component}}';
    });
    expect(findings.filter((f) => f.rule === 'apps/duplicate-application')).toHaveLength(sharedComponents('dev', 'prod').length);
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'apps/duplicate-application', object: 'Application dev-loki' }));
  });
});
