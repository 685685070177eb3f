/**
 * The state of a working tree as one hash, from one `git status`: what a tool needs to know that
 * nothing it reads has changed since its last run, at a small multiple of the cost of reading the index.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimited } from '../concurrency.ts';
import { gitOutputIfAny } from './exec.ts';
import { gitStatus, recordPath, records } from './status.ts';

const git = gitOutputIfAny;

/** A file git cannot vouch for, by what is on disk: a link by its target, a file by its bytes, else what it is. */
async function onDisk(root: string, path: string): Promise<string> {
  const file = join(root, path);
  const stats = await lstat(file).catch(() => undefined);
  if (!stats) return 'missing';
  if (stats.isSymbolicLink()) return `link ${await readlink(file)}`;
  if (!stats.isFile()) return stats.isDirectory() ? 'directory' : 'other';
  return `file ${stats.mode & 0o111 ? 'x' : '-'} ${createHash('sha1')
    .update(await readFile(file))
    .digest('hex')}`;
}

/**
 * A sha256 (hex) of every file under `root` that git tracks or would track, as one `git status` sees
 * it: the commit checked out, and each path status reports (staged, changed, unmerged or untracked)
 * with its record and what is on disk there (bytes, link target, or missing). What is unchanged is
 * known by the commit; git's own stat checks decide what changed, racily clean entries included. The
 * same hash means no such file was added, removed, renamed or changed. Ignored files (`.cache/`,
 * `node_modules/`, what .gitignore names) are not part of it, so a tool that keys on it reads none
 * (gitIgnored); nor is the working-tree side of entries marked assume-unchanged or skip-worktree (git
 * does not look there). `root` may be below the top of the working tree (a monorepo): git names paths
 * from the top (git-status(1), porcelain format: "relative to the repository root"), and the files are
 * read there.
 *
 * With `options.indexCopies` (a folder git ignores, e.g. a cache), git reads a private copy of the
 * index kept there (private-index.ts), copied again whenever the index changed: the same entries, so
 * the same hash as without, but git refreshes the copy's stat data and keeps its untracked cache in it
 * (git-update-index(1) "UNTRACKED CACHE": folders whose modification time did not change are not read
 * again), and the index every other git command reads is never written or locked by this (a `git
 * commit` run meanwhile does not meet our `index.lock`). Without it, `git status` refreshes the index
 * itself, as it always does. On a 7,366-file tree (2 cores), git's status took about 2 times `git
 * ls-files -s` on the copy and 3.4 times without; nearly all that is left is the stat of every tracked
 * file (asking git for ignored files too would add half as much again). One git process, one more
 * below the top (where `.git` is not), and one per untracked directory listed.
 * @returns undefined when `root` is not inside a git working tree, or git is missing
 */
export async function workingTreeState(root: string, options: { indexCopies?: string } = {}): Promise<string | undefined> {
  const status = await gitStatus(root, options.indexCopies);
  if (status === undefined) return undefined;
  const { top, env } = status;
  const hash = createHash('sha256');
  const paths: string[] = [];
  for (const record of status.records) {
    // Of the headers, only the commit matters (not the branch's name or upstream).
    if (record.startsWith('#') && !record.startsWith('# branch.oid ')) continue;
    const path = recordPath(record);
    hash.update(`${record}\0`);
    if (record.startsWith('#')) continue;
    if (!path.endsWith('/')) paths.push(path);
    else {
      const inside = await git(top, ['--literal-pathspecs', 'ls-files', '--others', '--exclude-standard', '-z', '--', path], env);
      paths.push(...records(inside ?? ''));
    }
  }
  const states = await mapLimited(paths, (path) => onDisk(top, path), 32);
  paths.forEach((path, index) => hash.update(`${path}\t${states[index]}\0`));
  return hash.digest('hex');
}

/**
 * Which paths under `dirs` (folders of `root`) git ignores (.gitignore, .git/info/exclude, the global
 * excludes file): what `git add` leaves out, so neither a commit nor Argo CD ever has them. A
 * predicate on root-relative paths (`/`); outside a git working tree nothing is ignored.
 */
export async function gitIgnored(root: string, dirs: readonly string[]): Promise<(path: string) => boolean> {
  const listed = await git(root, [
    '--literal-pathspecs',
    'ls-files',
    '--others',
    '--ignored',
    '--exclude-standard',
    '--directory',
    '-z',
    '--',
    ...dirs,
  ]);
  const entries = records(listed ?? '');
  if (entries.length === 0) return () => false;
  const files = new Set(entries.filter((entry) => !entry.endsWith('/')));
  const folders = entries.filter((entry) => entry.endsWith('/'));
  return (path) => files.has(path) || folders.some((folder) => path.startsWith(folder));
}
