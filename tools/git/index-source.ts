/**
 * The working tree's files as git already knows them: a tracked file that `git diff-files` does not
 * report as changed has its index blob id, so it need not be read and hashed again. git's own stat
 * checks (racy-clean entries included) decide what changed; everything else is read from disk.
 */
import { gitOutputIfAny } from './exec.ts';
import type { EntryKind, InputSource, ObjectFormat } from './source.ts';

const git = gitOutputIfAny;

/**
 * `disk`, answering from git's index where it can. Undefined when `root` is not the top of a git
 * working tree or the repository's ids are not `format`'s: then only the disk can answer.
 */
export async function gitIndexSource(root: string, disk: InputSource, format: ObjectFormat): Promise<InputSource | undefined> {
  const [prefix, staged, changed] = await Promise.all([
    git(root, ['rev-parse', '--show-prefix']),
    // -v tags entries: `H` is a plain cached file; assume-unchanged (lowercase) and skip-worktree (`S`) are not to be trusted.
    git(root, ['ls-files', '--stage', '-v', '-z']),
    git(root, ['diff-files', '--name-only', '-z']),
  ]);
  if (prefix === undefined || prefix.trim() !== '' || staged === undefined || changed === undefined) return undefined;
  const modified = new Set(changed.split('\0'));
  const ids = new Map<string, string>();
  const dirs = new Set<string>();
  for (const record of staged.split('\0')) {
    // `H 100644 <oid> 0\t<path>`
    const tab = record.indexOf('\t');
    if (tab === -1) continue;
    const [tag, mode, oid, stage] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (tag !== 'H' || stage !== '0' || (mode !== '100644' && mode !== '100755') || modified.has(path)) continue;
    if (oid?.length !== (format === 'sha1' ? 40 : 64)) return undefined;
    ids.set(path, oid);
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) dirs.add(path.slice(0, slash));
  }
  return {
    kind: (path): EntryKind => (ids.has(path) ? 'file' : dirs.has(path) ? 'dir' : disk.kind(path)),
    bytes: (path) => disk.bytes(path),
    contentId: async (path) => ids.get(path) ?? disk.contentId(path),
    knownId: (path) => ids.get(path),
    filesUnder: (dir) => disk.filesUnder(dir),
    // An unchanged entry has no symbolic link in its path (git reports a file under a linked directory
    // as removed: diff-lib.c check_removed, has_symlink_leading_path), so it and its directories are inside.
    ...(disk.outside ? { outside: (path: string) => !ids.has(path) && !dirs.has(path) && (disk.outside?.(path) ?? false) } : {}),
  };
}
