import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { CHECK_CACHE_DIR, checkKey, CheckCache, openCheckCache } from '../../tools/check/result-cache.ts';
import { checkRepository, type CheckReport } from '../../tools/check/repository.ts';
import { openRenderCache } from '../../tools/render/cache.ts';
import { findKustomize } from '../../tools/render/kustomize.ts';
import { PROGRAMS_BIN_DIR } from '../../tools/upstream/programs.ts';
import { committedCopy, scratch } from '../support/git.ts';

const kustomize = await findKustomize();
const repository = (): Promise<string> =>
  committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\nnode_modules/\ntest/upstream/.bin/\n' });
const check = (root: string, fresh = false) =>
  checkRepository(root, catalog, kustomize, { cache: openRenderCache(root), reports: openCheckCache(root), fresh });
const RETENTION = 'overlays/prod/loki/patch-configmap-loki-config.yaml';

describe("check's kept reports", () => {
  it('replay the report of an unchanged repository, and check again after any change or when asked', async () => {
    // GIVEN a repository checked once
    const root = await repository();
    const first = await check(root);
    expect(first.replayedFrom).toBeUndefined();
    expect(first.report.overlays).toBe(10);
    expect(first.report.stale.stale).toEqual([]);
    // WHEN nothing changed THEN the same report is replayed, saying when it was made
    const index = (): string => String(statSync(join(root, '.git/index'), { bigint: true }).mtimeNs);
    const indexBefore = index();
    const replayed = await check(root);
    expect(replayed.replayedFrom).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(replayed.report).toEqual(first.report);
    // git's status ran on a copy of the index kept beside the reports; the index itself was not written
    expect(readdirSync(join(root, CHECK_CACHE_DIR)).filter((name) => /^index-[0-9a-f]+$/.test(name))).toHaveLength(1);
    expect(index()).toBe(indexBefore);
    // WHEN a generated file is edited THEN the check runs again and finds it stale
    const original = readFileSync(join(root, RETENTION), 'utf8');
    writeFileSync(join(root, RETENTION), original.replace('retention_period: 720h', 'retention_period: 1440h'));
    const edited = await check(root);
    expect(edited.replayedFrom).toBeUndefined();
    expect(edited.report.stale.stale.map((s) => s.path)).toEqual([RETENTION]);
    expect((await check(root)).report).toEqual(edited.report);
    // WHEN the edit is undone THEN the first report is replayed again; --fresh checks anyway
    writeFileSync(join(root, RETENTION), original);
    expect((await check(root)).replayedFrom).toBe(replayed.replayedFrom);
    const fresh = await check(root, true);
    expect(fresh.replayedFrom).toBeUndefined();
    expect(fresh.report).toEqual(first.report);
  });

  it('keep nothing when a file changed while the check ran, or when an overlay did not render', async () => {
    // GIVEN a repository whose file is edited while its overlays render
    const root = await repository();
    const readme = readFileSync(join(root, 'apps/README.md'), 'utf8');
    let edits = 0;
    const onProgress = (): void => void (edits++ === 0 && appendFileSync(join(root, 'apps/README.md'), 'edited while checking\n'));
    await checkRepository(root, catalog, kustomize, { cache: openRenderCache(root), reports: openCheckCache(root), onProgress });
    // WHEN the edit is undone THEN the next run checks again: what the first read may be of neither state
    expect(edits).toBeGreaterThan(0);
    writeFileSync(join(root, 'apps/README.md'), readme);
    expect((await check(root)).replayedFrom).toBeUndefined();
    // GIVEN an overlay that does not render THEN its error is never replayed
    appendFileSync(join(root, 'overlays/dev/loki/kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    expect((await check(root)).renderError?.message).toContain('overlays/dev/loki');
    const again = await check(root);
    expect(again.replayedFrom).toBeUndefined();
    expect(again.renderError).toBeDefined();
  });

  it('read nothing git ignores: an ignored file in an overlay or among the workflows is no finding, and replays', async () => {
    // GIVEN a repository that ignores *.log and a local workflow, checked once
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n*.log\n' });
    expect((await check(root)).report.findings).toEqual([]);
    // WHEN an ignored file appears in an overlay and an ignored workflow beside the others
    writeFileSync(join(root, 'overlays/dev/loki/debug.log'), 'x\n');
    mkdirSync(join(root, '.github/workflows'), { recursive: true });
    writeFileSync(join(root, '.git/info/exclude'), 'local.yml\n');
    writeFileSync(
      join(root, '.github/workflows/local.yml'),
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n',
    );
    // THEN neither is read, fresh or replayed: git never commits them, so Argo CD and GitHub never see them
    const replayed = await check(root);
    expect(replayed.replayedFrom).toBeDefined();
    const fresh = await check(root, true);
    expect(fresh.report).toEqual(replayed.report);
    expect(fresh.report.findings).toEqual([]);
    // WHEN the same files are no longer ignored THEN they are a foreign file and a workflow with findings
    writeFileSync(join(root, '.gitignore'), '.cache/\n');
    writeFileSync(join(root, '.git/info/exclude'), '');
    const seen = await check(root);
    expect(seen.replayedFrom).toBeUndefined();
    const rules = seen.report.findings.map((f) => `${f.rule} ${f.object}`);
    expect(rules).toContain('generate/foreign-file overlays/dev/loki/debug.log');
    expect(rules.some((r) => r.startsWith('workflow/') && r.includes('local.yml'))).toBe(true);
  });

  it('are keyed by the catalog, kustomize, the installed packages and the upstream programs as well as the tree', async () => {
    const root = await repository();
    const key = await checkKey(root, catalog, kustomize);
    expect(await checkKey(root, catalog, kustomize)).toBe(key);
    const others = [
      await checkKey(root, { ...catalog, repoURL: 'https://example.invalid/other.git' }, kustomize),
      await checkKey(root, catalog, { ...kustomize, version: 'v0.0.1' }),
    ];
    mkdirSync(join(root, 'node_modules'));
    writeFileSync(join(root, 'node_modules/.package-lock.json'), '{}');
    others.push(await checkKey(root, catalog, kustomize));
    mkdirSync(join(root, PROGRAMS_BIN_DIR), { recursive: true });
    writeFileSync(join(root, PROGRAMS_BIN_DIR, 'alloy'), 'built');
    others.push(await checkKey(root, catalog, kustomize));
    expect(new Set([key, ...others]).size).toBe(5);
    // A package below the top of a workspace: its packages are installed at the top, and a reinstall there counts.
    mkdirSync(join(root, 'gitops'));
    const below = await checkKey(join(root, 'gitops'), catalog, kustomize);
    writeFileSync(join(root, 'node_modules/.package-lock.json'), '{ "reinstalled": true }');
    expect(await checkKey(join(root, 'gitops'), catalog, kustomize)).not.toBe(below);
    // Outside git nothing is known to be unchanged.
    expect(await checkKey(scratch('obs-no-git-'), catalog, kustomize)).toBeUndefined();
  });

  it('are the newest sixteen (and temporaries younger than a day), and a directory that cannot be written is a warning', async () => {
    const root = scratch('obs-reports-');
    const reports = openCheckCache(root);
    const report: CheckReport = {
      stale: { stale: [], foreign: [] },
      findings: [],
      honoured: [],
      summary: [],
      upstreamSkipped: [],
      overlays: 0,
    };
    for (let i = 0; i < 20; i++) {
      const key = String(i).padStart(64, '0');
      expect(await reports.put(key, { checkedAt: `t${i}`, report })).toBeUndefined();
      // Written a second apart, oldest first.
      utimesSync(join(root, CHECK_CACHE_DIR, `${key}.json`), 1_000_000 + i, 1_000_000 + i);
    }
    // A killed run's temporary from long ago, and one being written now by another run.
    const stale = join(root, CHECK_CACHE_DIR, 'x.json.1.aa.tmp');
    writeFileSync(stale, '{');
    utimesSync(stale, 1_000_000, 1_000_000);
    writeFileSync(join(root, CHECK_CACHE_DIR, 'y.json.2.bb.tmp'), '{');
    await reports.put('f'.repeat(64), { checkedAt: 'last', report });
    const all = readdirSync(join(root, CHECK_CACHE_DIR)).sort();
    expect(all.filter((name) => name.endsWith('.tmp'))).toEqual(['y.json.2.bb.tmp']);
    const kept = all.filter((name) => name.endsWith('.json'));
    expect(kept).toHaveLength(16);
    expect(kept).not.toContain(`${String(4).padStart(64, '0')}.json`);
    expect(kept).toContain(`${String(5).padStart(64, '0')}.json`);
    expect(reports.get('f'.repeat(64))?.checkedAt).toBe('last');
    // A file where the directory should be.
    const blocked = new CheckCache(join(root, 'file'));
    writeFileSync(join(root, 'file'), '');
    expect(await blocked.put('a'.repeat(64), { checkedAt: 'x', report })).toMatch(/file: the check's report could not be kept .*delete it/);
  });
});
