import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { hashSides } from '../../tools/diff/sides.ts';
import { withCheckouts } from '../../tools/diff/trees.ts';
import { walkOverlays, walksOf } from '../../tools/diff/walks.ts';
import { changedPaths } from '../../tools/git/changes.ts';
import { workingTree, type Checkout } from '../../tools/git/checkout.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { commit, committedCopy, edit } from '../support/git.ts';

/** The overlays whose input hash differs between the sides (or that one side lacks), each side hashed in full. */
async function changedInFull(head: Checkout, base: Checkout) {
  const [headOverlays, baseOverlays] = [await head.listOverlays(), await base.listOverlays()];
  const [headHashed, baseHashed] = [await hashOverlays(head, headOverlays), await hashOverlays(base, baseOverlays)];
  return {
    headChanged: headOverlays.filter((o) => headHashed.get(o.dir)?.hash !== baseHashed.get(o.dir)?.hash).map((o) => o.dir),
    baseChanged: baseOverlays.filter((o) => baseHashed.get(o.dir)?.hash !== headHashed.get(o.dir)?.hash).map((o) => o.dir),
  };
}

/**
 * hashSides of the working tree (or `head`) against `base` from the changes, and each side hashed in
 * full (the working tree from the disk).
 */
async function bothWays(root: string, base: string, head?: string) {
  const baseSha = await resolveRef(root, base);
  const headSha = head === undefined ? undefined : await resolveRef(root, head);
  const changes = changedPaths(root, baseSha, headSha);
  return withCheckouts(root, headSha, baseSha, 'sha1', changes, async (headCheckout, baseCheckout) => {
    const memo = new Map();
    const walks = walksOf(await walkOverlays(baseCheckout, await baseCheckout.listOverlays(), memo));
    const sides = await hashSides(headCheckout, baseCheckout, memo, walks, await changes);
    const full = await changedInFull(head === undefined ? workingTree(root) : headCheckout, baseCheckout);
    return { headChanged: sides.headChanged.map((o) => o.dir), baseChanged: sides.baseChanged.map((o) => o.dir), full };
  });
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: "1"\n';

describe('hashSides against a full hash of each side: edge cases', () => {
  it('sees a change to the target of a link the base commit holds, in the working tree and between commits', async () => {
    // GIVEN a commit where dev/alloy names a file through a symbolic link to a folder outside the overlays
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    mkdirSync(join(root, 'common'));
    writeFileSync(join(root, 'common/extra.yaml'), CONFIG_MAP);
    symlinkSync('../../../common/extra.yaml', join(root, 'overlays/dev/alloy/extra.yaml'));
    edit(root, 'overlays/dev/alloy/kustomization.yaml', 'resources:\n', 'resources:\n  - extra.yaml\n');
    await commit(root, 'dev/alloy names a linked file');
    await simpleGit(root).addTag('base');
    // AND the link's target changed in the working tree (git names the target, not the link)
    appendFileSync(join(root, 'common/extra.yaml'), '  b: "2"\n');
    // WHEN both sides are hashed from the changes, the working tree and then a commit of it
    const worktree = await bothWays(root, 'base');
    await commit(root, 'the linked file changed');
    const commits = await bothWays(root, 'base', 'HEAD');
    // THEN each answer is a full hash's, and dev/alloy changed
    for (const { headChanged, baseChanged, full } of [worktree, commits]) {
      expect(full.headChanged).toEqual(['overlays/dev/alloy']);
      expect(headChanged).toEqual(full.headChanged);
      expect(baseChanged).toEqual(full.baseChanged);
    }
  });

  it('sees an overlay folder without a kustomization file removed (its walk asked about none of its files)', async () => {
    // GIVEN a commit with an overlay folder holding only notes (no kustomization file: it fails to render)
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    mkdirSync(join(root, 'overlays/dev/notes'));
    writeFileSync(join(root, 'overlays/dev/notes/README.md'), 'notes\n');
    await commit(root, 'notes');
    // AND the folder removed in the working tree
    rmSync(join(root, 'overlays/dev/notes'), { recursive: true });
    // WHEN both sides are hashed from the changes
    const { headChanged, baseChanged, full } = await bothWays(root, 'HEAD');
    // THEN the answer is a full hash's: the base's overlay is gone from the head
    expect(full.baseChanged).toEqual(['overlays/dev/notes']);
    expect(baseChanged).toEqual(full.baseChanged);
    expect(headChanged).toEqual(full.headChanged);
  });
});
