import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { gitOutput } from './exec.ts';

/** A ref that does not name a commit in the repository. */
export class GitRefError extends Error {
  override readonly name = 'GitRefError';
  readonly ref: string;

  constructor(ref: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.ref = ref;
  }
}

/** The repository cannot be opened, or a worktree cannot be added or removed. */
export class WorktreeError extends Error {
  override readonly name = 'WorktreeError';
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().split('\n')[0] ?? '';
}

function open(repoDir: string): SimpleGit {
  try {
    return simpleGit({ baseDir: repoDir });
  } catch (error) {
    throw new WorktreeError(`${repoDir}: cannot open the git repository: ${reason(error)}`, { cause: error });
  }
}

/** The full SHA of the commit a ref names (branch, tag, SHA, `HEAD~1`, `origin/main`, …). */
export async function resolveRef(repoDir: string, ref: string): Promise<string> {
  try {
    // --end-of-options: a ref from a pull request must not be read as a git option.
    const sha = (await gitOutput(repoDir, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
    if (/^[0-9a-f]{40,64}$/.test(sha)) return sha;
    throw new Error(`rev-parse printed ${JSON.stringify(sha)}`);
  } catch (error) {
    throw new GitRefError(
      ref,
      `git ref "${ref}": not a commit in ${repoDir} (${reason(error)}): check the name, and fetch it first in a shallow clone (git fetch origin ${ref})`,
      { cause: error },
    );
  }
}

async function removeWorktree(git: SimpleGit, dir: string): Promise<void> {
  const removed = await git.raw(['worktree', 'remove', '--force', dir]).then(
    () => true,
    () => false,
  );
  if (removed) return;
  // The checkout may be half-made or already gone: delete it ourselves and let git forget it.
  await rm(dir, { recursive: true, force: true });
  try {
    await git.raw(['worktree', 'prune']);
  } catch (error) {
    throw new WorktreeError(`${dir}: git worktree prune failed after removing the worktree: ${reason(error)}`, { cause: error });
  }
}

/**
 * Runs `fn` on a detached checkout of `ref` in a fresh temporary directory, then removes the
 * worktree (and prunes it), also when `fn` throws.
 */
export async function withWorktree<T>(repoDir: string, ref: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const sha = await resolveRef(repoDir, ref);
  const git = open(repoDir);
  const dir = await mkdtemp(join(tmpdir(), 'worktree-'));
  try {
    await git.raw(['worktree', 'add', '--detach', dir, sha]);
  } catch (error) {
    await removeWorktree(git, dir);
    throw new WorktreeError(`${repoDir}: git worktree add for "${ref}" (${sha}) failed: ${reason(error)}`, { cause: error });
  }
  try {
    return await fn(dir);
  } finally {
    await removeWorktree(git, dir);
  }
}
