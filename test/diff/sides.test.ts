import { appendFileSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { hashSides } from '../../tools/diff/sides.ts';
import { withCheckouts } from '../../tools/diff/trees.ts';
import { readWalks, walkOverlays, walksOf, writeWalks } from '../../tools/diff/walks.ts';
import { changedPaths } from '../../tools/git/changes.ts';
import { workingTree, type Checkout } from '../../tools/git/checkout.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { commit, committedCopy, edit, scratch } from '../support/git.ts';

/** Each side hashed in full (the head as its files are: a commit, or the disk), and the overlays whose hash the other side lacks. */
async function hashedInFull(head: Checkout, base: Checkout) {
  const [headOverlays, baseOverlays] = [await head.listOverlays(), await base.listOverlays()];
  const [headHashed, baseHashed] = [await hashOverlays(head, headOverlays), await hashOverlays(base, baseOverlays)];
  return {
    headHashed,
    headChanged: headOverlays.filter((o) => headHashed.get(o.dir)?.hash !== baseHashed.get(o.dir)?.hash).map((o) => o.dir),
    baseChanged: baseOverlays.filter((o) => baseHashed.get(o.dir)?.hash !== headHashed.get(o.dir)?.hash).map((o) => o.dir),
  };
}

/** hashSides of the working tree (or `head`) against `base`, beside the full hash of each side; the head's full hash reads the disk. */
async function bothWays(root: string, base: string, head?: string, cacheDir?: string) {
  const baseSha = await resolveRef(root, base);
  const headSha = head === undefined ? undefined : await resolveRef(root, head);
  const changes = changedPaths(root, baseSha, headSha, cacheDir === undefined ? undefined : join(cacheDir, 'index'));
  return withCheckouts(root, { head: headSha, base: baseSha, format: 'sha1', changes }, async (headCheckout, baseCheckout) => {
    const memo = new Map();
    const kept = cacheDir === undefined ? undefined : readWalks(cacheDir, baseSha);
    const walked = kept ? undefined : await walkOverlays(baseCheckout, await baseCheckout.listOverlays(), memo);
    if (cacheDir !== undefined && walked) await writeWalks(cacheDir, baseSha, walked);
    const sides = await hashSides(headCheckout, baseCheckout, memo, kept ?? walksOf(walked ?? new Map()), await changes);
    const full = await hashedInFull(head === undefined ? workingTree(root) : headCheckout, baseCheckout);
    return { sides, full, kept: kept !== undefined };
  });
}

const dirs = (overlays: readonly { dir: string }[]) => overlays.map((o) => o.dir);

describe('hashSides: only what the changes touch is walked and hashed', () => {
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
    // WHEN both sides are hashed from the changes, and each side in full
    const { sides, full } = await bothWays(root, 'HEAD');
    // THEN the changed overlays are the same, and those the test built are among them
    expect(dirs(sides.headChanged)).toEqual(full.headChanged);
    expect(dirs(sides.baseChanged)).toEqual(full.baseChanged);
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
    // AND each changed head overlay has its full hash; the base was hashed only where the changes reach
    for (const overlay of sides.headChanged) expect(sides.head.hashed.get(overlay.dir)).toEqual(full.headHashed.get(overlay.dir));
    expect([...sides.base.hashed.keys()].sort()).not.toContain('overlays/dev/minio');
  });

  it('sees a kustomization file added beside another, a file that became a folder, and files new under a folder a walk lists or names', async () => {
    // GIVEN a commit where dev/alloy names a folder that is not there yet, and dev/grafana generates from a folder's files
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    edit(root, 'overlays/dev/alloy/kustomization.yaml', 'resources:\n', 'resources:\n  - extra\n');
    mkdirSync(join(root, 'overlays/dev/grafana/files'));
    writeFileSync(join(root, 'overlays/dev/grafana/files/a.txt'), 'a\n');
    appendFileSync(
      join(root, 'overlays/dev/grafana/kustomization.yaml'),
      'configMapGenerator:\n  - name: from-files\n    files:\n      - files\n',
    );
    await commit(root, 'dev/alloy names extra; dev/grafana generates from files/');
    // AND a second kustomization file in dev/loki (kustomize refuses two: both are inputs), the kustomization of prod/loki replaced by a
    // folder, the folder dev/alloy names (untracked), and a new file in the folder dev/grafana generates from
    writeFileSync(join(root, 'overlays/dev/loki/kustomization.yml'), 'resources: []\n');
    const replaced = 'overlays/prod/loki/kustomization.yaml';
    rmSync(join(root, replaced));
    mkdirSync(join(root, replaced));
    writeFileSync(join(root, replaced, 'inside.yaml'), 'a: 1\n');
    mkdirSync(join(root, 'overlays/dev/alloy/extra'));
    writeFileSync(join(root, 'overlays/dev/alloy/extra/kustomization.yaml'), 'resources: []\n');
    writeFileSync(join(root, 'overlays/dev/grafana/files/b.txt'), 'b\n');
    // WHEN both sides are hashed from the changes
    const { sides, full } = await bothWays(root, 'HEAD');
    // THEN the answer is a full hash's
    expect(dirs(sides.headChanged)).toEqual(full.headChanged);
    expect(full.headChanged).toEqual(['overlays/dev/alloy', 'overlays/dev/grafana', 'overlays/dev/loki', 'overlays/prod/loki']);
  });

  it('compares a base behind HEAD with the working tree, and two commits, with walks kept between runs', async () => {
    // GIVEN three commits: the base, a change to the Alloy base, then a change to prod/grafana
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    await simpleGit(root).addTag('base');
    appendFileSync(join(root, 'base/alloy/kustomization.yaml'), '# alloy\n');
    await commit(root, 'alloy');
    appendFileSync(join(root, 'overlays/prod/grafana/kustomization.yaml'), '# grafana\n');
    await commit(root, 'grafana');
    // AND an unstaged change to dev/minio
    appendFileSync(join(root, 'overlays/dev/minio/kustomization.yaml'), '# minio\n');
    const cache = scratch('obs-walks-');
    // WHEN the working tree and HEAD are compared with the base twice (walking it, then reading the kept walks)
    const first = await bothWays(root, 'base', undefined, cache);
    const second = await bothWays(root, 'base', undefined, cache);
    const commits = await bothWays(root, 'base', 'HEAD', cache);
    // THEN every answer is a full hash's, and the second run read the walks the first kept
    for (const { sides, full } of [first, second, commits]) {
      expect(dirs(sides.headChanged)).toEqual(full.headChanged);
      expect(dirs(sides.baseChanged)).toEqual(full.baseChanged);
    }
    expect([first.kept, second.kept, commits.kept]).toEqual([false, true, true]);
    expect(first.full.headChanged).toEqual(expect.arrayContaining(['overlays/dev/alloy', 'overlays/prod/grafana', 'overlays/dev/minio']));
    expect(commits.full.headChanged).not.toContain('overlays/dev/minio');
  });

  it('compares the base with a branch that has no commit yet: every path of the base counts as changed', async () => {
    // GIVEN a commit, then an orphan branch whose index still holds the files, one changed
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    await simpleGit(root).addTag('base');
    await simpleGit(root).raw(['checkout', '--orphan', 'fresh']);
    appendFileSync(join(root, 'overlays/dev/loki/kustomization.yaml'), '# fresh\n');
    // AND a file of the base removed from it (git status has nothing to say of it)
    await simpleGit(root).raw(['rm', '-q', '-f', 'base/minio/kustomization.yaml']);
    // WHEN the working tree is compared with the base
    const { sides, full } = await bothWays(root, 'base', undefined, scratch('obs-walks-'));
    // THEN the answer is a full hash's
    expect(dirs(sides.headChanged)).toEqual(full.headChanged);
    expect(full.headChanged).toEqual(['overlays/dev/loki', 'overlays/dev/minio', 'overlays/prod/minio']);
  });
});

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
    for (const { sides, full } of [worktree, commits]) {
      expect(full.headChanged).toEqual(['overlays/dev/alloy']);
      expect(dirs(sides.headChanged)).toEqual(full.headChanged);
      expect(dirs(sides.baseChanged)).toEqual(full.baseChanged);
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
    const { sides, full } = await bothWays(root, 'HEAD');
    // THEN the answer is a full hash's: the base's overlay is gone from the head
    expect(full.baseChanged).toEqual(['overlays/dev/notes']);
    expect(dirs(sides.baseChanged)).toEqual(full.baseChanged);
    expect(dirs(sides.headChanged)).toEqual(full.headChanged);
  });
});
