import { describe, expect, it } from 'vitest';
import { expandApplicationSet, ExpandError } from '../../tools/argocd/expand.ts';
import { applicationSet } from '../../tools/generate/apps.ts';
import { catalog } from '../../tools/catalog/index.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { syncSteps } from '../support/catalog.ts';

describe('expandApplicationSet', () => {
  const prod = catalog.environments.find((e) => e.name === 'prod');
  if (!prod) throw new Error('catalog has no prod');
  const appset = applicationSet(catalog, prod);

  it('generates <env>-<component> Applications in sync order with their paths and destinations', () => {
    // WHEN prod's ApplicationSet is expanded
    const apps = expandApplicationSet(appset);
    // THEN one Application per component, ordered by RollingSync step (platform → MinIO → Loki → Alloy + Grafana)
    expect(apps.map((a) => [a.step + 1, a.name, a.path])).toEqual(
      syncSteps('prod').flatMap((components, step) => components.map((c) => [step + 1, `prod-${c}`, `overlays/prod/${c}`])),
    );
    const step = (component: string): number | undefined => apps.find((a) => a.name === `prod-${component}`)?.step;
    expect(['platform', 'minio', 'loki', 'alloy'].map(step)).toEqual([0, 1, 2, 3]);
    expect(step('grafana')).toBe(step('alloy'));
    const loki = apps.find((a) => a.name === 'prod-loki');
    expect(loki?.labels).toEqual({ env: 'prod', component: 'loki', wave: '2', 'app.kubernetes.io/part-of': 'observability-stack' });
    expect(loki?.destination).toEqual({ name: 'prod', namespace: 'observability' });
    expect(loki?.targetRevision).toBe('main');
  });

  it('refuses a template key the element lacks, as missingkey=error does', () => {
    const broken = structuredClone(appset) as KubeObject & { spec: { template: { metadata: { name: string } } } };
    broken.spec.template.metadata.name = 'prod-{{.app}}';
    expect(() => expandApplicationSet(broken)).toThrow(ExpandError);
    expect(() => expandApplicationSet(broken)).toThrow(/references \.app, which the generator element .* lacks \(missingkey=error\)/);
  });
});
