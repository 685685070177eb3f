import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeGitHub } from '../fixtures/github-server.ts';
import { REPO_ROOT } from '../support/repo.ts';

const TOKEN = 'pr-comment-test-token';
const run = promisify(execFile);

/** Runs the real command in a child process (async: the fake server answers from this process). */
async function prComment(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, [join(REPO_ROOT, 'scripts/pr-comment.ts'), ...args], { env: { ...process.env, ...env }, cwd: REPO_ROOT });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run pr-comment', async () => {
  const server = await startFakeGitHub({ token: TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'obs-prc-'));
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const pr = server.addPullRequest('acme/obs').number;
  const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.url };
  const body = (text: string): string => {
    const file = join(dir, `${text}.md`);
    writeFileSync(file, `<!-- observability-gitops:pr-diff -->\n## Rendered diff\n\n${text}\n`);
    return file;
  };

  it('creates the sticky comment, then updates it in place on the next run', async () => {
    const first = await prComment(['--repo', 'acme/obs', '--pr', String(pr), '--body-file', body('first')], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created comment /);
    const second = await prComment(['--repo', 'acme/obs', '--pr', String(pr), '--body-file', body('second')], env);
    expect(second.stdout).toMatch(/^updated comment /);
    const comments = server.comments('acme/obs', pr);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('second');
  });

  it('exits 2 with one line when the PR does not exist', async () => {
    const result = await prComment(['--repo', 'acme/obs', '--pr', '9999', '--body-file', body('x')], env);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: PR #9999 not found in acme/obs (404): check --repo and --pr');
  });

  it('exits 2 when the token is refused, without printing it', async () => {
    const result = await prComment(['--repo', 'acme/obs', '--pr', String(pr), '--body-file', body('y')], { ...env, GITHUB_TOKEN: 'wrong-token' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: GitHub rejected the token \(401\)/);
    expect(result.stderr).not.toContain('wrong-token');
  });

  it('exits 2 without a token or with a malformed repository', async () => {
    expect((await prComment(['--repo', 'acme/obs', '--pr', '1', '--body-file', body('z')], { GITHUB_TOKEN: '' })).stderr).toMatch(/^error: GITHUB_TOKEN is not set/);
    expect((await prComment(['--repo', 'acme', '--pr', '1', '--body-file', body('z')], env)).stderr).toMatch(/^error: repository "acme" is not OWNER\/NAME/);
  });
});
