import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../tools/yaml.ts';
import { renderCommitted } from '../support/repo.ts';
import { overlayDirs } from '../support/catalog.ts';

describe('rendered overlays (golden files)', async () => {
  // GIVEN every committed overlay rendered by the real kustomize
  const tree = await renderCommitted();

  it('covers every environment and component of the catalog', () => {
    expect(tree.apps.map((a) => a.dir)).toEqual(overlayDirs());
  });

  it('keeps no golden file for an overlay the catalog no longer generates', () => {
    const expected = new Set(overlayDirs().map((dir) => `${dir.split('/').slice(1).join('-')}.yaml`));
    expect(readdirSync(new URL('__golden__/', import.meta.url)).filter((file) => !expected.has(file))).toEqual([]);
  });

  for (const app of tree.apps) {
    it(`${app.dir} renders as its golden file`, async () => {
      // THEN the render is byte-for-byte the reviewed golden file
      const text = app.objects.map((o) => toYaml(o)).join('---\n');
      await expect(text).toMatchFileSnapshot(`__golden__/${app.env}-${app.component}.yaml`);
    });
  }
});
