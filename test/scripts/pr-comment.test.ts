import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeSha, startFakeGitHub, type FakeGitHubServer } from '../fixtures/github-server.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { workflowRunEvent, type RunFields } from '../support/workflow-run.ts';

const TOKEN = 'pr-comment-test-token';
const MARKER = '<!-- observability-gitops:pr-diff -->';
const run = promisify(execFile);

/** Runs the real command in a child process (async: the fake server answers from this process). */
async function prComment(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, [join(REPO_ROOT, 'scripts/pr-comment.ts'), ...args], {
      env: { ...process.env, ...env },
      cwd: REPO_ROOT,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run pr-comment --workflow-run (the posting job)', async () => {
  const server = await startFakeGitHub({ token: TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'obs-prc-'));
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.url };
  let count = 0;

  /** One pr-diff run's leftovers: the event GitHub sends the posting job, and the artifact the run uploaded. */
  function runOf(fields: RunFields, files: Record<string, string | Buffer>): string[] {
    const at = join(dir, String(count++));
    mkdirSync(join(at, 'artifact'), { recursive: true });
    writeFileSync(join(at, 'event.json'), JSON.stringify(workflowRunEvent(fields)));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(at, 'artifact', name), content);
    return ['--repo', 'acme/obs', '--workflow-run', join(at, 'event.json'), '--artifact', join(at, 'artifact')];
  }
  const report = (text: string): string => `Base ${fakeSha('base')} → head x\n\n${text}\n`;
  const writes = (s: FakeGitHubServer) => s.requests.filter((r) => r.method !== 'GET').length;

  it('creates the comment for the PR GitHub names, then updates that one comment for the next head', async () => {
    // GIVEN a fork's pull request at a first commit
    const first = fakeSha('honest 1');
    const pr = server.addPullRequest('acme/obs', { head: { repo: 'mallory/obs', ref: 'fix', sha: first } }).number;
    server.addComment('acme/obs', pr, 'Looks fine to me');

    // WHEN its run posts, a commit is pushed, and the run for the new head posts
    const created = await prComment(
      runOf(
        { headRepo: 'mallory/obs', headBranch: 'fix', headSha: first, id: 11 },
        { 'pr-number': `${pr}\n`, 'comment.md': report('first') },
      ),
      env,
    );
    const second = fakeSha('honest 2');
    server.pushToPullRequest('acme/obs', pr, second);
    const updated = await prComment(
      runOf(
        { headRepo: 'mallory/obs', headBranch: 'fix', headSha: second, id: 12 },
        { 'pr-number': `${pr}\n`, 'comment.md': report('second') },
      ),
      env,
    );

    // THEN one bot comment, marker and title written by the posting side, for the new head and run
    expect(created).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^created comment https:\/\/github\.com\/acme\/obs\/pull\/\d+#issuecomment-\d+\n$/),
    });
    expect(updated).toMatchObject({ code: 0, stdout: expect.stringMatching(/^updated comment /) });
    const comments = server.comments('acme/obs', pr);
    expect(comments.map((c) => c.body)).toEqual([
      'Looks fine to me',
      `${MARKER}\n## Rendered diff\n\nFor #${pr} at [\`${second.slice(0, 7)}\`](https://github.com/acme/obs/commit/${second}), rendered by [run 12](https://github.com/acme/obs/actions/runs/12) with the pull request's own code.\n\n${report('second')}`,
    ]);
  });

  it('posts nothing, on any pull request, when the artifact names another one', async () => {
    // GIVEN a victim's PR with the bot's comment, and an attacker's fork PR whose run claims the victim's number
    const victim = server.addPullRequest('acme/obs', { head: { repo: 'acme/obs', ref: 'drop-loki', sha: fakeSha('victim') } }).number;
    await prComment(
      runOf(
        { headBranch: 'drop-loki', headSha: fakeSha('victim'), pullRequests: [victim] },
        { 'pr-number': `${victim}\n`, 'comment.md': report('DANGER: StatefulSet loki deleted') },
      ),
      env,
    );
    const attacker = server.addPullRequest('acme/obs', { head: { repo: 'mallory/obs', ref: 'main', sha: fakeSha('attacker') } }).number;
    const before = writes(server);

    // WHEN the attacker's run is posted
    const result = await prComment(
      runOf(
        { headRepo: 'mallory/obs', headBranch: 'main', headSha: fakeSha('attacker'), id: 66 },
        { 'pr-number': `${victim}\n`, 'comment.md': report('No rendered changes.') },
      ),
      env,
    );

    // THEN it exits 2 with one line saying why, and nothing was written anywhere
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `error: the artifact of run 66 names PR #${victim}, but GitHub says the run is for PR #${attacker} (head mallory:main): posting nothing`,
    );
    expect(writes(server)).toBe(before);
    expect(server.comments('acme/obs', victim)[0]?.body).toContain('DANGER: StatefulSet loki deleted');
    expect(server.comments('acme/obs', attacker)).toEqual([]);
  });

  it("posts nothing for a head SHA that is no longer the PR's head, and says a newer run will", async () => {
    // GIVEN a PR whose branch moved on after its run started
    const rendered = fakeSha('stale 1');
    const pr = server.addPullRequest('acme/obs', { head: { repo: 'mallory/obs', ref: 'slow', sha: rendered } }).number;
    server.pushToPullRequest('acme/obs', pr, fakeSha('stale 2'));
    const before = writes(server);

    // WHEN the older run's comment is posted
    const result = await prComment(
      runOf(
        { headRepo: 'mallory/obs', headBranch: 'slow', headSha: rendered, id: 21 },
        { 'pr-number': `${pr}\n`, 'comment.md': report('old') },
      ),
      env,
    );

    // THEN nothing is written and the one line says why; it is not a failure
    expect(result).toEqual({
      code: 0,
      stdout: `PR #${pr}'s head is now ${fakeSha('stale 2').slice(0, 12)}, past ${rendered.slice(0, 12)} that run 21 rendered: posting nothing (the run for the new head posts)\n`,
      stderr: '',
    });
    expect(writes(server)).toBe(before);
    expect(server.comments('acme/obs', pr)).toEqual([]);
  });

  it.each([
    [
      'oversized',
      { 'pr-number': '1\n', 'comment.md': 'x'.repeat(300_000) },
      /^error: pr-diff artifact comment\.md: is 300000 bytes, over the cap of 258048; posting nothing/,
    ],
    [
      'not UTF-8',
      { 'pr-number': '1\n', 'comment.md': Buffer.from([0x6f, 0x6b, 0xc3, 0x28]) },
      /^error: pr-diff artifact comment\.md: is not UTF-8 text/,
    ],
    [
      'forging the marker',
      { 'pr-number': '1\n', 'comment.md': `${MARKER}\n## Rendered diff\n` },
      /^error: pr-diff artifact comment\.md: line 1 carries the bot's marker/,
    ],
    [
      'with an extra file',
      { 'pr-number': '1\n', 'comment.md': report('x'), 'run.sh': 'curl evil' },
      /^error: pr-diff artifact \S+: holds "run\.sh" besides comment\.md and pr-number/,
    ],
  ])('refuses an artifact %s before asking GitHub anything', async (_, files, message) => {
    const before = server.requests.length;
    const result = await prComment(runOf({ headBranch: 'any', headSha: fakeSha('any') }, files), env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(server.requests.length).toBe(before);
  });

  it('posts nothing when the pull request was closed since', async () => {
    const pr = server.addPullRequest('acme/obs', { head: { repo: 'mallory/obs', ref: 'gone', sha: fakeSha('gone') } }).number;
    server.closePullRequest('acme/obs', pr);
    const result = await prComment(
      runOf(
        { headRepo: 'mallory/obs', headBranch: 'gone', headSha: fakeSha('gone'), id: 31 },
        { 'pr-number': `${pr}\n`, 'comment.md': report('x') },
      ),
      env,
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: 'no open pull request in acme/obs has head mallory:gone (closed or merged since run 31): nothing to post\n',
    });
    expect(server.comments('acme/obs', pr)).toEqual([]);
  });

  it('refuses flags that would let the PR number come from elsewhere, and an event for another repository', async () => {
    const args = runOf({ headBranch: 'b', headSha: fakeSha('b'), repo: 'other/obs' }, { 'pr-number': '1\n', 'comment.md': report('x') });
    expect((await prComment([...args, '--pr', '1'], env)).stderr).toMatch(
      /^error: with --workflow-run the pull request comes from the event: drop --pr/,
    );
    expect((await prComment(args, env)).stderr).toMatch(
      /^error: --repo acme\/obs, but run 289782451 in \S+event\.json belongs to other\/obs: give --repo other\/obs/,
    );
  });
});

describe('npm run pr-comment (flags and credentials)', async () => {
  const server = await startFakeGitHub({ token: TOKEN });
  afterAll(() => server.close());
  const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.url };

  it('exits 2 when the token is refused, without printing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-prc-token-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'e.json'), JSON.stringify(workflowRunEvent({ headBranch: 'b', headSha: fakeSha('b') })));
    writeFileSync(join(dir, 'a', 'pr-number'), '1\n');
    writeFileSync(join(dir, 'a', 'comment.md'), 'Nothing changes.\n');
    const result = await prComment(['--repo', 'acme/obs', '--workflow-run', join(dir, 'e.json'), '--artifact', join(dir, 'a')], {
      ...env,
      GITHUB_TOKEN: 'wrong-token',
    });
    rmSync(dir, { recursive: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: GitHub rejected the token \(401\)/);
    expect(result.stderr).not.toContain('wrong-token');
  });

  it('exits 2 without a token, with a malformed repository, or with an unknown flag', async () => {
    expect((await prComment(['--repo', 'acme/obs', '--pr', '1', '--base', 'HEAD'], { GITHUB_TOKEN: '' })).stderr).toMatch(
      /^error: GITHUB_TOKEN is not set/,
    );
    expect((await prComment(['--repo', 'acme', '--pr', '1', '--base', 'HEAD'], env)).stderr).toMatch(
      /^error: repository "acme" is not OWNER\/NAME/,
    );
    const unknown = await prComment(['--repo', 'acme/obs', '--body-file', 'x.md'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('error: unknown option --body-file; see --help');
  });
});
