import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashSides } from '../../tools/diff/sides.ts';
import { withCheckouts } from '../../tools/diff/trees.ts';
import { walkOverlays, walksOf } from '../../tools/diff/walks.ts';
import { changedPaths } from '../../tools/git/changes.ts';
import { workingTree, type Checkout } from '../../tools/git/checkout.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { commit, committedCopy } from '../support/git.ts';

/** The overlays whose input hash differs between the sides (or that one side lacks), each side hashed in full. */
async function changedInFull(head: Checkout, base: Checkout) {
  const [headOverlays, baseOverlays] = [await head.listOverlays(), await base.listOverlays()];
  const [headHashed, baseHashed] = [await hashOverlays(head, headOverlays), await hashOverlays(base, baseOverlays)];
  return {
    headChanged: headOverlays.filter((o) => headHashed.get(o.dir)?.hash !== baseHashed.get(o.dir)?.hash).map((o) => o.dir),
    baseChanged: baseOverlays.filter((o) => baseHashed.get(o.dir)?.hash !== headHashed.get(o.dir)?.hash).map((o) => o.dir),
  };
}

/** hashSides of the working tree (or `head`) against `base` from the changes, and each side hashed in full (the working tree from the disk). */
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

describe('hashSides against a full hash of each side: edge cases', () => {
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
