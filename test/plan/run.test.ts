import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { CatalogError } from '../../tools/catalog/validate.ts';
import { planRepository } from '../../tools/plan/run.ts';
import { REPO_ROOT } from '../support/repo.ts';

describe('planRepository', () => {
  it("plans the committed repository with the catalog's environments", async () => {
    const plan = await planRepository(REPO_ROOT, catalog);
    expect(new Set(plan.applications.map((a) => a.labels['env']))).toEqual(new Set(catalog.environments.map((e) => e.name)));
  });

  it('refuses a catalog that generate would refuse, rather than describing part of it', async () => {
    // GIVEN the catalog with a misspelt component in its first environment
    const [first, ...rest] = catalog.environments as [Environment, ...Environment[]];
    const misspelt = { ...first, components: [...first.components, 'grafanna'] } as unknown as Environment;
    // WHEN it is planned / THEN the catalog's own error names the environment and the field
    const planning = planRepository(REPO_ROOT, { ...catalog, environments: [misspelt, ...rest] });
    await expect(planning).rejects.toBeInstanceOf(CatalogError);
    await expect(planning).rejects.toThrow(/components: unknown component "grafanna"/);
  });
});
