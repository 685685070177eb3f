import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRefError, resolveRef, withWorktree } from '../../tools/git/worktree.ts';

/** The worktrees git knows of, as `git worktree list --porcelain` reports them. */
async function worktreePaths(git: SimpleGit): Promise<string[]> {
  const listing = await git.raw(['worktree', 'list', '--porcelain']);
  return listing
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

describe('withWorktree', () => {
  let repo: string;
  let git: SimpleGit;
  let first: string;
  let second: string;

  beforeAll(async () => {
    // GIVEN a repository with two commits changing one overlay file
    repo = await realpath(await mkdtemp(join(tmpdir(), 'worktree-test-')));
    git = simpleGit({ baseDir: repo });
    await git.init();
    await git.addConfig('user.name', 'Test').addConfig('user.email', 'test@example.com').addConfig('commit.gpgsign', 'false');
    await writeFile(join(repo, 'replicas.txt'), '1\n');
    await git.add('replicas.txt').commit('first');
    first = (await git.revparse(['HEAD'])).trim();
    await writeFile(join(repo, 'replicas.txt'), '3\n');
    await git.add('replicas.txt').commit('second');
    second = (await git.revparse(['HEAD'])).trim();
  });

  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('resolves refs to full SHAs', async () => {
    // WHEN resolving a branch-relative ref, HEAD and a short SHA
    // THEN each is the full SHA of its commit
    expect(await resolveRef(repo, 'HEAD~1')).toBe(first);
    expect(await resolveRef(repo, 'HEAD')).toBe(second);
    expect(await resolveRef(repo, first.slice(0, 10))).toBe(first);
  });

  it("checks out the ref's content in a temporary directory, then removes it", async () => {
    // WHEN the first commit is checked out and read
    let seenDir = '';
    const content = await withWorktree(repo, 'HEAD~1', async (dir) => {
      seenDir = dir;
      expect(await worktreePaths(git)).toContain(await realpath(dir));
      return readFile(join(dir, 'replicas.txt'), 'utf8');
    });

    // THEN it saw the first commit's content, while the main checkout keeps the second
    expect(content).toBe('1\n');
    expect(await readFile(join(repo, 'replicas.txt'), 'utf8')).toBe('3\n');
    // AND the worktree is gone: only the main one is listed, and the directory no longer exists
    expect(await worktreePaths(git)).toEqual([repo]);
    expect(existsSync(seenDir)).toBe(false);
  });

  it('removes the worktree when the callback throws, and rethrows its error', async () => {
    // GIVEN a callback that leaves an untracked file behind and fails
    const failure = new Error('kustomize failed');
    let seenDir = '';

    // WHEN run in a worktree
    const run = withWorktree(repo, first, async (dir) => {
      seenDir = dir;
      await writeFile(join(dir, 'rendered.yaml'), 'kind: ConfigMap\n');
      throw failure;
    });

    // THEN the callback's own error comes out, and the worktree is gone all the same
    await expect(run).rejects.toBe(failure);
    expect(await worktreePaths(git)).toEqual([repo]);
    expect(existsSync(seenDir)).toBe(false);
  });

  it('refuses a bad ref with a typed error naming it, before creating anything', async () => {
    // WHEN asked for a branch that does not exist, and for a ref that looks like an option
    // (each promise gets its handler at once: one settling while the other is awaited is no unhandled rejection)
    const missing = withWorktree(repo, 'feature/no-such-branch', async () => 'unreachable').catch((error: unknown) => error);
    const option = resolveRef(repo, '--output=/tmp/owned').catch((error: unknown) => error);

    // THEN each is a GitRefError that names the ref
    expect(await missing).toBeInstanceOf(GitRefError);
    expect(await missing).toMatchObject({
      ref: 'feature/no-such-branch',
      message: expect.stringMatching(/^git ref "feature\/no-such-branch": not a commit in /),
    });
    expect(await option).toMatchObject({ name: 'GitRefError', ref: '--output=/tmp/owned' });
    expect(existsSync('/tmp/owned')).toBe(false);
    expect(await worktreePaths(git)).toEqual([repo]);
  });
});
