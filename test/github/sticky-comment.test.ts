import { describe, test, type TestContext } from 'vitest';
import { MAX_BODY_LENGTH } from '../../tools/github/body.ts';
import { createGitHubClient } from '../../tools/github/client.ts';
import { GitHubError } from '../../tools/github/error.ts';
import { upsertStickyComment, type StickyCommentResult } from '../../tools/github/sticky-comment.ts';
import { startFakeGitHub, type FakeGitHubServer } from '../fixtures/github-server.ts';

const TOKEN = 'test-token-9a7e';
const MARKER = '<!-- observability-gitops:pr-diff -->';

interface Setup {
  server: FakeGitHubServer;
  pr: number;
  /** One run of the PR bot: a fresh client, as each CI job has. */
  post: (body: string, pr?: number) => Promise<StickyCommentResult>;
}

async function setup(context: TestContext): Promise<Setup> {
  const server = await startFakeGitHub({ token: TOKEN });
  context.onTestFinished(() => server.close());
  const pr = server.addPullRequest('acme/obs').number;
  const post = (body: string, number = pr): Promise<StickyCommentResult> =>
    upsertStickyComment(
      createGitHubClient({ token: TOKEN, baseUrl: server.url }),
      { owner: 'acme', repo: 'obs', pr: number },
      { marker: MARKER, body },
    );
  return { server, pr, post };
}

function writes(server: FakeGitHubServer): string[] {
  return server.requests.filter((request) => request.method !== 'GET').map((request) => `${request.method} ${request.path}`);
}

describe.concurrent('upsertStickyComment', () => {
  test('creates the comment, then updates it in place, then leaves an identical one alone', async (context) => {
    const { expect } = context;
    // GIVEN a pull request with a reviewer's comment and no bot comment
    const { server, pr, post } = await setup(context);
    server.addComment('acme/obs', pr, 'LGTM once the diff is in');

    // WHEN the bot runs three times, the last two with the same body
    const first = await post('diff v1');
    const second = await post('diff v2');
    const writesBeforeThird = writes(server).length;
    const third = await post('diff v2');

    // THEN one bot comment exists, marker first, holding the latest body, and the third run wrote nothing
    expect(first.action).toBe('created');
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    expect(third).toEqual({ action: 'unchanged', id: first.id, url: first.url });
    expect(first.url).toBe(`https://github.com/acme/obs/pull/${pr}#issuecomment-${first.id}`);
    const comments = server.comments('acme/obs', pr);
    expect(comments.map((comment) => comment.body)).toEqual(['LGTM once the diff is in', `${MARKER}\ndiff v2`]);
    expect(writes(server)).toHaveLength(writesBeforeThird);
    expect(writes(server)).toEqual([`POST /repos/acme/obs/issues/${pr}/comments`, `PATCH /repos/acme/obs/issues/comments/${first.id}`]);
  });

  test('does not repeat a marker the body already starts with', async (context) => {
    const { expect } = context;
    // GIVEN a body the diff formatter already began with the marker
    const { server, pr, post } = await setup(context);

    // WHEN it is posted
    await post(`${MARKER}\n## Diff`);

    // THEN the marker appears once
    expect(server.comments('acme/obs', pr).map((comment) => comment.body)).toEqual([`${MARKER}\n## Diff`]);
  });

  test('finds its comment on the second page of more than 100 comments', async (context) => {
    const { expect } = context;
    // GIVEN 130 comments, the bot's being the 121st
    const { server, pr, post } = await setup(context);
    for (let i = 1; i <= 130; i++) server.addComment('acme/obs', pr, i === 121 ? `${MARKER}\nold diff` : `comment ${i}`);
    const ours = server.comments('acme/obs', pr)[120];

    // WHEN the bot runs
    const result = await post('new diff');

    // THEN it paged with per_page=100, updated that comment, and added none
    expect(result).toMatchObject({ action: 'updated', id: ours?.id });
    expect(server.comments('acme/obs', pr)).toHaveLength(130);
    expect(server.comments('acme/obs', pr)[120]?.body).toBe(`${MARKER}\nnew diff`);
    const pages = server.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/comments'));
    expect(pages.map((request) => [request.query['per_page'], request.query['page'] ?? '1'])).toEqual([
      ['100', '1'],
      ['100', '2'],
    ]);
  });

  test('collapses several marked comments from a past race into the newest', async (context) => {
    const { expect } = context;
    // GIVEN two marked comments with a person's question between them
    const { server, pr, post } = await setup(context);
    const older = server.addComment('acme/obs', pr, `${MARKER}\nrun 1`);
    const question = server.addComment('acme/obs', pr, 'a question');
    const newest = server.addComment('acme/obs', pr, `${MARKER}\nrun 2`);

    // WHEN the bot runs
    const result = await post('run 3');

    // THEN the newest holds the body, the older marked one is deleted, the question stays
    expect(result).toMatchObject({ action: 'updated', id: newest.id });
    expect(server.comments('acme/obs', pr).map((comment) => [comment.id, comment.body])).toEqual([
      [question.id, 'a question'],
      [newest.id, `${MARKER}\nrun 3`],
    ]);
    expect(writes(server)).toEqual([
      `PATCH /repos/acme/obs/issues/comments/${newest.id}`,
      `DELETE /repos/acme/obs/issues/comments/${older.id}`,
    ]);
  });

  test('neither adopts nor deletes a marked comment by someone without write access', async (context) => {
    const { expect } = context;
    // GIVEN the bot's comment, then a fork author's comment starting with the same marker
    const { server, pr, post } = await setup(context);
    const ours = await post('DANGER: StatefulSet loki deleted');
    const forged = server.addComment('acme/obs', pr, `${MARKER}\nNo rendered changes.`, { login: 'mallory', association: 'CONTRIBUTOR' });

    // WHEN the bot runs again
    const result = await post('DANGER: StatefulSet loki deleted, still');

    // THEN it updated its own comment and left the forged one as the fork author wrote it
    expect(result).toMatchObject({ action: 'updated', id: ours.id });
    expect(server.comments('acme/obs', pr).map((comment) => [comment.id, comment.body])).toEqual([
      [ours.id, `${MARKER}\nDANGER: StatefulSet loki deleted, still`],
      [forged.id, `${MARKER}\nNo rendered changes.`],
    ]);
  });

  test('reports a cleanup of duplicates as updated even when the newest is already current', async (context) => {
    const { expect } = context;
    // GIVEN two marked comments, the newest already holding the body
    const { server, pr, post } = await setup(context);
    server.addComment('acme/obs', pr, `${MARKER}\nsame`);
    const newest = server.addComment('acme/obs', pr, `${MARKER}\nsame`);

    // WHEN the bot runs with that body
    const result = await post('same');

    // THEN only the older one was deleted
    expect(result).toMatchObject({ action: 'updated', id: newest.id });
    expect(server.comments('acme/obs', pr).map((comment) => comment.id)).toEqual([newest.id]);
  });

  test('a PR that does not exist is a one-line 404 GitHubError, and nothing is written', async (context) => {
    const { expect } = context;
    // GIVEN a repository whose #7 is an issue, not a pull request, and no #42
    const { server, post } = await setup(context);
    server.addIssue('acme/obs', { title: 'an issue' });
    const issueNumber = server.issues('acme/obs').find((issue) => issue.pull_request === undefined)?.number ?? 0;

    // WHEN the bot posts to #42 and to the issue's number
    const errors = await Promise.all([post('diff', 42), post('diff', issueNumber)].map((attempt) => attempt.catch((e: unknown) => e)));

    // THEN both fail with status 404 and a message naming the PR and the fix
    for (const [error, number] of [
      [errors[0], 42],
      [errors[1], issueNumber],
    ] as const) {
      expect(error).toBeInstanceOf(GitHubError);
      expect((error as GitHubError).status).toBe(404);
      expect((error as GitHubError).message).toBe(`PR #${number} not found in acme/obs (404): check --repo and --pr`);
    }
    expect(writes(server)).toEqual([]);
  });

  test('a repository that does not exist is a 404 GitHubError', async (context) => {
    const { expect } = context;
    // GIVEN a server that knows acme/obs only
    const { server } = await setup(context);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });

    // WHEN the bot posts to acme/missing
    const error = await upsertStickyComment(octokit, { owner: 'acme', repo: 'missing', pr: 1 }, { marker: MARKER, body: 'x' }).catch(
      (e: unknown) => e,
    );

    // THEN the 404 names that repository
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toBe('PR #1 not found in acme/missing (404): check --repo and --pr');
  });

  test('accepts a body exactly at the limit and rejects one character more before any request', async (context) => {
    const { expect } = context;
    // GIVEN bodies that, with the marker line, are 65,536 and 65,537 characters
    const { server, pr, post } = await setup(context);
    const room = MAX_BODY_LENGTH - MARKER.length - 1;

    // WHEN each is posted, the long one first
    const error = await post('x'.repeat(room + 1)).catch((e: unknown) => e);
    const requestsAfterRejection = server.requests.length;
    const result = await post('x'.repeat(room));

    // THEN the long one fails naming its length and the limit without contacting GitHub; the other is posted
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toBe(
      `body of the comment on PR #${pr} in acme/obs is 65537 characters with its marker, over GitHub's limit of 65536: trim it before posting`,
    );
    expect((error as GitHubError).status).toBeUndefined();
    expect(requestsAfterRejection).toBe(0);
    expect(result.action).toBe('created');
    expect(server.comments('acme/obs', pr)[0]?.body).toHaveLength(MAX_BODY_LENGTH);
  });

  test.for(['observability-gitops:pr-diff', '<!-- a --> b', '<!-- two\nlines -->', '<!---->', '<!--  -->'])(
    'rejects the marker %j',
    async (marker, context) => {
      const { expect } = context;
      // GIVEN a marker that is not one hidden HTML comment line
      const { server, pr } = await setup(context);
      const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });

      // WHEN a comment is posted with it
      const attempt = upsertStickyComment(octokit, { owner: 'acme', repo: 'obs', pr }, { marker, body: 'x' });

      // THEN it is refused before any request
      await expect(attempt).rejects.toThrow(
        `marker ${JSON.stringify(marker)} for the comment on PR #${pr} in acme/obs is not a one-line, non-empty HTML comment`,
      );
      expect(server.requests).toEqual([]);
    },
  );
});
