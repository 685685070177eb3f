import { appendFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { hashSides } from '../../tools/diff/sides.ts';
import { withCheckouts } from '../../tools/diff/trees.ts';
import type { Checkout } from '../../tools/git/checkout.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { commit, committedCopy, edit } from '../support/git.ts';

/** Each side hashed in full, as diff did before: the overlays of each side whose hash the other side does not have. */
async function hashedInFull(head: Checkout, base: Checkout) {
  const [headOverlays, baseOverlays] = [await head.listOverlays(), await base.listOverlays()];
  const [headHashed, baseHashed] = [await hashOverlays(head, headOverlays), await hashOverlays(base, baseOverlays)];
  return {
    headHashed,
    headChanged: headOverlays.filter((o) => headHashed.get(o.dir)?.hash !== baseHashed.get(o.dir)?.hash).map((o) => o.dir),
    baseChanged: baseOverlays.filter((o) => baseHashed.get(o.dir)?.hash !== headHashed.get(o.dir)?.hash).map((o) => o.dir),
  };
}

describe('hashSides: one walk for both sides where they answer alike', () => {
  it('finds exactly the changed overlays a full hash of each side finds: staged, unstaged, untracked, added and removed', async () => {
    // GIVEN a commit where dev/alloy names a resource that is not there yet
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    edit(root, 'overlays/dev/alloy/kustomization.yaml', 'resources:\n', 'resources:\n  - extra.yaml\n');
    await commit(root, 'dev/alloy names extra.yaml');
    // AND a working tree with a staged change to the Loki base, an unstaged change to prod/grafana,
    // the missing file of dev/alloy untracked, a file of the Grafana base deleted, a new overlay (untracked) and a removed one
    appendFileSync(join(root, 'base/loki/service-loki.yaml'), '# staged\n');
    await simpleGit(root).add('base/loki/service-loki.yaml');
    appendFileSync(join(root, 'overlays/prod/grafana/kustomization.yaml'), '# not staged\n');
    writeFileSync(join(root, 'overlays/dev/alloy/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
    rmSync(join(root, 'base/grafana/service-grafana.yaml'));
    cpSync(join(root, 'overlays/dev/minio'), join(root, 'overlays/dev/minio-copy'), { recursive: true });
    rmSync(join(root, 'overlays/prod/platform'), { recursive: true });
    // WHEN both sides are hashed with one walk, and each side in full
    const [sides, full] = await withCheckouts(root, undefined, await resolveRef(root, 'HEAD'), 'sha1', async (head, base) => [
      await hashSides(head, base, new Map()),
      await hashedInFull(head, base),
    ]);
    // THEN the changed overlays are the same, and those the test built are among them
    expect(sides.headChanged.map((o) => o.dir)).toEqual(full.headChanged);
    expect(sides.baseChanged.map((o) => o.dir)).toEqual(full.baseChanged);
    expect(full.headChanged).toEqual(
      expect.arrayContaining([
        'overlays/dev/alloy',
        'overlays/dev/grafana',
        'overlays/dev/loki',
        'overlays/prod/loki',
        'overlays/prod/grafana',
        'overlays/dev/minio-copy',
      ]),
    );
    expect(full.baseChanged).toContain('overlays/prod/platform');
    // AND each changed head overlay has its full hash; the base was walked only where the sides differ
    for (const overlay of sides.headChanged) expect(sides.head.hashed.get(overlay.dir)).toEqual(full.headHashed.get(overlay.dir));
    expect([...sides.base.hashed.keys()].sort()).toEqual([...full.baseChanged].sort());
  });
});
