import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { indexLocation } from '../../tools/git/private-index.ts';
import { gitStatus } from '../../tools/git/status.ts';
import { workingTreeState } from '../../tools/git/tree-state.ts';
import { commit, committedCopy, scratch } from '../support/git.ts';

const run = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });

/** A committed repository with a deep folder, an ignored folder and file, and a file only .git/info/exclude leaves out. */
async function repository(): Promise<string> {
  const root = await committedCopy(['base'], {
    '.gitignore': '.cache/\nignored/\n*.log\n',
    'notes.txt': 'one\n',
  });
  mkdirSync(join(root, 'deep/a/b'), { recursive: true });
  writeFileSync(join(root, 'deep/a/b/tracked.yaml'), 'a: 1\n');
  await commit(root, 'deep folder');
  mkdirSync(join(root, 'ignored'));
  writeFileSync(join(root, 'ignored/kept.yaml'), 'b: 1\n');
  writeFileSync(join(root, 'excluded.txt'), 'c\n');
  writeFileSync(join(root, '.git/info/exclude'), 'excluded.txt\n');
  return root;
}

const copies = (root: string): string => join(root, '.cache/check');
const onCopy = (root: string): Promise<string | undefined> => workingTreeState(root, { indexCopies: copies(root) });

/** The state git gives on the index itself, without refreshing it (GIT_OPTIONAL_LOCKS=0, git(1)): the index stays as it was. */
async function onIndex(root: string): Promise<string | undefined> {
  process.env.GIT_OPTIONAL_LOCKS = '0';
  try {
    return await workingTreeState(root);
  } finally {
    delete process.env.GIT_OPTIONAL_LOCKS;
  }
}

/** The copies kept in `root`'s cache folder. */
const kept = (root: string): string[] =>
  existsSync(copies(root)) ? readdirSync(copies(root)).filter((n) => /^index-[0-9a-f]+$/.test(n)) : [];

/** The index file as git left it: its bytes, inode and modification time. */
function indexFile(root: string): string {
  const stats = statSync(join(root, '.git/index'), { bigint: true });
  return `${stats.ino} ${stats.mtimeNs} ${readFileSync(join(root, '.git/index')).toString('hex')}`;
}

afterEach(() => {
  delete process.env.GIT_INDEX_FILE;
  delete process.env.GIT_DIR;
});

describe('the state of a working tree on a private copy of its index', () => {
  it('is the state on the index itself after every kind of change; the copy is made again only when the index changed, which it never writes', async () => {
    // GIVEN a repository whose state is taken on a copy of its index
    const root = await repository();
    run(root, 'checkout', '-q', '-b', 'other');
    run(root, 'commit', '-q', '--allow-empty', '-m', 'other');
    run(root, 'checkout', '-q', '-');
    const first = await onCopy(root);
    expect(first).toBe(await onIndex(root));
    expect(await onCopy(root)).toBe(first);
    expect(kept(root)).toHaveLength(1);
    // git keeps its untracked cache (the UNTR extension, gitformat-index(5)) in the copy only
    expect(readFileSync(join(copies(root), kept(root)[0] ?? '')).includes('UNTR')).toBe(true);
    expect(readFileSync(join(root, '.git/index')).includes('UNTR')).toBe(false);
    const states = new Set([first]);
    const changes: [string, () => unknown, 'index changes' | 'index unchanged'][] = [
      ['an untracked file in a deep folder', () => writeFileSync(join(root, 'deep/a/b/new.yaml'), 'n: 1\n'), 'index unchanged'],
      [
        'a new folder',
        () => (mkdirSync(join(root, 'deep/a/new')), writeFileSync(join(root, 'deep/a/new/x.yaml'), 'x: 1\n')),
        'index unchanged',
      ],
      ['another file in the new folder', () => writeFileSync(join(root, 'deep/a/new/y.yaml'), 'y: 1\n'), 'index unchanged'],
      ['a tracked file removed', () => unlinkSync(join(root, 'base/loki/service-loki.yaml')), 'index unchanged'],
      [
        'a tracked file rewritten at once, same size and modification time',
        () => {
          const { atime, mtime } = statSync(join(root, 'notes.txt'));
          writeFileSync(join(root, 'notes.txt'), 'two\n');
          utimesSync(join(root, 'notes.txt'), atime, mtime);
        },
        'index unchanged',
      ],
      [
        'an ignored folder no longer ignored (.gitignore)',
        () => writeFileSync(join(root, '.gitignore'), '.cache/\n*.log\n'),
        'index unchanged',
      ],
      [
        'an excluded file no longer excluded (.git/info/exclude)',
        () => writeFileSync(join(root, '.git/info/exclude'), ''),
        'index unchanged',
      ],
      ['a file staged', () => run(root, 'add', 'notes.txt'), 'index changes'],
      ['everything committed', () => commit(root, 'changes'), 'index changes'],
      ['another branch checked out', () => run(root, 'checkout', '-q', 'other'), 'index changes'],
      ['an untracked file after the checkout', () => appendFileSync(join(root, 'deep/a/b/new.yaml'), 'm: 2\n'), 'index unchanged'],
    ];
    for (const [what, change, index] of changes) {
      const copyBefore = kept(root);
      await change();
      const indexBefore = indexFile(root);
      // WHEN the state is taken on the copy, then on the index itself
      const state = await onCopy(root);
      // THEN both are the same, and new
      expect(state, what).toBe(await onIndex(root));
      expect(states.has(state), what).toBe(false);
      states.add(state);
      // the index is never written, and its copy made again exactly when the index changed
      expect(indexFile(root), what).toBe(indexBefore);
      expect(kept(root), what).toHaveLength(1);
      if (index === 'index changes') expect(kept(root), what).not.toEqual(copyBefore);
      else expect(kept(root), what).toEqual(copyBefore);
    }
  });

  it('catches a same-size edit of a racily clean entry: the copy is no newer than the index it copies', async () => {
    // GIVEN an entry whose file was modified in the same second the index was written (git's racy case;
    // ctime not compared, so the edit below keeps every stat field the entry records)
    const root = await repository();
    run(root, 'config', 'core.trustctime', 'false');
    const second = Math.floor(Date.now() / 1000) - 100;
    utimesSync(join(root, 'notes.txt'), second, second);
    run(root, 'update-index', '--refresh');
    utimesSync(join(root, '.git/index'), second, second);
    const before = await onIndex(root);
    // WHEN the file gets other bytes of the same size and the same modification time
    writeFileSync(join(root, 'notes.txt'), 'two\n');
    utimesSync(join(root, 'notes.txt'), second, second);
    // THEN the copy (made now) sees the change as git on the index does
    const after = await onCopy(root);
    expect(after).not.toBe(before);
    expect(after).toBe(await onIndex(root));
  });

  it('follows a split index without writing beside it, and turns the untracked cache off where the repository says so', async () => {
    // GIVEN a repository with a split index (git-update-index(1) --split-index)
    const root = await repository();
    run(root, 'update-index', '--split-index');
    const shared = (): string[] => readdirSync(join(root, '.git')).filter((n) => n.startsWith('sharedindex.'));
    const changes = [
      () => undefined,
      () => writeFileSync(join(root, 'deep/a/b/new.yaml'), 'n: 1\n'),
      () => run(root, 'add', 'deep/a/b/new.yaml'),
    ];
    for (const change of changes) {
      change();
      const before = shared();
      // WHEN the state is taken on the copy THEN it is the state on the index, and git wrote no shared index for the copy
      expect(await onCopy(root)).toBe(await onIndex(root));
      expect(shared()).toEqual(before);
      expect(readdirSync(copies(root)).filter((n) => n.includes('sharedindex'))).toEqual([]);
    }
    // AND the copy is whole: git reads it with the shared index out of the way
    const [sharedIndex = ''] = shared();
    renameSync(join(root, '.git', sharedIndex), join(root, 'moved'));
    const copy = join(copies(root), kept(root)[0] ?? '');
    expect(execFileSync('git', ['ls-files'], { cwd: root, env: { ...process.env, GIT_INDEX_FILE: copy }, encoding: 'utf8' })).toContain(
      'new.yaml',
    );
    renameSync(join(root, 'moved'), join(root, '.git', sharedIndex));
    // AND with core.untrackedCache=false the copy loses its untracked cache, the state unchanged
    expect(readFileSync(copy).includes('UNTR')).toBe(true);
    run(root, 'config', 'core.untrackedCache', 'false');
    expect(await onCopy(root)).toBe(await onIndex(root));
    expect(readFileSync(copy).includes('UNTR')).toBe(false);
  });

  it('names a copy by the whole index where its checksum is zeros (index.skipHash, git-config(1))', async () => {
    // GIVEN an index written without a checksum (its last 20 bytes zeros, as git 2.40+ writes with index.skipHash)
    const root = await repository();
    const withoutChecksum = (): void => {
      const bytes = readFileSync(join(root, '.git/index'));
      bytes.fill(0, bytes.length - 20);
      writeFileSync(join(root, '.git/index'), bytes);
    };
    withoutChecksum();
    expect(await onCopy(root)).toBe(await onIndex(root));
    const before = kept(root);
    // WHEN a file outside the last folder of git's cache-tree is staged (the index's last bytes stay as they were)
    writeFileSync(join(root, 'notes.txt'), 'staged\n');
    run(root, 'add', 'notes.txt');
    withoutChecksum();
    // THEN the index is copied again, and the state is the one on the index
    expect(await onCopy(root)).toBe(await onIndex(root));
    expect(kept(root)).not.toEqual(before);
  });

  it("is taken on the index git reads: a linked worktree's own, or $GIT_INDEX_FILE", async () => {
    // GIVEN a linked worktree (its .git a file naming its own git directory) with a staged file
    const root = await repository();
    const linked = join(scratch('obs-linked-'), 'linked');
    run(root, 'worktree', 'add', '-q', '-b', 'linked', linked);
    writeFileSync(join(linked, 'staged.txt'), 's\n');
    run(linked, 'add', 'staged.txt');
    expect(await indexLocation(linked)).toEqual({ top: linked, index: join(root, '.git/worktrees/linked/index') });
    expect(await onCopy(linked)).toBe(await onIndex(linked));
    // GIVEN an index of its own named by $GIT_INDEX_FILE, with another file staged
    const alternate = join(scratch('obs-alt-index-'), 'index');
    process.env.GIT_INDEX_FILE = alternate;
    run(root, 'read-tree', 'HEAD');
    writeFileSync(join(root, 'other.txt'), 'o\n');
    run(root, 'add', 'other.txt');
    const below = await indexLocation(join(root, 'deep'));
    expect(below).toEqual({ top: root, index: alternate });
    // THEN the state on the copy is the state on that index, not on .git/index
    const withAlternate = await onCopy(root);
    expect(withAlternate).toBe(await onIndex(root));
    delete process.env.GIT_INDEX_FILE;
    expect(await onCopy(root)).not.toBe(withAlternate);
    expect(await indexLocation(join(root, 'deep'))).toEqual({ top: root, index: join(root, '.git/index') });
    // With $GIT_DIR set, git alone knows which index: no copy stands in for it
    process.env.GIT_DIR = join(root, '.git');
    expect(await indexLocation(root)).toEqual({ top: root });
    delete process.env.GIT_DIR;
    // A relative $GIT_INDEX_FILE is left to git: no copy stands in for it
    process.env.GIT_INDEX_FILE = '.git/index';
    expect(await indexLocation(root)).toEqual({ top: root });
  });

  it('is the state on the index itself where no copy can be used: no index yet, a folder that cannot be written, a copy git cannot read', async () => {
    // GIVEN a fresh repository, nothing staged: git has no index file yet
    const fresh = scratch('obs-fresh-');
    await simpleGit(fresh).init();
    writeFileSync(join(fresh, 'a.txt'), 'a\n');
    expect(await onCopy(fresh)).toBe(await onIndex(fresh));
    expect(kept(fresh)).toEqual([]);
    // GIVEN a folder for the copies that cannot be made (a file is in its place)
    const root = await repository();
    mkdirSync(join(root, '.cache'));
    writeFileSync(copies(root), 'not a folder');
    expect(await onCopy(root)).toBe(await onIndex(root));
    // GIVEN a copy that is not an index
    unlinkSync(copies(root));
    await onCopy(root);
    const [name = ''] = kept(root);
    writeFileSync(join(copies(root), name), 'not an index');
    // THEN git reads the index itself, and the next call copies it again
    expect(await onCopy(root)).toBe(await onIndex(root));
    expect(await onCopy(root)).toBe(await onIndex(root));
    expect(
      readFileSync(join(copies(root), name))
        .subarray(0, 4)
        .toString(),
    ).toBe('DIRC');
  });
});

describe("the index entries git status does not look at, kept beside the index's private copy", () => {
  it('follows the flags of the index as they are set and cleared: the kept list is the one of the index as it is', async () => {
    // GIVEN a repository, and a folder for the private copy
    const root = await committedCopy(['base'], { '.gitignore': '.cache/\n' });
    const copies = join(root, '.cache/index');
    const unwatched = async () => (await gitStatus(root, copies, { unwatched: true }))?.unwatched;
    // THEN no entry is flagged, and that is kept beside the copy
    expect(await unwatched()).toEqual([]);
    expect(readdirSync(copies).filter((name) => name.endsWith('.unwatched'))).toHaveLength(1);
    expect(await unwatched()).toEqual([]);
    // WHEN entries are flagged (the index changes): each is listed
    const git = simpleGit(root);
    await git.raw(['update-index', '--skip-worktree', 'base/loki/kustomization.yaml']);
    expect(await unwatched()).toEqual(['base/loki/kustomization.yaml']);
    await git.raw(['update-index', '--assume-unchanged', 'base/minio/kustomization.yaml']);
    expect(await unwatched()).toEqual(['base/loki/kustomization.yaml', 'base/minio/kustomization.yaml']);
    // AND cleared again: none, and only the current copy's list is left beside it
    await git.raw(['update-index', '--no-skip-worktree', 'base/loki/kustomization.yaml']);
    await git.raw(['update-index', '--no-assume-unchanged', 'base/minio/kustomization.yaml']);
    expect(await unwatched()).toEqual([]);
    const left = readdirSync(copies);
    expect(left.filter((name) => name.endsWith('.unwatched'))).toEqual(
      left.filter((name) => !name.endsWith('.unwatched')).map((n) => `${n}.unwatched`),
    );
  });

  it('keeps no list the index changed under while git listed it: the index may come back to the content the copy is named by', async () => {
    // GIVEN a repository with an entry flagged assume-unchanged, and a folder for the private copy
    const root = await committedCopy(['base'], { '.gitignore': '.cache/\n' });
    const copies = join(root, '.cache/index');
    const flagged = 'base/loki/kustomization.yaml';
    run(root, 'update-index', '--assume-unchanged', flagged);
    // AND git behind a wrapper that clears the flag (another process writing the index) just before `ls-files` lists the entries
    const bin = scratch('obs-git-');
    const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\ncase " $* " in *" ls-files "*) "${git}" update-index --no-assume-unchanged ${flagged};; esac\nexec "${git}" "$@"\n`,
    );
    chmodSync(join(bin, 'git'), 0o755);
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}:${path}`;
    try {
      // WHEN git status runs on the copy while the index changes under the listing
      await gitStatus(root, copies, { unwatched: true });
    } finally {
      process.env['PATH'] = path;
    }
    // AND the flag is set again: the index holds the bytes the copy was named by
    run(root, 'update-index', '--assume-unchanged', flagged);
    // THEN the flagged entry is listed, as git lists it from the index itself
    expect(run(root, 'ls-files', '-v', flagged)).toMatch(/^h /);
    expect((await gitStatus(root, copies, { unwatched: true }))?.unwatched).toEqual([flagged]);
  });
});
