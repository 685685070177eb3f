import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { openRenderCache } from '../../tools/render/cache.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { committedCopy, edit } from '../support/git.ts';

let real: Kustomize;
beforeAll(async () => {
  real = await findKustomize();
});

const repository = (): Promise<string> => committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });

/** The report of diffing the working tree against HEAD, with the render cache of `root` or none. */
const reportOf = async (root: string, cached: boolean) =>
  (await diffRefs(root, real, 'HEAD', undefined, cached ? { cache: openRenderCache(root) } : {})).report;

describe("the base commit's apps/ kept for a working tree that leaves apps/ alone", () => {
  it('reports what reading both sides reports, from the kept answers, and reads apps/ again once a change touches it', async () => {
    // GIVEN a working tree that changes an overlay (a replica count) and nothing under apps/
    const root = await repository();
    appendFileSync(join(root, 'overlays/prod/loki/kustomization.yaml'), '# a comment\n');
    edit(root, 'overlays/dev/grafana/kustomization.yaml', 'resources:', 'commonLabels:\n  team: observability\nresources:');
    // WHEN it is diffed twice with the cache (the first keeps the base's apps/, the second reads what was kept)
    const uncached = await reportOf(root, false);
    expect(await reportOf(root, true)).toEqual(uncached);
    const tables = join(root, '.cache/render/apps');
    expect(readdirSync(tables)).toHaveLength(1);
    // THEN the second report is the one read from both sides, Argo CD facts included
    expect(await reportOf(root, true)).toEqual(uncached);
    expect(uncached.changes.some((change) => change.env === 'dev' && change.component === 'grafana')).toBe(true);
    // AND what was kept is what the report is made from: a flag written into the table shows (it is read, not recomputed)
    const file = join(tables, readdirSync(tables)[0] ?? '');
    const table = JSON.parse(readFileSync(file, 'utf8'));
    table.applications.flags.push({ severity: 'warning', rule: 'kept-table-read', message: 'read from the kept table' });
    writeFileSync(file, JSON.stringify(table));
    expect((await reportOf(root, true)).flags.map((flag) => flag.rule)).toContain('kept-table-read');
    // WHEN a change touches apps/ (an Application's wave)
    edit(root, 'apps/dev.applicationset.yaml', 'wave: "3"', 'wave: "4"');
    // THEN apps/ is read on both sides again: the Application change is reported, the kept table's flag is not
    const touched = await reportOf(root, true);
    expect(touched).toEqual(await reportOf(root, false));
    expect(touched.applications?.applications.length).toBeGreaterThan(0);
    expect(touched.flags.map((flag) => flag.rule)).not.toContain('kept-table-read');
  });

  it('a damaged table is not read', async () => {
    const root = await repository();
    appendFileSync(join(root, 'overlays/prod/loki/kustomization.yaml'), '# a comment\n');
    const uncached = await reportOf(root, false);
    expect(await reportOf(root, true)).toEqual(uncached);
    const tables = join(root, '.cache/render/apps');
    const file = join(tables, readdirSync(tables)[0] ?? '');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), facts: 'none' }));
    expect(await reportOf(root, true)).toEqual(uncached);
    expect(existsSync(file)).toBe(true);
  });

  it('a file git ignores under apps/ is on neither side, kept or not: the base keeps the waves its commit holds', async () => {
    // GIVEN a working tree that changes an overlay, and an Application file under apps/ that git ignores (excluded locally)
    const root = await repository();
    edit(root, 'overlays/dev/grafana/kustomization.yaml', 'resources:', 'commonLabels:\n  team: observability\nresources:');
    writeFileSync(join(root, '.git/info/exclude'), 'apps/local.yaml\n');
    const committed = readFileSync(join(root, 'apps/dev.applicationset.yaml'), 'utf8');
    const local = committed
      .replace('name: observability-dev', 'name: observability-dev-local')
      .replace(/(component: grafana\n\s+wave: )"3"/, '$1"0"');
    expect(local).toContain('wave: "0"');
    writeFileSync(join(root, 'apps/local.yaml'), local);
    // WHEN it is diffed without the cache, and twice with it (the second reads the kept base's apps/)
    const uncached = await reportOf(root, false);
    const [first, second] = [await reportOf(root, true), await reportOf(root, true)];
    // THEN every report is the one of the working tree without the ignored file (a commit of it would not hold it)
    rmSync(join(root, 'apps/local.yaml'));
    const without = await reportOf(root, false);
    expect(uncached).toEqual(without);
    expect(first).toEqual(without);
    expect(second).toEqual(without);
  });
});
