/**
 * One `git status` of a working tree, in porcelain v2 records: what changed against the commit
 * checked out (staged or not) and what is untracked, with git's own stat checks, optionally on a
 * private copy of the index (private-index.ts) so that the repository's index is never written.
 */
import { resolve } from 'node:path';
import { gitOutputIfAny } from './exec.ts';
import { discardPrivateIndex, type IndexLocation, indexLocation, privateIndex } from './private-index.ts';

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

/**
 * `git status` in `top`, on the private copy of its index in `copies` when one can be kept there
 * (private-index.ts), else on the index itself. On the copy, git's split index is off (git writes the
 * copy whole, nothing beside it in the git directory; git-config(1) core.splitIndex), and the untracked
 * cache is on for the copy's first status (core.untrackedCache=true adds it, git-config(1)); later
 * statuses keep it unless the repository's config says `false` (git removes it then: for a file system
 * whose folders' modification times do not change when an entry is added or removed, git-update-index(1)
 * "UNTRACKED CACHE"). A copy git cannot read is discarded and the index itself read.
 * @returns the status, and the environment later git commands of the same state run with
 */
async function statusText(location: IndexLocation, copies: string | undefined): Promise<{ text?: string; env?: NodeJS.ProcessEnv }> {
  const copy = copies && location.index ? await privateIndex(location.index, resolve(copies)) : undefined;
  if (copy) {
    const env = { ...process.env, GIT_INDEX_FILE: copy.path };
    const settings = ['-c', 'core.splitIndex=false', ...(copy.seeded ? ['-c', 'core.untrackedCache=true'] : [])];
    const text = await git(location.top, [...settings, ...STATUS], env);
    if (text !== undefined) return { text, env };
    await discardPrivateIndex(copy);
  }
  const text = await git(location.top, STATUS);
  return text === undefined ? {} : { text };
}

/** A working tree's status: where its paths start, its records, and the environment later git commands of the same state run with. */
export interface Status {
  /** The top of the working tree: status paths are relative to it. */
  top: string;
  /** Headers (`# branch.oid <commit>`, …) and entries (`1`, `2`, `u`, `?`), in git's order (git-status(1), porcelain v2). */
  records: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * `git status --porcelain=v2 -z --branch --no-renames --untracked-files=normal` of the working tree
 * `root` is in: on a private copy of the index kept in the folder `indexCopies` when given (see
 * statusText), else on the index itself.
 * @returns undefined when `root` is not inside a git working tree, or git is missing or fails
 */
export async function gitStatus(root: string, indexCopies?: string): Promise<Status | undefined> {
  const location = await indexLocation(root);
  if (location === undefined) return undefined;
  const { text, env } = await statusText(location, indexCopies);
  if (text === undefined) return undefined;
  return { top: location.top, records: records(text), ...(env ? { env } : {}) };
}
