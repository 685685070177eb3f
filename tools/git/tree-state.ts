/**
 * The state of a working tree as one hash, from one `git status`: what a tool needs to know that
 * nothing it reads has changed since its last run, at a small multiple of the cost of reading the index.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimited } from '../concurrency.ts';
import { gitOutputIfAny } from './exec.ts';

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

const records = (text: string): string[] => text.split('\0').filter((record) => record !== '');

/** The path (from the top) of a `git status --porcelain=v2 -z --no-renames` record: after the record's fixed fields (git-status(1)). */
function recordPath(record: string): string {
  const fields = { '1': 8, u: 10, '?': 1 }[record[0] ?? ''];
  if (fields === undefined) return '';
  let at = 0;
  for (let i = 0; i < fields; i++) at = record.indexOf(' ', at) + 1;
  return record.slice(at);
}

/**
 * A sha256 (hex) of every file under `root` that git tracks or would track, as one `git status` sees
 * it: the commit checked out, and each path status reports (staged, changed, unmerged or untracked)
 * with its record and what is on disk there (bytes, link target, or missing). What is unchanged is
 * known by the commit; git's own stat checks decide what changed, racily clean entries included,
 * and refresh the index as `git status` always does. The same hash means no such file was added,
 * removed, renamed or changed. Ignored files (`.cache/`, `node_modules/`, what .gitignore names) are
 * not part of it, so a tool that keys on it reads none (gitIgnored); nor is the working-tree side of
 * entries marked assume-unchanged or skip-worktree (git does not look there). `root` may be below the
 * top of the working tree (a monorepo): git names paths from the top (git-status(1), porcelain
 * format: "relative to the repository root"), and the files are read there. One git process (about
 * 1.7 times `git ls-files -s` at 7,000 files; asking it for ignored files too would add half
 * as much again), one more below the top, and one per untracked directory listed.
 * @returns undefined when `root` is not inside a git working tree, or git is missing
 */
export async function workingTreeState(root: string): Promise<string | undefined> {
  const [status, where] = await Promise.all([
    // -unormal: an untracked directory is one record, listed below (untracked files in full cost git a second pass).
    git(root, ['status', '--porcelain=v2', '-z', '--branch', '--no-ahead-behind', '--no-renames', '--untracked-files=normal']),
    // The top of a working tree holds `.git` (a folder, or a file naming it): no process needed to know where paths start.
    existsSync(join(root, '.git')) ? `${root}\n` : git(root, ['rev-parse', '--show-toplevel']),
  ]);
  if (status === undefined || where === undefined) return undefined;
  const [top = ''] = where.split('\n');
  const hash = createHash('sha256');
  const paths: string[] = [];
  for (const record of records(status)) {
    // Of the headers, only the commit matters (not the branch's name or upstream).
    if (record.startsWith('#') && !record.startsWith('# branch.oid ')) continue;
    const path = recordPath(record);
    hash.update(`${record}\0`);
    if (record.startsWith('#')) continue;
    if (!path.endsWith('/')) paths.push(path);
    else {
      const inside = await git(top, ['--literal-pathspecs', 'ls-files', '--others', '--exclude-standard', '-z', '--', path]);
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
