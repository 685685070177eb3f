/**
 * The state of a working tree as one hash, from git's index: what a tool needs to know that nothing
 * it reads has changed since its last run, at about the cost of reading the index.
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
  const fields = { '1': 8, u: 10, '?': 1, '!': 1 }[record[0] ?? ''];
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
 * removed, renamed or changed; ignored files (`.cache/`, `node_modules/`) are not part of it, except
 * under `ignoredUnder` (folders of `root` a tool walks itself, reading what git ignores there), nor
 * the working-tree side of entries marked assume-unchanged or skip-worktree (git does not look there).
 * `root` may be below the top of the working tree (a monorepo): git names paths from the top
 * (git-status(1), porcelain format: "relative to the repository root"), and the files are read there.
 * Two git processes at once (status about twice `git ls-files -s` at 10,000 files; with
 * `--ignored=matching` an ignored directory is one record, not walked), plus one per untracked or
 * ignored directory listed.
 * @returns undefined when `root` is not inside a git working tree, or git is missing
 */
export async function workingTreeState(root: string, ignoredUnder: readonly string[] = []): Promise<string | undefined> {
  const [status, where] = await Promise.all([
    // -unormal: an untracked directory is one record, listed below (untracked files in full cost git a second pass).
    git(root, [
      'status',
      '--porcelain=v2',
      '-z',
      '--branch',
      '--no-ahead-behind',
      '--no-renames',
      '--untracked-files=normal',
      '--ignored=matching',
    ]),
    // The top of a working tree holds `.git` (a folder, or a file naming it): no process needed to know where paths start.
    existsSync(join(root, '.git')) ? `${root}\n\n` : git(root, ['rev-parse', '--show-toplevel', '--show-prefix']),
  ]);
  if (status === undefined || where === undefined) return undefined;
  const [top = '', prefix = ''] = where.split('\n');
  const walked = ignoredUnder.map((dir) => `${prefix}${dir}/`);
  const isWalked = (path: string): boolean => walked.some((dir) => path.startsWith(dir));
  const hash = createHash('sha256');
  const paths: string[] = [];
  for (const record of records(status)) {
    // Of the headers, only the commit matters (not the branch's name or upstream).
    if (record.startsWith('#') && !record.startsWith('# branch.oid ')) continue;
    const path = recordPath(record);
    // An ignored path counts only where the tool reads it (`.cache/` changes while it runs).
    if (record.startsWith('! ') && !isWalked(path)) continue;
    hash.update(`${record}\0`);
    if (record.startsWith('#')) continue;
    if (!path.endsWith('/')) paths.push(path);
    else {
      // A directory's files; where the tool walks, the ignored ones too.
      const exclude = isWalked(path) ? [] : ['--exclude-standard'];
      const inside = await git(top, ['--literal-pathspecs', 'ls-files', '--others', ...exclude, '-z', '--', path]);
      paths.push(...records(inside ?? ''));
    }
  }
  const states = await mapLimited(paths, (path) => onDisk(top, path), 32);
  paths.forEach((path, index) => hash.update(`${path}\t${states[index]}\0`));
  return hash.digest('hex');
}
