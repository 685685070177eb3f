import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOutputTree } from '../../tools/generate/disk.ts';
import { yamlHeader } from '../../tools/generate/layout.ts';
import { compareWithDisk } from '../../tools/generate/stale.ts';
import { recover, writeTree, WriteError } from '../../tools/generate/write.ts';

const gen = (body: string): string => `${yamlHeader('tools/components/test.ts')}${body}\n`;
const OLD = new Map([
  ['base/a/kustomization.yaml', gen('resources: [x.yaml]')],
  ['base/a/x.yaml', gen('old: x')],
  ['base/a/gone.yaml', gen('old: gone')],
  ['overlays/dev/a/kustomization.yaml', gen('old: overlay')],
]);
const NEW = new Map([
  ['base/a/kustomization.yaml', gen('resources: [x.yaml, y.yaml]')],
  ['base/a/x.yaml', gen('new: x')],
  ['base/a/y.yaml', gen('new: y')],
  ['overlays/dev/a/kustomization.yaml', gen('new: overlay')],
  ['overlays/prod/a/kustomization.yaml', gen('new: prod')],
]);

const roots: string[] = [];
function repo(files: ReadonlyMap<string, string>, extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'obs-write-'));
  roots.push(root);
  for (const [path, text] of [...files, ...Object.entries(extra)]) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('writeTree', () => {
  it('writes what changed, deletes generated files no longer generated, and leaves foreign files alone', async () => {
    // GIVEN the old tree plus a hand-written file and a file outside the output directories
    const root = repo(OLD, { 'base/a/NOTES.txt': 'mine', 'README.md': 'top' });
    // WHEN the new tree is written
    const result = await writeTree(root, NEW);
    // THEN disk holds the new tree plus the foreign files, untouched
    const disk = await readOutputTree(root);
    expect(Object.fromEntries(disk)).toEqual({ ...Object.fromEntries(NEW), 'base/a/NOTES.txt': 'mine' });
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('top');
    expect(result.deleted).toEqual(['base/a/gone.yaml']);
    expect(result.written.sort()).toEqual([...NEW.keys()].sort());
    expect(existsSync(join(root, '.generate'))).toBe(false);
  });

  it('refuses to overwrite a file it did not generate, and writes nothing', async () => {
    const root = repo(OLD, { 'overlays/prod/a/kustomization.yaml': 'hand: written\n' });
    await expect(writeTree(root, NEW)).rejects.toThrow(WriteError);
    await expect(writeTree(root, NEW)).rejects.toThrow(/^overlays\/prod\/a\/kustomization\.yaml: exists and was not generated/);
    expect(Object.fromEntries(await readOutputTree(root))).toEqual({
      ...Object.fromEntries(OLD),
      'overlays/prod/a/kustomization.yaml': 'hand: written\n',
    });
  });

  it.each([1, 2, 3, 5, 7])('killed after apply step %i: the next run completes the new tree', async (step) => {
    // GIVEN a write killed (SIGKILL) part-way through
    const root = repo(OLD);
    const treeFile = join(root, 'new.json');
    writeFileSync(treeFile, JSON.stringify(Object.fromEntries(NEW)));
    const fixture = new URL('../fixtures/write-and-die.ts', import.meta.url).pathname;
    const child = spawnSync(process.execPath, [fixture, root, treeFile, String(step)]);
    expect(child.signal).toBe('SIGKILL');
    // WHEN the next generate (or check) recovers
    await recover(root);
    // THEN the tree is the new one, whole
    expect(Object.fromEntries(await readOutputTree(root))).toEqual(Object.fromEntries(NEW));
  });

  it('killed before its commit point: the old tree is intact, byte for byte', async () => {
    // GIVEN a write that staged files but never committed (staging left behind, no journal)
    const root = repo(OLD, { '.generate/staging/base/a/x.yaml': gen('half: written') });
    // WHEN recovered THEN the old tree stands and the staging is gone
    expect(await recover(root)).toBe(false);
    expect(Object.fromEntries(await readOutputTree(root))).toEqual(Object.fromEntries(OLD));
    expect(existsSync(join(root, '.generate'))).toBe(false);
  });
});

describe('stale detection', () => {
  it('reports changed, missing and orphaned generated files with a diff, and foreign files apart', () => {
    // GIVEN a disk tree that drifted from what the catalog generates
    const disk = new Map(NEW);
    disk.set('base/a/x.yaml', gen('edited: by hand'));
    disk.delete('base/a/y.yaml');
    disk.set('base/a/old.yaml', gen('left: behind'));
    disk.set('base/a/handmade.yaml', 'kind: ConfigMap\n');
    // WHEN compared
    const report = compareWithDisk(NEW, disk);
    // THEN each problem is named, with a unified diff
    expect(report.stale.map((s) => [s.path, s.problem])).toEqual([
      ['base/a/old.yaml', 'orphaned'],
      ['base/a/x.yaml', 'changed'],
      ['base/a/y.yaml', 'missing'],
    ]);
    expect(report.stale[1]?.diff).toContain('-edited: by hand');
    expect(report.stale[1]?.diff).toContain('+new: x');
    expect(report.foreign).toEqual(['base/a/handmade.yaml']);
  });

  it('finds nothing when disk equals the generated tree', () => {
    expect(compareWithDisk(NEW, new Map(NEW))).toEqual({ stale: [], foreign: [] });
  });
});
