/**
 * One `git status` of a working tree, in porcelain v2 records: what changed against the commit
 * checked out (staged or not) and what is untracked, with git's own stat checks, optionally on a
 * private copy of the index (private-index.ts) so that the repository's index is never written.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gitOutputIfAny } from './exec.ts';
import { writeWholeSync } from '../files.ts';
import {
  discardPrivateIndex,
  holdsCopied,
  type IndexLocation,
  indexLocation,
  locationAtTop,
  privateIndex,
  type PrivateIndex,
} from './private-index.ts';

const git = gitOutputIfAny;

/** The NUL-separated records of git's `-z` output. */
export const records = (text: string): string[] => text.split('\0').filter((record) => record !== '');

/** The path (from the top) of a `git status --porcelain=v2 -z --no-renames` record: after the record's fixed fields (git-status(1)). */
export function recordPath(record: string): string {
  const fields = { '1': 8, u: 10, '?': 1 }[record[0] ?? ''];
  if (fields === undefined) return '';
  let at = 0;
  for (let i = 0; i < fields; i++) at = record.indexOf(' ', at) + 1;
  return record.slice(at);
}

/**
 * `git status`'s arguments for the state: -unormal lists an untracked directory as one record
 * (untracked files in full cost git a second pass).
 */
const STATUS = ['status', '--porcelain=v2', '-z', '--branch', '--no-ahead-behind', '--no-renames', '--untracked-files=normal'];

/** `H`, the tag `git ls-files -v` gives an entry git status looks at (git-ls-files(1)). */
const WATCHED = 'H'.charCodeAt(0);

/**
 * The paths of `git ls-files -v -z` records tagged other than `H ` (one per index entry: a tag, a
 * space, the path): lowercase for assume-unchanged, `S` for skip-worktree. Scanned in place: of the
 * many records, only the few such paths are cut out.
 */
function unwatchedPaths(listed: string): string[] {
  const paths: string[] = [];
  for (let start = 0, end = listed.indexOf('\0'); end !== -1; start = end + 1, end = listed.indexOf('\0', start))
    if (end > start && listed.charCodeAt(start) !== WATCHED) paths.push(listed.slice(start + 2, end));
  return paths;
}

/** Where the unwatched entries of the index a private copy was made from are kept: beside the copy, named after it. */
const unwatchedFile = (copy: PrivateIndex): string => `${copy.path}.unwatched`;

/**
 * The index entries git status does not look at on disk (unwatchedPaths), as `git ls-files -v` finds
 * them in `location`'s index. They are flags of the index itself, so with a private copy (named by the
 * index's content) they are kept beside it and read from there while the index is the same; a list the
 * index changed under (between the copy and git's reading) is not kept, as it may be another content's.
 * @returns undefined when git fails
 */
async function unwatchedEntries(location: IndexLocation, copy: PrivateIndex | undefined): Promise<string[] | undefined> {
  const top = location.top;
  if (copy) {
    try {
      const kept: unknown = JSON.parse(readFileSync(unwatchedFile(copy), 'utf8'));
      if (Array.isArray(kept) && kept.every((path) => typeof path === 'string')) return kept as string[];
    } catch {
      // None kept yet, or unreadable: listed again.
    }
  }
  const listed = await git(top, ['ls-files', '-v', '-z']);
  if (listed === undefined) return undefined;
  const paths = unwatchedPaths(listed);
  if (copy && location.index !== undefined && holdsCopied(location.index, copy)) {
    try {
      writeWholeSync(unwatchedFile(copy), JSON.stringify(paths));
    } catch {
      // Only a saving lost.
    }
  }
  return paths;
}

/** What statusText found: git's output, the environment later git commands run with, and the unwatched entries when asked for. */
interface StatusText {
  text?: string;
  env?: NodeJS.ProcessEnv;
  unwatched?: string[];
}

/**
 * `git status` in `top`, on the private copy of its index in `copies` when one can be kept there
 * (private-index.ts), else on the index itself. On the copy, git's split index is off (git writes the
 * copy whole, nothing beside it in the git directory; git-config(1) core.splitIndex), and the untracked
 * cache is on for the copy's first status (core.untrackedCache=true adds it, git-config(1)); later
 * statuses keep it unless the repository's config says `false` (git removes it then: for a file system
 * whose folders' modification times do not change when an entry is added or removed, git-update-index(1)
 * "UNTRACKED CACHE"). A copy git cannot read is discarded and the index itself read. With `unwatched`,
 * the index's unwatched entries too (unwatchedEntries), found while git status runs.
 * @returns the status, and the environment later git commands of the same state run with
 */
async function statusText(location: IndexLocation, copies: string | undefined, unwatched: boolean): Promise<StatusText> {
  const copy = copies && location.index ? privateIndex(location.index, resolve(copies)) : undefined;
  const env = copy ? { ...process.env, GIT_INDEX_FILE: copy.path } : undefined;
  const settings = copy ? ['-c', 'core.splitIndex=false', ...(copy.seeded ? ['-c', 'core.untrackedCache=true'] : [])] : [];
  // git status first (what the caller waits for), then the entries beside it.
  const onCopy = copy ? git(location.top, [...settings, ...STATUS], env) : Promise.resolve(undefined);
  const entries = unwatched ? unwatchedEntries(location, copy) : Promise.resolve(undefined);
  const withEntries = async (found: Omit<StatusText, 'unwatched'>): Promise<StatusText> => {
    const paths = await entries;
    return paths === undefined ? found : { ...found, unwatched: paths };
  };
  const text = await onCopy;
  if (text !== undefined) return withEntries({ text, ...(env ? { env } : {}) });
  if (copy) await discardPrivateIndex(copy);
  const onIndex = await git(location.top, STATUS);
  return withEntries(onIndex === undefined ? {} : { text: onIndex });
}

/** A working tree's status: where its paths start, its records, and the environment later git commands of the same state run with. */
export interface Status {
  /** The top of the working tree: status paths are relative to it. */
  top: string;
  /** Headers (`# branch.oid <commit>`, …) and entries (`1`, `2`, `u`, `?`), in git's order (git-status(1), porcelain v2). */
  records: string[];
  env?: NodeJS.ProcessEnv;
  /** When asked for: the index entries git status does not look at on disk (assume-unchanged, skip-worktree), by path. */
  unwatched?: string[];
}

/**
 * `git status --porcelain=v2 -z --branch --no-renames --untracked-files=normal` of the working tree
 * `root` is in: on a private copy of the index kept in the folder `indexCopies` when given (see
 * statusText), else on the index itself. `options.unwatched`: the index entries git status does not
 * look at too (unwatchedEntries).
 * @returns undefined when `root` is not inside a git working tree, or git is missing or fails
 */
export async function gitStatus(root: string, indexCopies?: string, options: { unwatched?: boolean } = {}): Promise<Status | undefined> {
  // At the top of a working tree, found with no process: git status starts within this call.
  const location = locationAtTop(root) ?? (await indexLocation(root));
  if (location === undefined) return undefined;
  const { text, env, unwatched } = await statusText(location, indexCopies, options.unwatched === true);
  if (text === undefined || (options.unwatched && unwatched === undefined)) return undefined;
  return { top: location.top, records: records(text), ...(env ? { env } : {}), ...(unwatched ? { unwatched } : {}) };
}
