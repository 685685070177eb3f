import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { changedOverlays, changedTreeSource, folderOnDisk } from '../../tools/git/changed-tree.ts';
import { listOverlays } from '../../tools/git/checkout.ts';
import { changedPaths, Changes } from '../../tools/git/changes.ts';
import { workingTreeSource } from '../../tools/git/source.ts';
import { readGitTree } from '../../tools/git/tree.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { committedCopy, scratch } from '../support/git.ts';

describe('the working tree as a commit plus what git reports changed', () => {
  it('answers every question as the disk does: changed, staged, deleted, untracked, a file that became a folder', async () => {
    // GIVEN a commit of the repository's output folders
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    const sha = await resolveRef(root, 'HEAD');
    // AND a working tree with a change, a staged change, a deletion, untracked files and folders, and a file that is now a folder
    appendFileSync(join(root, 'base/loki/kustomization.yaml'), '# changed\n');
    appendFileSync(join(root, 'base/minio/kustomization.yaml'), '# staged\n');
    await simpleGit(root).add('base/minio/kustomization.yaml');
    rmSync(join(root, 'overlays/prod/grafana/kustomization.yaml'));
    writeFileSync(join(root, 'overlays/dev/loki/new.yaml'), 'new\n');
    mkdirSync(join(root, 'overlays/dev/fresh/deeper'), { recursive: true });
    writeFileSync(join(root, 'overlays/dev/fresh/deeper/kustomization.yaml'), 'resources: []\n');
    rmSync(join(root, 'overlays/dev/alloy/kustomization.yaml'));
    mkdirSync(join(root, 'overlays/dev/alloy/kustomization.yaml'));
    writeFileSync(join(root, 'overlays/dev/alloy/kustomization.yaml/inside.yaml'), 'inside\n');
    // WHEN the working tree is read as the commit plus the changes, and from the disk
    const changes = await changedPaths(root, sha);
    const source = changedTreeSource(await readGitTree(root, sha), changes, workingTreeSource(root));
    const disk = workingTreeSource(root);
    // THEN every file, folder and missing path, committed or not, answers alike
    const tree = await readGitTree(root, sha);
    const asked = [
      ...tree.files.keys(),
      ...tree.dirs,
      ...(await disk.filesUnder('overlays')),
      'overlays/dev/fresh',
      'overlays/dev/fresh/deeper',
      'overlays/dev/missing.yaml',
      'overlays/dev/alloy/kustomization.yaml/inside.yaml',
    ];
    for (const path of asked) {
      expect([path, source.kind(path)]).toEqual([path, disk.kind(path)]);
      expect([path, await source.contentId(path)]).toEqual([path, await disk.contentId(path)]);
      expect([path, source.outside?.(path)]).toEqual([path, disk.outside?.(path)]);
    }
    // (the top aside: the disk lists .git there)
    for (const dir of [...tree.dirs, 'overlays/dev/fresh'].filter((dir) => dir !== ''))
      expect([dir, await source.filesUnder(dir)]).toEqual([dir, (await disk.filesUnder(dir)).sort()]);
    // AND only the changed paths are the disk's to answer: an unchanged file is known by the commit's id
    expect(source.knownId?.('base/grafana/kustomization.yaml')).toBe(tree.files.get('base/grafana/kustomization.yaml'));
    expect(source.knownId?.('base/loki/kustomization.yaml')).toBeUndefined();
    expect([...changes.dirs]).toEqual(['overlays/dev/fresh']);
  });

  it('a path is touched when it changed, lies under a change, or holds one', () => {
    const changes = new Changes(['a/b/c.yaml', 'x.yaml'], ['n/new']);
    expect(['a/b/c.yaml', 'a/b', 'a', '', 'n/new', 'n/new/deep/k.yaml', 'n', 'x.yaml/under'].map((p) => changes.touches(p))).toEqual(
      Array(8).fill(true),
    );
    expect(['a/b/d.yaml', 'a/bc', 'n/newer', 'x.yml', 'b'].map((p) => changes.touches(p))).toEqual(Array(5).fill(false));
    // Many changes take the path's folders one by one: the same answers
    const many = new Changes([...Array.from({ length: 40 }, (_, i) => `z/${i}.yaml`), 'a/b/c.yaml', 'x.yaml'], ['n/new']);
    expect(['n/new/deep/k.yaml', 'x.yaml/under', 'a/b'].map((p) => many.touches(p))).toEqual([true, true, true]);
    expect(['a/b/d.yaml', 'n/newer', 'z/40.yaml'].map((p) => many.touches(p))).toEqual([false, false, false]);
  });

  it('lists the overlays the disk holds where git sees them: new, deleted, emptied, turned into a file, a new environment', async () => {
    // GIVEN a commit of the repository's output folders
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    const sha = await resolveRef(root, 'HEAD');
    const overlaysNow = async () => {
      const changes = await changedPaths(root, sha);
      const tree = await readGitTree(root, sha);
      const source = changedTreeSource(tree, changes, workingTreeSource(root));
      return changedOverlays(tree, changes, source, folderOnDisk(root), () => listOverlays(root));
    };
    // The folders a commit of the working tree would hold: those on disk but the few git does not see (named by each step)
    const committable = async (unseen: readonly string[]) => (await listOverlays(root)).filter((overlay) => !unseen.includes(overlay.dir));
    // THEN an unchanged tree lists what the disk lists
    expect(await overlaysNow()).toEqual(await listOverlays(root));
    // WHEN an overlay is new, one deleted, one has its kustomization deleted, one all its files but its folder left,
    // one is now a file, one holds only a file git ignores
    mkdirSync(join(root, 'overlays/dev/fresh'));
    writeFileSync(join(root, 'overlays/dev/fresh/kustomization.yaml'), 'resources: []\n');
    rmSync(join(root, 'overlays/prod/loki'), { recursive: true });
    rmSync(join(root, 'overlays/prod/grafana/kustomization.yaml'));
    rmSync(join(root, 'overlays/prod/alloy'), { recursive: true });
    mkdirSync(join(root, 'overlays/prod/alloy'));
    rmSync(join(root, 'overlays/dev/minio'), { recursive: true });
    writeFileSync(join(root, 'overlays/dev/minio'), 'a file now\n');
    const outside = scratch('obs-outside-');
    writeFileSync(join(outside, 'kustomization.yaml'), 'resources: []\n');
    mkdirSync(join(root, 'overlays/dev/linked'));
    symlinkSync(join(outside, 'kustomization.yaml'), join(root, 'overlays/dev/linked/kustomization.yaml'));
    rmSync(join(root, 'overlays/dev/platform'), { recursive: true });
    mkdirSync(join(root, 'overlays/dev/platform/.cache'), { recursive: true });
    writeFileSync(join(root, 'overlays/dev/platform/.cache/ignored.yaml'), 'ignored\n');
    // THEN each is listed as git sees it on the disk: the emptied folder and the ignored file's folder are no overlays
    const unseen = ['overlays/prod/alloy', 'overlays/dev/platform'];
    const listed = await overlaysNow();
    expect(listed).toEqual(await committable(unseen));
    expect(listed.map((overlay) => overlay.dir)).toContain('overlays/dev/fresh');
    // (a folder holding only a link that leads out is one: a commit would hold the link, and the render refuses it)
    expect(listed.map((overlay) => overlay.dir)).toContain('overlays/dev/linked');
    expect(listed.map((overlay) => overlay.dir)).not.toContain('overlays/prod/loki');
    // WHEN a new overlay is a link to another's folder (a listing of the working tree passes links by)
    symlinkSync(join(root, 'overlays/dev/loki'), join(root, 'overlays/dev/aliased'));
    expect(await overlaysNow()).toEqual(await committable(unseen));
    // WHEN a new environment folder is there too (one untracked folder to git), and an empty folder beside the overlays
    mkdirSync(join(root, 'overlays/qa/loki'), { recursive: true });
    writeFileSync(join(root, 'overlays/qa/loki/kustomization.yaml'), 'resources: []\n');
    mkdirSync(join(root, 'overlays/prod/tempo'));
    // THEN it is listed from the disk, the folders git does not see left out
    expect(await overlaysNow()).toEqual(await committable([...unseen, 'overlays/prod/tempo']));
    expect((await overlaysNow()).map((overlay) => overlay.dir)).toContain('overlays/qa/loki');
  });
});
