/**
 * What differs between a commit and its successor (another commit, or the working tree), by path,
 * as git's own comparison finds it: the few paths a change touches, so that a caller need not read
 * or hash the many it leaves alone.
 */
import { gitOutput } from './exec.ts';

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

const entries = (text: string): string[] => text.split('\0').filter((entry) => entry !== '');

/**
 * The paths that differ between the commit `base` (a full SHA, see resolveRef) and `head`: another
 * commit (`git diff-tree`), or, when `head` is undefined, the working tree at `root` (the top of it):
 * `git diff <base>` for tracked files, staged or not (git's stat checks decide, racily clean entries
 * included, git-diff(1)), and every untracked file git does not ignore (`git ls-files --others
 * --exclude-standard --directory`: an untracked directory is one entry). Renames are two paths.
 * Files git ignores are not changes: a commit of the working tree would not hold them.
 * @throws GitCommandError when git fails (not a repository, an unknown commit)
 */
export async function changedPaths(root: string, base: string, head?: string): Promise<Changes> {
  if (head !== undefined) {
    const listed = await gitOutput(root, ['diff-tree', '-r', '-z', '--no-renames', '--name-only', '--end-of-options', base, head]);
    return new Changes(entries(listed));
  }
  const [tracked, untracked] = await Promise.all([
    gitOutput(root, ['diff', '--no-ext-diff', '--no-renames', '--name-only', '-z', '--end-of-options', base, '--']),
    gitOutput(root, ['ls-files', '-z', '--others', '--exclude-standard', '--directory', '--no-empty-directory']),
  ]);
  const others = entries(untracked);
  return new Changes(
    [...entries(tracked), ...others.filter((path) => !path.endsWith('/'))],
    others.filter((path) => path.endsWith('/')).map((path) => path.slice(0, -1)),
  );
}
