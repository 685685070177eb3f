import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sealed } from '../../tools/files.ts';
import { readWalks, walkOverlays, walksOf, writeWalks } from '../../tools/diff/walks.ts';
import { Changes } from '../../tools/git/changes.ts';
import { workingTree } from '../../tools/git/checkout.ts';
import { committedCopy, scratch } from '../support/git.ts';

describe('the base commit walks kept between runs', () => {
  it("keeps a walk's refused references, and a table whose references are damaged is not read (a refusal would be lost)", async () => {
    // GIVEN the walks of the repository's overlays, one of which refused a reference
    const root = await committedCopy(['base', 'overlays', 'apps']);
    const checkout = workingTree(root);
    const walks = await walkOverlays(checkout, await checkout.listOverlays(), new Map());
    const loki = walks.get('overlays/dev/loki');
    if (!loki) throw new Error('no walk of overlays/dev/loki');
    const refused = ['overlays/dev/loki/kustomization.yaml: https://example.invalid/x a remote reference'];
    walks.set('overlays/dev/loki', { ...loki, inputs: { ...loki.inputs, refused } });
    // WHEN they are kept and read back
    const cache = scratch('obs-walks-');
    const commit = 'c'.repeat(40);
    await writeWalks(cache, commit, walks);
    // THEN the refusal is read back
    expect(readWalks(cache, commit)?.get('overlays/dev/loki')?.inputs.refused).toEqual(refused);
    // AND a table whose references are damaged (a refusal not a string, an entry cut short, an overlay index past the
    // overlays) is not read, even sealed with its checksum
    const file = join(cache, 'walks', `${commit}.json`);
    const text = readFileSync(file, 'utf8');
    const table = JSON.parse(text.slice(text.indexOf('\n') + 1));
    const at = String(table.overlays.indexOf('overlays/dev/loki'));
    expect(table.references[at]).toEqual([[], refused]);
    for (const references of [
      { [at]: [[], [42]] },
      { [at]: [[]] },
      { [at]: 'refused' },
      { ...table.references, [table.overlays.length]: [[], []] },
    ]) {
      writeFileSync(file, sealed({ ...table, references }));
      expect(readWalks(cache, commit)).toBeUndefined();
    }
    writeFileSync(file, sealed(table));
    expect(readWalks(cache, commit)?.get('overlays/dev/loki')?.inputs.refused).toEqual(refused);
  });

  it('reads back what it kept, and nothing damaged, of another commit, or pruned', async () => {
    // GIVEN the walks of the repository's overlays, with every path each walk asked about
    const root = await committedCopy(['base', 'overlays', 'apps']);
    const checkout = workingTree(root);
    const walks = await walkOverlays(checkout, await checkout.listOverlays(), new Map());
    const loki = walks.get('overlays/dev/loki');
    expect(loki?.inputs.files).toContain('base/loki/kustomization.yaml');
    expect(loki?.asked).toEqual(
      expect.arrayContaining(['overlays/dev/loki/kustomization.yaml', 'base/loki', 'base/loki/statefulset-loki.yaml']),
    );
    // WHEN they are kept for a commit and read back
    const cache = scratch('obs-walks-');
    const commit = 'a'.repeat(40);
    await writeWalks(cache, commit, walks);
    // THEN they are the same walks, for that commit only
    const read = readWalks(cache, commit);
    for (const [dir, walk] of walks) {
      const kept = read?.get(dir);
      const inputs = { files: kept?.inputs.files, unresolved: kept?.inputs.unresolved, refused: kept?.inputs.refused };
      expect([dir, { inputs, asked: kept?.asked }]).toEqual([dir, walk]);
    }
    expect(read?.get('overlays/nowhere')).toBeUndefined();
    // AND they name the overlays a change leaves alone as the walks just made do: a base's file, an overlay's, a new folder,
    // a whole environment folder, a file that became a folder, a folder above every base
    const untouchedBy = (changes: Changes) => {
      const untouched = walksOf(walks).untouched(changes);
      expect(read?.untouched(changes)).toEqual(untouched);
      return untouched;
    };
    for (const changes of [new Changes(['base/loki/statefulset-loki.yaml']), new Changes(['overlays/dev/alloy/x.yaml'], ['base/new'])]) {
      const untouched = untouchedBy(changes);
      expect(untouched.has('overlays/dev/loki')).toBe(!changes.paths.has('base/loki/statefulset-loki.yaml'));
      expect(untouched.size).toBeGreaterThan(0);
    }
    expect([...untouchedBy(new Changes([], ['overlays/dev']))].some((dir) => dir.startsWith('overlays/dev/'))).toBe(false);
    const inside = untouchedBy(new Changes(['base/loki/statefulset-loki.yaml/inside.yaml', 'overlays/prod/minio/kustomization.yaml']));
    expect([inside.has('overlays/dev/loki'), inside.has('overlays/prod/minio'), inside.has('overlays/dev/minio')]).toEqual([
      false,
      false,
      true,
    ]);
    expect(untouchedBy(new Changes(['base'])).size).toBe(0);
    expect(readWalks(cache, 'b'.repeat(40))).toBeUndefined();
    // AND a table not as written is not read: an index changed, a line cut off, the checksum's line lost
    const file = join(cache, 'walks', `${commit}.json`);
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace(/"files":\["(\d+)/, (_, first: string) => `"files":["${Number(first) + 1}`),
    );
    expect(readWalks(cache, commit)).toBeUndefined();
    writeFileSync(file, text.slice(0, -2));
    expect(readWalks(cache, commit)).toBeUndefined();
    writeFileSync(file, text.slice(text.indexOf('\n') + 1));
    expect(readWalks(cache, commit)).toBeUndefined();
    writeFileSync(file, text);
    expect(readWalks(cache, commit)).toBeDefined();
    writeFileSync(file, '{');
    expect(readWalks(cache, commit)).toBeUndefined();
    // AND only the eight newest tables are kept
    for (let i = 0; i < 9; i++) {
      const other = String(i).repeat(40);
      await writeWalks(cache, other, walks);
      utimesSync(join(cache, 'walks', `${other}.json`), 1_000_000 + i, 1_000_000 + i);
    }
    await writeWalks(cache, commit, walks);
    expect(readdirSync(join(cache, 'walks')).sort()).toEqual(
      [commit, ...['2', '3', '4', '5', '6', '7', '8'].map((d) => d.repeat(40))].map((c) => `${c}.json`).sort(),
    );
  });
});
