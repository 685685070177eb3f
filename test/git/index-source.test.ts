import { appendFileSync, cpSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { gitIndexSource } from '../../tools/git/index-source.ts';
import { openWorkingTree, workingTree } from '../../tools/git/checkout.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { overlayInputs } from '../../tools/render/graph.ts';
import { workingTreeSource } from '../../tools/git/source.ts';
import { committedCopy, scratch } from '../support/git.ts';
import { overlayDirs } from '../support/catalog.ts';

const repository = (): Promise<string> => committedCopy(['base', 'overlays'], { '.gitignore': 'ignored/\n' });

/** Overlay hashes as the git-index-backed working tree gives them, and as reading every file from disk gives them. */
async function bothWays(root: string): Promise<{ indexed: Map<string, string>; disk: Map<string, string> }> {
  const indexed = await openWorkingTree(root);
  const disk = workingTree(root);
  const overlays = await disk.listOverlays();
  const hashes = async (checkout: typeof disk) => new Map([...(await hashOverlays(checkout, overlays))].map(([dir, h]) => [dir, h.hash]));
  return { indexed: await hashes(indexed), disk: await hashes(disk) };
}

describe('the working tree known through git index', () => {
  it('hashes every overlay as reading every file does, before and after edits git has not seen staged', async () => {
    // GIVEN a clean repository
    const root = await repository();
    const clean = await bothWays(root);
    expect(clean.indexed).toEqual(clean.disk);
    // WHEN a tracked file is edited, one deleted, a new file referenced, and a file changed behind `assume-unchanged`
    appendFileSync(join(root, 'base/loki/service-loki.yaml'), '# edited\n');
    unlinkSync(join(root, 'overlays/prod/grafana/kustomization.yaml'));
    writeFileSync(join(root, 'overlays/dev/minio/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
    appendFileSync(join(root, 'overlays/dev/minio/kustomization.yaml'), 'resources:\n  - extra.yaml\n');
    await simpleGit(root).raw(['update-index', '--assume-unchanged', 'base/alloy/kustomization.yaml']);
    appendFileSync(join(root, 'base/alloy/kustomization.yaml'), '# behind the flag\n');
    const edited = await bothWays(root);
    // THEN the hashes still agree, and exactly the touched overlays changed
    expect(edited.indexed).toEqual(edited.disk);
    const changed = [...edited.disk].filter(([dir, hash]) => clean.disk.get(dir) !== hash).map(([dir]) => dir);
    expect(changed).toEqual([...overlayDirs('alloy', 'loki'), 'overlays/dev/minio', 'overlays/prod/grafana'].sort());
  });

  it('answers from the index without reading the file, and only at the top of a working tree', async () => {
    const root = await repository();
    const disk = workingTreeSource(root);
    const reads: string[] = [];
    const counting = { ...disk, contentId: async (path: string) => (reads.push(path), disk.contentId(path)) };
    const indexed = await gitIndexSource(root, counting, 'sha1');
    expect(await indexed?.contentId('base/loki/service-loki.yaml')).toBe(await disk.contentId('base/loki/service-loki.yaml'));
    expect(indexed?.kind('base/loki')).toBe('dir');
    expect(reads).toEqual([]);
    // Not the top of the repository, not a repository, another object format: no index answers.
    expect(await gitIndexSource(join(root, 'base'), disk, 'sha1')).toBeUndefined();
    expect(await gitIndexSource(scratch('obs-no-git-'), disk, 'sha1')).toBeUndefined();
    expect(await gitIndexSource(root, disk, 'sha256')).toBeUndefined();
  });

  it('refuses a tracked directory replaced by a link leading out, and asks the disk nothing about paths git reports unchanged', async () => {
    // GIVEN a committed repository whose base/loki is then replaced by a link to a copy outside it
    const root = await repository();
    const outside = scratch('obs-outside-');
    cpSync(join(root, 'base/loki'), join(outside, 'loki'), { recursive: true });
    rmSync(join(root, 'base/loki'), { recursive: true });
    symlinkSync(join(outside, 'loki'), join(root, 'base/loki'));
    const disk = workingTreeSource(root);
    const asked: string[] = [];
    const counting = { ...disk, outside: (path: string) => (asked.push(path), disk.outside?.(path) ?? false) };
    // WHEN prod/loki's inputs are walked through the index
    const indexed = await gitIndexSource(root, counting, 'sha1');
    const inputs = await overlayInputs(indexed ?? counting, 'overlays/prod/loki');
    // THEN the link is refused as the disk alone refuses it (git reports the files under it as removed)
    expect(inputs.refused.length).toBeGreaterThan(0);
    expect(inputs.refused).toEqual((await overlayInputs(disk, 'overlays/prod/loki')).refused);
    // AND the overlay's own unchanged files were answered from the index
    expect(asked.filter((path) => path.startsWith('overlays/'))).toEqual([]);
  });
});
