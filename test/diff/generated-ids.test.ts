import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { codeState, generatedIds, keptCodeState } from '../../tools/diff/generated-ids.ts';
import { staleFiles } from '../../tools/diff/trees.ts';
import { readOutputTree } from '../../tools/generate/disk.ts';
import { generate } from '../../tools/generate/index.ts';
import { stalePaths } from '../../tools/generate/stale.ts';
import { openWorkingTree } from '../../tools/git/checkout.ts';
import type { ObjectFormat } from '../../tools/git/source.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { committedCopy, scratch } from '../support/git.ts';

const TABLE = 'generated-ids.json';

/** A copy of the running code's tools/ beside a copy of npm's record of its packages, in a folder `top`. */
function codeCopy(): { top: string; tools: string } {
  const top = scratch('obs-code-');
  const tools = join(top, 'tools');
  cpSync(join(REPO_ROOT, 'tools'), tools, { recursive: true });
  mkdirSync(join(top, 'node_modules'));
  copyFileSync(join(REPO_ROOT, 'node_modules/.package-lock.json'), join(top, 'node_modules/.package-lock.json'));
  return { top, tools };
}

/** The stale check as diff runs it on the working tree, its generated ids kept in `cacheDir` (none: the generator runs). */
async function check(root: string, cacheDir?: string, of = catalog, format: ObjectFormat = 'sha1') {
  return (await staleFiles(root, (await openWorkingTree(root, format)).source, format, { catalog: of, ...(cacheDir ? { cacheDir } : {}) }))
    .stale;
}

/** The stale check reading every file and running the generator: the oracle. */
const byReading = async (root: string, of = catalog): Promise<string[]> => stalePaths(generate(of), await readOutputTree(root));

/** The kept table as written. */
const readTable = (dir: string) => JSON.parse(readFileSync(join(dir, TABLE), 'utf8')) as { key: string; ids: Record<string, string> };

/** Replaces the kept id of `path` with one no file has, under the same key: a run that reads the table then finds `path` stale. */
function poison(dir: string, path: string): void {
  const table = readTable(dir);
  expect(table.ids[path]).toBeDefined();
  writeFileSync(join(dir, TABLE), JSON.stringify({ ...table, ids: { ...table.ids, [path]: 'f'.repeat(table.ids[path]?.length ?? 40) } }));
}

/** A working tree with a staged edit, an unstaged one, a missing generated file and an orphan. */
async function changedTree(): Promise<string> {
  const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
  appendFileSync(join(root, 'base/loki/service-loki.yaml'), '# staged\n');
  await simpleGit(root).add('base/loki/service-loki.yaml');
  appendFileSync(join(root, 'overlays/prod/grafana/kustomization.yaml'), '# not staged\n');
  rmSync(join(root, 'apps/project.yaml'));
  copyFileSync(join(root, 'base/loki/service-loki.yaml'), join(root, 'base/loki/service-loki-old.yaml'));
  return root;
}

/** A copy of the catalog whose prod Loki keeps logs for `hours`. */
function withProdRetention(hours: number) {
  const environments = catalog.environments.map((env): Environment =>
    env.name === 'prod' ? { ...env, loki: { ...env.loki, retentionHours: hours } } : env,
  );
  return { ...catalog, environments };
}

describe("the generated files' ids kept between runs", () => {
  it('answers a second run from the table as the generator answers the first: same stale files, no generator needed', async () => {
    // GIVEN a working tree with files changed every way, and an empty cache directory
    const root = await changedTree();
    const cache = join(scratch('obs-ids-'), 'render');
    const expected = await byReading(root);
    expect(expected).toEqual([
      'apps/project.yaml',
      'base/loki/service-loki-old.yaml',
      'base/loki/service-loki.yaml',
      'overlays/prod/grafana/kustomization.yaml',
    ]);
    // WHEN checked twice with the cache: the first run generates and keeps the ids, the second reads them
    expect(await check(root, cache)).toEqual(expected);
    expect(existsSync(join(cache, TABLE))).toBe(true);
    expect(await check(root, cache)).toEqual(expected);
    // THEN the second answer came from the table: an id changed in it (same key) makes that file stale
    poison(cache, 'base/minio/kustomization.yaml');
    expect(await check(root, cache)).toEqual([...expected, 'base/minio/kustomization.yaml'].sort());
    // AND without a cache directory the generator answers, nothing kept
    expect(await check(root)).toEqual(expected);
  });

  it('misses for another catalog: a changed retention is generated again, and its files found stale', async () => {
    // GIVEN a committed tree, checked once with the cache (the table is the current catalog's), its table then poisoned
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    const cache = scratch('obs-ids-');
    expect(await check(root, cache)).toEqual([]);
    const first = readTable(cache).key;
    poison(cache, 'overlays/prod/loki/kustomization.yaml');
    // WHEN a catalog whose prod Loki keeps logs longer is checked
    const longer = withProdRetention(45 * 24);
    const stale = await check(root, cache, longer);
    // THEN the generator ran for it: the files the retention changes are stale, as reading every file finds
    expect(stale).toEqual(await byReading(root, longer));
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.every((path) => path.startsWith('overlays/prod/loki/'))).toBe(true);
    // AND its ids replaced the table (only the newest is kept), under another key
    expect(readTable(cache).key).not.toBe(first);
    expect(readTable(cache).ids).toEqual(Object.fromEntries(await generatedIds(longer, 'sha1')));
  });

  it('misses for other code: a changed file of tools/ (the same code elsewhere hits), other packages; keeps nothing without their record', async () => {
    // GIVEN a copy of the running code's tools/ beside a copy of npm's record of its packages
    const { top, tools } = codeCopy();
    // THEN the same code elsewhere has the same state
    expect(codeState(tools)).toBe(codeState());
    // AND a table kept under it is read back (poisoned, it answers with its poison)
    const cache = scratch('obs-ids-');
    const path = 'base/loki/kustomization.yaml';
    const right = (await generatedIds(catalog, 'sha1', cache, tools)).get(path);
    poison(cache, path);
    expect((await generatedIds(catalog, 'sha1', cache, tools)).get(path)).toBe('f'.repeat(40));
    // WHEN one file of the code changes by a comment
    appendFileSync(join(tools, 'generate/layout.ts'), '// changed\n');
    // THEN its state differs and the table is not read: the generator answers and its ids are kept
    expect(codeState(tools)).not.toBe(codeState());
    expect((await generatedIds(catalog, 'sha1', cache, tools)).get(path)).toBe(right);
    poison(cache, path);
    // AND another record of the installed packages misses too
    appendFileSync(join(top, 'node_modules/.package-lock.json'), '\n');
    expect((await generatedIds(catalog, 'sha1', cache, tools)).get(path)).toBe(right);
    // AND without a record the packages are unknown: no state, nothing read or kept
    rmSync(join(top, 'node_modules'), { recursive: true });
    expect(codeState(tools)).toBeUndefined();
    const none = scratch('obs-ids-');
    expect((await generatedIds(catalog, 'sha1', none, tools)).get(path)).toBe(right);
    expect(existsSync(join(none, TABLE))).toBe(false);
  });

  it('ignores a damaged table, and one kept for the other object format', async () => {
    const root = await changedTree();
    const expected = await byReading(root);
    const cache = scratch('obs-ids-');
    // GIVEN a table that is not JSON, then one whose ids are not ids, then sha1 ids under a sha256 key
    writeFileSync(join(cache, TABLE), '{"key":');
    expect(await check(root, cache)).toEqual(expected);
    const table = readTable(cache);
    writeFileSync(join(cache, TABLE), JSON.stringify({ ...table, ids: { ...table.ids, 'apps/project.yaml': 42 } }));
    expect(await check(root, cache)).toEqual(expected);
    expect(readTable(cache)).toEqual(table);
    // WHEN the kept sha1 table is asked for sha256 ids
    const sha256 = await generatedIds(catalog, 'sha256', cache);
    // THEN they are sha256 ids, generated again and kept in place of the sha1 table
    expect([...sha256.values()].every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(readTable(cache).ids).toEqual(Object.fromEntries(sha256));
    // AND a sha1 table under the sha256 table's key is not read either
    writeFileSync(join(cache, TABLE), JSON.stringify({ key: readTable(cache).key, ids: table.ids }));
    expect(await generatedIds(catalog, 'sha256', cache)).toEqual(sha256);
  });

  it("keeps sha256 ids that are git's own, in a sha256 repository", async () => {
    // GIVEN the generated tree committed in a sha256 repository
    const root = scratch('obs-sha256-');
    for (const dir of ['base', 'overlays', 'apps']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
    writeFileSync(join(root, '.gitignore'), '.cache/\n');
    const git = simpleGit(root);
    await git.raw(['init', '--object-format=sha256']);
    await git.addConfig('user.email', 'test@example.invalid').addConfig('user.name', 'test').add('.').commit('tree');
    const cache = join(root, '.cache/render');
    // WHEN checked twice with the cache
    expect(await check(root, cache, catalog, 'sha256')).toEqual([]);
    expect(await check(root, cache, catalog, 'sha256')).toEqual([]);
    // THEN the kept ids are the blob ids git's index holds for the generated files
    const staged = new Map(
      (await git.raw(['ls-files', '--stage']))
        .trim()
        .split('\n')
        .map((line) => [line.slice(line.indexOf('\t') + 1), line.split(' ')[1]] as const),
    );
    const kept = readTable(cache).ids;
    expect(Object.keys(kept).length).toBeGreaterThan(0);
    expect(Object.entries(kept).filter(([path, id]) => staged.get(path) !== id)).toEqual([]);
    // AND an edit is found from them
    appendFileSync(join(root, 'apps/project.yaml'), '# edited\n');
    expect(await check(root, cache, catalog, 'sha256')).toEqual(['apps/project.yaml']);
  });

  it('takes the code state kept for the same files as they were: any write to one, even at its size and times, is seen', async () => {
    // GIVEN a copy of the running code's tools/ and its packages record, and a cache folder
    const { tools } = codeCopy();
    const cache = scratch('obs-state-');
    // THEN the kept state is the code state, kept and read back (a poisoned record answers with its poison)
    expect(keptCodeState(tools, cache)).toBe(codeState(tools));
    const file = join(cache, 'code-state.json');
    const kept = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...kept, state: 'f'.repeat(64) }));
    expect(keptCodeState(tools, cache)).toBe('f'.repeat(64));
    // WHEN a file is rewritten with bytes of the same length, its modification time set back
    const layout = join(tools, 'generate/layout.ts');
    const { atime, mtime } = statSync(layout);
    const text = readFileSync(layout, 'utf8');
    writeFileSync(layout, text.replace('export', 'EXPORT'));
    utimesSync(layout, atime, mtime);
    // THEN the state is computed again, and is the new code's
    expect(keptCodeState(tools, cache)).toBe(codeState(tools));
    expect(keptCodeState(tools, cache)).not.toBe(codeState());
    // AND a damaged record is no state
    writeFileSync(file, '{');
    expect(keptCodeState(tools, cache)).toBe(codeState(tools));
  });
});
