import { describe, expect, it } from 'vitest';
import { toYaml } from '../../tools/yaml.ts';
import { renderCommitted } from '../support/repo.ts';

describe('rendered overlays (golden files)', async () => {
  // GIVEN every committed overlay rendered by the real kustomize
  const tree = await renderCommitted();

  it('covers every environment and component of the catalog', () => {
    expect(tree.apps.map((a) => a.dir)).toEqual([
      'overlays/dev/alloy',
      'overlays/dev/grafana',
      'overlays/dev/loki',
      'overlays/dev/minio',
      'overlays/dev/platform',
      'overlays/prod/alloy',
      'overlays/prod/grafana',
      'overlays/prod/loki',
      'overlays/prod/minio',
      'overlays/prod/platform',
    ]);
  });

  for (const app of tree.apps) {
    it(`${app.dir} renders as its golden file`, async () => {
      // THEN the render is byte-for-byte the reviewed golden file
      const text = app.objects.map((o) => toYaml(o)).join('---\n');
      await expect(text).toMatchFileSnapshot(`__golden__/${app.env}-${app.component}.yaml`);
    });
  }
});
