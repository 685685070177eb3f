import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCheckout } from '../../tools/diff/trees.ts';
import { gitCheckout, readGitTree } from '../../tools/git/tree.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { openWorkingTree, workingTree } from '../../tools/git/checkout.ts';
import { findKustomize, renderObjects, type Kustomize } from '../../tools/render/kustomize.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { gitBlobId } from '../../tools/git/source.ts';
import { toYaml } from '../../tools/yaml.ts';
import { committedCopy } from '../support/git.ts';
import { environmentNames } from '../support/catalog.ts';

let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

/** The committed generated tree plus a `dev-eu` copy of dev (listing order: `dev` < `dev-eu`), in git. */
async function repository(): Promise<string> {
  const root = await committedCopy(['base', 'overlays', 'apps']);
  cpSync(join(root, 'overlays/dev'), join(root, 'overlays/dev-eu'), { recursive: true });
  await simpleGit(root).add('.').commit('dev-eu');
  return root;
}

describe('a commit read from git objects', () => {
  it('lists the same overlays and hashes them exactly as its checkout on disk, reading no unchanged blob', async () => {
    // GIVEN a repository whose working tree equals HEAD
    const root = await repository();
    const tree = await readGitTree(root, await resolveRef(root, 'HEAD'));
    const fromGit = gitCheckout(root, tree);
    const onDisk = workingTree(root);
    try {
      // WHEN both are listed and hashed (git's ids come from the tree listing, the disk's are computed)
      const overlays = await onDisk.listOverlays();
      expect(await fromGit.listOverlays()).toEqual(overlays);
      expect(overlays.map((o) => o.env).filter((e, i, all) => all.indexOf(e) === i)).toEqual([...environmentNames(), 'dev-eu'].sort());
      const memo = new Map();
      const diskHashes = await hashOverlays(onDisk, overlays, memo);
      const reads: string[] = [];
      const counting = {
        ...fromGit,
        source: { ...fromGit.source, bytes: (path: string) => (reads.push(path), fromGit.source.bytes(path)) },
      };
      const gitHashes = await hashOverlays(counting, overlays, memo);
      // Every kustomization was parsed from disk already (same blob id): git is asked for no file.
      expect(reads).toEqual([]);
      // THEN every overlay has the same inputs and hash; a file's id is git's blob id
      expect([...gitHashes]).toEqual([...diskHashes]);
      expect(await fromGit.source.contentId('base/loki/kustomization.yaml')).toBe(
        gitBlobId(readFileSync(join(root, 'base/loki/kustomization.yaml'))),
      );
      expect(fromGit.source.kind('overlays/prod')).toBe('dir');
      expect(fromGit.source.kind('overlays/prod/loki/kustomization.yaml')).toBe('file');
      expect(fromGit.source.kind('overlays/nowhere')).toBe('none');
    } finally {
      await fromGit.dispose();
    }
  });

  it('writes out exactly the inputs of what must be rendered, and they render as the checkout does', async () => {
    const root = await repository();
    const fromGit = gitCheckout(root, await readGitTree(root, await resolveRef(root, 'HEAD')));
    try {
      const overlay = { env: 'prod', component: 'loki', dir: 'overlays/prod/loki' };
      const inputs = (await hashOverlays(fromGit, [overlay])).get(overlay.dir)?.inputs.files ?? [];
      // WHEN only prod/loki's inputs are materialized
      const dir = await fromGit.materialize(inputs);
      // THEN nothing else is there, and kustomize renders the same objects from them as from the repository
      expect(existsSync(join(dir, 'base/grafana'))).toBe(false);
      expect(existsSync(join(dir, 'overlays/dev'))).toBe(false);
      expect(toYaml(await renderObjects(kustomize, join(dir, overlay.dir)))).toBe(
        toYaml(await renderObjects(kustomize, join(root, overlay.dir))),
      );
      expect(await fromGit.appFiles()).toEqual(await workingTree(root).appFiles());
    } finally {
      await fromGit.dispose();
    }
  });

  it('reads a file the working tree holds unchanged (by the index) from disk, any other from git', async () => {
    // GIVEN a commit, and a working tree where one file of it is unchanged, one modified (not staged) and one staged
    const root = await repository();
    const [same, modified, staged] = ['base/loki/service-loki.yaml', 'base/loki/kustomization.yaml', 'base/grafana/service-grafana.yaml'];
    const sha = await resolveRef(root, 'HEAD');
    appendFileSync(join(root, modified), '# not staged\n');
    appendFileSync(join(root, staged), '# staged\n');
    await simpleGit(root).add(staged);
    const beside = (await openWorkingTree(root)).source;
    const fromDisk: string[] = [];
    const counting = { ...beside, bytes: (path: string) => (fromDisk.push(path), beside.bytes(path)) };
    const fromGit = gitCheckout(root, await readGitTree(root, sha), counting);
    try {
      // WHEN the commit's three files are read
      for (const path of [same, modified, staged])
        // THEN each is the commit's content
        expect((await fromGit.read(path))?.toString('utf8')).toBe(await simpleGit(root).show([`${sha}:${path}`]));
      // AND only the unchanged one came from the working tree
      expect(fromDisk).toEqual([same]);
    } finally {
      await fromGit.dispose();
    }
  });

  it('knows every directory of a tree whose files interleave with deeper ones', async () => {
    const root = await committedCopy([], { 'a-b': 'x', 'top.yaml': 'x' });
    for (const path of ['a/b/c/1', 'a/b/2', 'a/3', 'a/b/c/d/4', 'a.b/5', 'z/6']) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), path);
    }
    await simpleGit(root).add('.').commit('nested');
    const tree = await readGitTree(root, await resolveRef(root, 'HEAD'));
    const prefixes = [...tree.files.keys()].flatMap((path) =>
      path
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    );
    expect([...tree.dirs].sort()).toEqual([...new Set(['', ...prefixes])].sort());
    expect(tree.files.get('a/b/c/d/4')).toBe(gitBlobId(Buffer.from('a/b/c/d/4')));
  });

  it.each([
    ['ASCII paths, looked up in the listing in place', ''],
    ['a path beyond ASCII, every path parsed', 'é'],
  ])('answers every lookup as the listed paths do, names that sort around `/` included (%s)', async (_, accent) => {
    // GIVEN names that sort before, at and after `/` beside folders of the same stem, and overlays in environments that do too
    const names = ['a-b', 'a.b/5', 'a/3', 'a/b/2', 'a/b/c/1', 'a/b-c', 'a0', 'a b', 'A', 'a+', `z${accent}/6`, 'top.yaml'];
    const overlays = ['overlays/dev/loki/k.yaml', 'overlays/dev-eu/loki/k.yaml', 'overlays/dev/alloy/k.yaml', 'overlays/dev/x.yaml'];
    const root = await committedCopy([], {});
    for (const path of [...names, ...overlays]) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), path);
    }
    await simpleGit(root).add('.').commit('names');
    const tree = await readGitTree(root, await resolveRef(root, 'HEAD'));
    // THEN each file is found with its id, and what is not a file is not
    const files = [...tree.files.keys()];
    expect([...files].sort()).toEqual([...names, ...overlays].sort());
    for (const path of files) expect([path, tree.files.get(path)]).toEqual([path, gitBlobId(Buffer.from(path))]);
    for (const path of ['a', 'a/b', 'a/b/c', 'overlays', 'overlays/dev', 'b', 'a/3/x', 'a/', ''])
      expect([path, tree.files.has(path)]).toEqual([path, false]);
    // AND each folder holds the files under it, sorted
    for (const dir of ['', 'a', 'a/b', 'a/b/c', 'a.b', 'overlays', 'overlays/dev', 'missing', 'a-b'])
      expect([dir, tree.filesUnder(dir)]).toEqual([dir, files.filter((path) => dir === '' || path.startsWith(`${dir}/`)).sort()]);
    for (const dir of ['', 'a', 'a/b', 'a/b/c', 'a.b', 'overlays/dev-eu']) expect([dir, tree.dirs.has(dir)]).toEqual([dir, true]);
    for (const dir of ['a-b', 'a/b-c', 'b', 'a/b/c/1', 'overlay']) expect([dir, tree.dirs.has(dir)]).toEqual([dir, false]);
    // AND the overlays are the folders two levels below overlays/
    expect(tree.overlayDirs().sort()).toEqual(['overlays/dev-eu/loki', 'overlays/dev/alloy', 'overlays/dev/loki']);
  });

  it('names a missing object, and removes what it wrote when disposed', async () => {
    const root = await repository();
    const tree = await readGitTree(root, await resolveRef(root, 'HEAD'));
    const broken = new Map(tree.files);
    broken.set('overlays/prod/loki/kustomization.yaml', '0123456789abcdef0123456789abcdef01234567');
    const fromGit = gitCheckout(root, { ...tree, files: broken });
    const dir = await fromGit.materialize(['base/loki/kustomization.yaml']);
    await expect(fromGit.source.bytes('overlays/prod/loki/kustomization.yaml')).rejects.toThrow(
      /git object 0123456789abcdef0123456789abcdef01234567 is missing/,
    );
    // The reader carries on after a missing object.
    expect((await fromGit.source.bytes('base/loki/kustomization.yaml'))?.toString()).toBe(
      readFileSync(join(root, 'base/loki/kustomization.yaml'), 'utf8'),
    );
    await fromGit.dispose();
    expect(existsSync(dir)).toBe(false);
  });

  it('a commit with a symbolic link is checked out for real, so the link resolves', async () => {
    // GIVEN a commit where a file of the Loki base is a link to the file with the content
    const root = await repository();
    renameSync(join(root, 'base/loki/service-loki.yaml'), join(root, 'base/loki/service-loki.real.yaml'));
    symlinkSync('service-loki.real.yaml', join(root, 'base/loki/service-loki.yaml'));
    await simpleGit(root).add('.').commit('link');
    expect((await readGitTree(root, await resolveRef(root, 'HEAD'))).hasLinks).toBe(true);
    // WHEN that commit is opened as a diff side and dev/loki rendered from it
    const objects = await withCheckout(root, await resolveRef(root, 'HEAD'), 'sha1', async (checkout) => {
      const overlay = (await checkout.listOverlays()).find((o) => o.dir === 'overlays/dev/loki');
      const inputs = (await hashOverlays(checkout, overlay ? [overlay] : [])).get('overlays/dev/loki')?.inputs.files ?? [];
      return renderObjects(kustomize, join(await checkout.materialize(inputs), 'overlays/dev/loki'));
    });
    // THEN the linked Service is there, read through the link
    expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'loki')).toBe(true);
  });
});

describe("a commit's listing kept between runs", () => {
  it('is read from where it is kept instead of from git, and one edited there is listed by git again', async () => {
    // GIVEN a commit listed once with a folder to keep listings in
    const root = await repository();
    const sha = await resolveRef(root, 'HEAD');
    const keptIn = join(root, '.cache/render/trees');
    const first = await readGitTree(root, sha, { keptIn });
    const kept = join(keptIn, `${sha}.listing`);
    expect(existsSync(kept)).toBe(true);
    // WHEN the repository's git objects are moved away, and the commit is listed again from the kept listing
    renameSync(join(root, '.git/objects'), join(root, '.git/objects-away'));
    const again = await readGitTree(root, sha, { keptIn });
    // THEN it lists the same files with the same ids, without git
    expect([...again.files]).toEqual([...first.files]);
    expect(again.overlayDirs().sort()).toEqual(first.overlayDirs().sort());
    // AND an edited kept listing is not read: git is asked (and, without its objects, fails)
    writeFileSync(kept, readFileSync(kept, 'utf8').replace('overlays/dev/loki', 'overlays/dev/lokj'));
    await expect(readGitTree(root, sha, { keptIn })).rejects.toThrow(/ls-tree/);
    renameSync(join(root, '.git/objects-away'), join(root, '.git/objects'));
    const listed = await readGitTree(root, sha, { keptIn });
    expect([...listed.files]).toEqual([...first.files]);
  });
});

describe("a commit's kept listing read for another commit", () => {
  it('is not taken for that commit: git lists it', async () => {
    // GIVEN two commits, each listed once with a folder to keep listings in
    const root = await repository();
    const [older, newer] = [await resolveRef(root, 'HEAD~1'), await resolveRef(root, 'HEAD')];
    const keptIn = join(root, '.cache/render/trees');
    const olderListed = await readGitTree(root, older, { keptIn });
    const newerListed = await readGitTree(root, newer, { keptIn });
    // WHEN the older commit's kept listing (whole, its checksum right) stands where the newer one's is kept
    copyFileSync(join(keptIn, `${older}.listing`), join(keptIn, `${newer}.listing`));
    const again = await readGitTree(root, newer, { keptIn });
    // THEN the newer commit is listed as git lists it (with dev-eu), not as the older one
    expect(olderListed.overlayDirs()).not.toContain('overlays/dev-eu/loki');
    expect(again.overlayDirs().sort()).toEqual(newerListed.overlayDirs().sort());
    expect([...again.files]).toEqual([...newerListed.files]);
  });
});
