import { describe, test, type TestContext } from 'vitest';
import { createGitHubClient, DEFAULT_GITHUB_API_URL } from '../../tools/github/client.ts';
import { GitHubError } from '../../tools/github/error.ts';
import { upsertStickyComment } from '../../tools/github/sticky-comment.ts';
import { startFakeGitHub, type FakeGitHubServer, type InjectedFailure } from '../fixtures/github-server.ts';

const TOKEN = 'test-token-5f2c';
const MARKER = '<!-- observability-gitops:pr-diff -->';
const POST_COMMENT = { method: 'POST', path: /\/issues\/\d+\/comments$/ };
// Retried reads are not held back by the one-write-a-second pacing, which keeps these tests quick.
const GET_PULL = { method: 'GET', path: /\/pulls\/\d+$/ };

async function serverWithPullRequest(context: TestContext): Promise<{ server: FakeGitHubServer; pr: number }> {
  const server = await startFakeGitHub({ token: TOKEN });
  context.onTestFinished(() => server.close());
  return { server, pr: server.addPullRequest('acme/obs').number };
}

function statuses(server: FakeGitHubServer, match: { method: string; path: RegExp }): number[] {
  return server.requests
    .filter((request) => request.method === match.method && match.path.test(request.path))
    .map((request) => request.status);
}

describe.concurrent('createGitHubClient', () => {
  test.for<[string, InjectedFailure]>([
    ['a secondary rate limit (403, retry-after)', { kind: 'secondary-rate-limit', retryAfterSeconds: 1 }],
    ['a primary rate limit (403, x-ratelimit-remaining 0)', { kind: 'rate-limit', resetInSeconds: 0 }],
    ['a 502 from GitHub', { kind: 'error', status: 502, message: 'Server Error' }],
  ])('retries %s and succeeds', async ([, failure], context) => {
    const { expect } = context;
    // GIVEN GitHub answers the first read of the pull request with the failure
    const { server, pr } = await serverWithPullRequest(context);
    server.failNext(1, failure, GET_PULL);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });

    // WHEN the sticky comment is posted
    const result = await upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker: MARKER, body: 'hello' });

    // THEN the read was sent again and the one comment exists
    expect(result.action).toBe('created');
    expect(statuses(server, GET_PULL)).toEqual([failure.kind === 'error' ? 502 : 403, 200]);
    expect(server.comments('acme/obs', pr).map((comment) => comment.body)).toEqual([`${MARKER}\nhello`]);
  });

  test('gives up after maxRetries with a GitHubError that says it was rate limited', async (context) => {
    const { expect } = context;
    // GIVEN a secondary rate limit that outlasts one retry
    const { server, pr } = await serverWithPullRequest(context);
    server.failNext(2, { kind: 'secondary-rate-limit', retryAfterSeconds: 1 }, GET_PULL);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url, maxRetries: 1 });

    // WHEN the sticky comment is posted
    const error = await upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker: MARKER, body: 'hello' }).catch(
      (e: unknown) => e,
    );

    // THEN it tried twice, wrote nothing, and failed naming the rate limit and the call
    expect(statuses(server, GET_PULL)).toEqual([403, 403]);
    expect(server.comments('acme/obs', pr)).toEqual([]);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).status).toBe(403);
    expect((error as GitHubError).message).toBe(
      `GitHub rate limit exceeded (403) while reading PR #${pr} in acme/obs, longer than retries may wait: re-run later`,
    );
  });

  test('does not wait out a rate limit that lifts only in an hour', async (context) => {
    const { expect } = context;
    // GIVEN GitHub asks to retry after an hour
    const { server, pr } = await serverWithPullRequest(context);
    server.failNext(1, { kind: 'secondary-rate-limit', retryAfterSeconds: 3600 }, POST_COMMENT);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });

    // WHEN the sticky comment is posted
    const error = await upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker: MARKER, body: 'hello' }).catch(
      (e: unknown) => e,
    );

    // THEN the one attempt's failure is reported instead of a retry
    expect(statuses(server, POST_COMMENT)).toEqual([403]);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).status).toBe(403);
  });

  test('an API URL nobody answers on is a GitHubError pointing at GITHUB_API_URL', async (context) => {
    const { expect } = context;
    // GIVEN a server that has stopped listening, and a client that does not retry
    const { server, pr } = await serverWithPullRequest(context);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url, maxRetries: 0 });
    await server.close();

    // WHEN the sticky comment is posted
    const error = await upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker: MARKER, body: 'hello' }).catch(
      (e: unknown) => e,
    );

    // THEN the message names the call and what to check
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toMatch(
      new RegExp(
        `^reading PR #${pr} in acme/obs failed: GitHub did not answer \\(.*ECONNREFUSED.*\\); check GITHUB_API_URL and the network$`,
      ),
    );
  });

  test('does not retry a 403 that is not a rate limit, and says which permission is missing', async (context) => {
    const { expect } = context;
    // GIVEN a token that may read but not comment
    const { server, pr } = await serverWithPullRequest(context);
    server.failNext(1, { kind: 'error', status: 403, message: 'Resource not accessible by integration' }, POST_COMMENT);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });

    // WHEN the sticky comment is posted
    const error = await upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker: MARKER, body: 'hello' }).catch(
      (e: unknown) => e,
    );

    // THEN one attempt, and a one-line message naming the repository and the permission
    expect(statuses(server, POST_COMMENT)).toEqual([403]);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toBe(
      `403 while creating the comment on PR #${pr} in acme/obs: the token may not write comments on acme/obs (needs pull-requests: write)`,
    );
  });

  test('a wrong token is a 401 GitHubError that does not echo the token', async (context) => {
    const { expect } = context;
    // GIVEN a client holding a token the server does not accept
    const { server, pr } = await serverWithPullRequest(context);
    const wrongToken = 'ghp_wrongtokenvalue123';
    const octokit = createGitHubClient({ token: wrongToken, baseUrl: server.url });

    // WHEN the sticky comment is posted
    const error = await upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker: MARKER, body: 'hello' }).catch(
      (e: unknown) => e,
    );

    // THEN a 401 that tells how to fix it, without the token, after a single request
    expect(error).toBeInstanceOf(GitHubError);
    const failure = error as GitHubError;
    expect(failure.status).toBe(401);
    expect(failure.message).toBe(`GitHub rejected the token (401) while reading PR #${pr} in acme/obs: set GITHUB_TOKEN to a valid token`);
    expect(JSON.stringify({ message: failure.message, stack: failure.stack })).not.toContain(wrongToken);
    expect(server.requests.map((request) => request.status)).toEqual([401]);
  });

  test('defaults to api.github.com and takes a GHES API URL without its trailing slash', ({ expect }) => {
    // GIVEN no base URL, an empty one (unset GITHUB_API_URL), and a GHES one
    // WHEN clients are created
    const defaults = [undefined, '', 'https://ghe.example.com/api/v3/'].map(
      (baseUrl) => createGitHubClient({ token: TOKEN, ...(baseUrl === undefined ? {} : { baseUrl }) }).request.endpoint.DEFAULTS.baseUrl,
    );

    // THEN requests go to the right API root
    expect(defaults).toEqual([DEFAULT_GITHUB_API_URL, DEFAULT_GITHUB_API_URL, 'https://ghe.example.com/api/v3']);
  });

  test.for<[string, Parameters<typeof createGitHubClient>[0], string]>([
    ['an empty token', { token: ' ' }, 'GitHub token is empty: set GITHUB_TOKEN'],
    ['a base URL that is not a URL', { token: TOKEN, baseUrl: 'ghe.example.com' }, 'GitHub API URL "ghe.example.com" is not a URL'],
    [
      'a base URL that is not http(s)',
      { token: TOKEN, baseUrl: 'ftp://ghe.example.com' },
      'GitHub API URL "ftp://ghe.example.com" is not http(s)',
    ],
    ['a negative maxRetries', { token: TOKEN, maxRetries: -1 }, 'maxRetries -1 is not a whole number of retries'],
  ])('rejects %s', ([, options, message], { expect }) => {
    // GIVEN options a client cannot work with
    // WHEN the client is created
    const attempt = (): unknown => createGitHubClient(options);

    // THEN a GitHubError names the value
    expect(attempt).toThrow(GitHubError);
    expect(attempt).toThrow(message);
  });
});
