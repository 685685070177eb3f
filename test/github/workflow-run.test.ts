import { describe, expect, test, type TestContext } from 'vitest';
import { createGitHubClient } from '../../tools/github/client.ts';
import { GitHubError } from '../../tools/github/error.ts';
import { decidePost, findRunPullRequest, parseWorkflowRunEvent, type WorkflowRun } from '../../tools/github/workflow-run.ts';
import { fakeSha, startFakeGitHub, type FakeGitHubServer } from '../fixtures/github-server.ts';
import { workflowRunEvent, type RunFields } from '../support/workflow-run.ts';

const TOKEN = 'workflow-run-test-token';
const run = (fields: RunFields): WorkflowRun => parseWorkflowRunEvent(workflowRunEvent(fields), 'event.json');

async function server(context: TestContext): Promise<FakeGitHubServer> {
  const started = await startFakeGitHub({ token: TOKEN });
  context.onTestFinished(() => started.close());
  return started;
}

describe('parseWorkflowRunEvent', () => {
  test('takes the run, its head and the base repository from the event', () => {
    const sha = fakeSha('a');
    expect(run({ headRepo: 'mallory/obs', headBranch: 'fix', headSha: sha, id: 7 })).toEqual({
      id: 7,
      url: 'https://github.com/acme/obs/actions/runs/7',
      event: 'pull_request',
      conclusion: 'success',
      repository: { owner: 'acme', repo: 'obs' },
      headRepository: { owner: 'mallory', repo: 'obs' },
      headBranch: 'fix',
      headSha: sha,
      pullRequests: [],
    });
  });

  test.each([
    [
      'no workflow_run',
      (e: Record<string, unknown>) => delete e['workflow_run'],
      /^event\.json: workflow_run is missing or not an object: pass the workflow_run event file/,
    ],
    [
      'a short head SHA',
      (e: Record<string, any>) => (e['workflow_run'].head_sha = 'abc123'),
      /^event\.json: workflow_run\.head_sha is "abc123", not a commit SHA/,
    ],
    [
      'a deleted head repository',
      (e: Record<string, any>) => (e['workflow_run'].head_repository = null),
      /^event\.json: workflow_run\.head_repository is missing/,
    ],
    [
      'a run URL with Markdown in it',
      (e: Record<string, any>) => (e['workflow_run'].html_url = 'https://x.test/a) [b](c'),
      /^event\.json: workflow_run\.html_url is .*not a plain http\(s\) URL/,
    ],
  ])('refuses an event with %s', (_, change, message) => {
    const event = workflowRunEvent({ headBranch: 'b', headSha: fakeSha('b') });
    change(event);
    expect(() => parseWorkflowRunEvent(event, 'event.json')).toThrow(message);
  });
});

describe.concurrent('findRunPullRequest', () => {
  test("finds a fork's pull request by head repository and branch, with the head GitHub lists now", async (context) => {
    // GIVEN a fork's pull request, another fork's PR from a branch of the same name, and a same-repo branch of that name
    const github = await server(context);
    const sha = fakeSha('fork head');
    const pr = github.addPullRequest('acme/obs', { head: { repo: 'mallory/obs', ref: 'fix', sha } });
    github.addPullRequest('acme/obs', { head: { repo: 'eve/obs', ref: 'fix' } });
    github.addPullRequest('acme/obs', { head: { repo: 'acme/obs', ref: 'fix' } });
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });

    // WHEN the fork's run is looked up, before and after a push to its branch
    const found = await findRunPullRequest(client, run({ headRepo: 'mallory/obs', headBranch: 'fix', headSha: sha }));
    github.pushToPullRequest('acme/obs', pr.number, fakeSha('pushed'));
    const moved = await findRunPullRequest(client, run({ headRepo: 'mallory/obs', headBranch: 'fix', headSha: sha }));

    // THEN it is that PR, asked by owner:branch, and the second answer carries the new head
    context.expect(found).toEqual({ number: pr.number, headSha: sha, url: `https://github.com/acme/obs/pull/${pr.number}` });
    context.expect(moved?.headSha).toBe(fakeSha('pushed'));
    context
      .expect(github.requests.filter((r) => r.path === '/repos/acme/obs/pulls').map((r) => r.query['head']))
      .toEqual(['mallory:fix', 'mallory:fix']);
  });

  test('finds nothing once the pull request is closed', async (context) => {
    const github = await server(context);
    const pr = github.addPullRequest('acme/obs', { head: { repo: 'mallory/obs', ref: 'fix' } });
    github.closePullRequest('acme/obs', pr.number);
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    context
      .expect(await findRunPullRequest(client, run({ headRepo: 'mallory/obs', headBranch: 'fix', headSha: fakeSha('x') })))
      .toBeUndefined();
  });

  test('refuses to choose between two open pull requests from the same head, unless GitHub named one in the event', async (context) => {
    // GIVEN two open PRs from the same branch (GitHub allows one per base branch)
    const github = await server(context);
    const first = github.addPullRequest('acme/obs', { head: { repo: 'acme/obs', ref: 'shared' } });
    const second = github.addPullRequest('acme/obs', { head: { repo: 'acme/obs', ref: 'shared' } });
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const sha = fakeSha('shared');

    // WHEN the run names none (a fork's run) or names the second (a same-repository branch's run)
    const unnamed = await findRunPullRequest(client, run({ headBranch: 'shared', headSha: sha })).catch((error: unknown) => error);
    const named = await findRunPullRequest(client, run({ headBranch: 'shared', headSha: sha, pullRequests: [second.number] }));

    // THEN the first is refused naming both, the second is the named one
    context
      .expect(unnamed)
      .toEqual(
        new GitHubError(
          `2 open pull requests in acme/obs have head acme:shared (#${second.number}, #${first.number}): run 289782451 cannot be told apart between them, so nothing is posted; close all but one`,
        ),
      );
    context.expect(named?.number).toBe(second.number);
  });
});

describe('decidePost', () => {
  const sha = fakeSha('rendered');
  const rendered = run({ headRepo: 'mallory/obs', headBranch: 'fix', headSha: sha, id: 42 });

  test('posts on the pull request GitHub names when the artifact agrees and the head has not moved', () => {
    expect(decidePost(rendered, { number: 5, headSha: sha, url: '' }, 5)).toEqual({ post: true, pr: 5 });
  });

  test('refuses an artifact that names another pull request, whatever the head', () => {
    expect(decidePost(rendered, { number: 5, headSha: sha, url: '' }, 4)).toEqual({
      post: false,
      refused: true,
      reason: 'the artifact of run 42 names PR #4, but GitHub says the run is for PR #5 (head mallory:fix): posting nothing',
    });
  });

  test('posts nothing, without refusing, when the head moved on or the pull request is gone', () => {
    expect(decidePost(rendered, { number: 5, headSha: fakeSha('newer'), url: '' }, 5)).toEqual({
      post: false,
      refused: false,
      reason: `PR #5's head is now ${fakeSha('newer').slice(0, 12)}, past ${sha.slice(0, 12)} that run 42 rendered: posting nothing (the run for the new head posts)`,
    });
    expect(decidePost(rendered, undefined, 5)).toMatchObject({
      post: false,
      refused: false,
      reason: expect.stringMatching(/^no open pull request in acme\/obs has head mallory:fix/),
    });
  });
});
