/**
 * What differs between a commit and its successor (another commit, or the working tree), by path,
 * as git's own comparison finds it: the few paths a change touches, so that a caller need not read
 * or hash the many it leaves alone.
 */
import { gitOutput } from './exec.ts';
import { gitStatus, recordPath, records } from './status.ts';

/** The paths that differ between two sides, from the top of the working tree (`/`-separated). */
export class Changes {
  /** Files added, removed, changed or changed in type (a file that became a link, say). */
  readonly paths: ReadonlySet<string>;
  /** Directories every path under which counts as changed (untracked directories of a working tree). */
  readonly dirs: ReadonlySet<string>;
  /** Every directory above a changed path or directory ('' for the top). */
  private readonly above = new Set<string>();
  /** Each changed path and directory with a trailing `/`: what a path under it starts with. */
  private readonly roots: string[];

  constructor(paths: Iterable<string>, dirs: Iterable<string> = []) {
    this.paths = new Set(paths);
    this.dirs = new Set(dirs);
    this.roots = [...this.paths, ...this.dirs].map((path) => `${path}/`);
    for (const path of [...this.paths, ...this.dirs]) {
      this.above.add('');
      for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) this.above.add(path.slice(0, slash));
    }
  }

  /**
   * Whether `path` is itself a changed file or directory, or lies under a changed directory or under a
   * changed path (a file that became a directory).
   */
  within(path: string): boolean {
    if (this.paths.has(path) || this.dirs.has(path)) return true;
    // Few changes (the usual case): compared one by one, no string cut per level of the path.
    if (this.size <= FEW) return this.roots.some((root) => path.startsWith(root));
    for (let slash = path.lastIndexOf('/'); slash !== -1; slash = path.lastIndexOf('/', slash - 1)) {
      const dir = path.slice(0, slash);
      if (this.paths.has(dir) || this.dirs.has(dir)) return true;
    }
    return false;
  }

  /**
   * Whether anything a reader could learn at `path` may differ: its own content or kind, or (for a
   * directory) the files under it. True for a changed path, for anything under one, and for every
   * directory above one.
   */
  touches(path: string): boolean {
    return this.above.has(path) || this.within(path);
  }

  get size(): number {
    return this.paths.size + this.dirs.size;
  }
}

/** Up to this many changes, `within` compares a path with each of them. */
const FEW = 16;

/**
 * The paths that differ between the commit `baseRef` (a full SHA, see resolveRef; or the promise of
 * one, resolved while git status runs) and `headRef`: another commit (`git diff-tree`), or, when
 * `headRef` is undefined, the working tree at `root` (the top of it). For the working tree: one
 * `git status` (status.ts; on a private copy of the index in the folder `indexCopies` when given)
 * for what changed since the commit checked out, staged or not, with git's stat checks (racily
 * clean entries included), and every untracked file git does not ignore (an untracked directory is
 * one entry); the entries git status does not look at on disk (assume-unchanged, skip-worktree: the
 * disk answers there, as kustomize reads it); and, when that commit is not the base, the paths
 * `git diff-tree` finds between the two. A path changed and changed back counts as changed: the
 * caller compares what it reads.
 * Renames are two paths. Files git ignores are not changes: a commit of the working tree would not
 * hold them.
 * @throws GitCommandError when git fails (an unknown commit, not a git working tree), Error when git status fails
 */
export async function changedPaths(
  root: string,
  baseRef: string | Promise<string>,
  headRef?: string | Promise<string>,
  indexCopies?: string,
): Promise<Changes> {
  const between = (from: string, to: string) =>
    gitOutput(root, ['diff-tree', '-r', '-z', '--no-renames', '--name-only', '--end-of-options', from, to]).then(records);
  if (headRef !== undefined) return new Changes(await between(await baseRef, await headRef));
  // Started before the base is awaited: a status needs no ref. With it, the entries git status does not look at
  // on disk (assume-unchanged, skip-worktree; status.ts): the disk, not the commit, answers there.
  const statusOf = gitStatus(root, indexCopies, { unwatched: true });
  // A bad base fails once git has ended: no git is left running (writing the index copy) after this throws.
  const base = await Promise.resolve(baseRef).catch(async (error: unknown) => {
    await statusOf.catch(() => undefined);
    throw error;
  });
  const status = await statusOf;
  if (status === undefined) throw new Error(`${root}: git status failed: not a git working tree, or git is missing`);
  const paths: string[] = [...(status.unwatched ?? [])];
  const dirs: string[] = [];
  let checkedOut = '';
  for (const record of status.records) {
    if (record.startsWith('# branch.oid ')) checkedOut = record.slice('# branch.oid '.length);
    if (record.startsWith('#')) continue;
    const path = recordPath(record);
    if (path.endsWith('/')) dirs.push(path.slice(0, -1));
    else if (path !== '') paths.push(path);
  }
  // A branch with no commit yet (`(initial)`): everything of the base differs from it.
  if (checkedOut === '(initial)')
    paths.push(...records(await gitOutput(root, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', '--end-of-options', base])));
  else if (checkedOut !== base) paths.push(...(await between(base, checkedOut)));
  return new Changes(paths, dirs);
}
