import { describe, test, type TestContext } from 'vitest';
import { MAX_BODY_LENGTH } from '../../tools/github/body.ts';
import { createGitHubClient } from '../../tools/github/client.ts';
import { driftIssueMarker, syncDriftIssue, type DriftIssueReport, type DriftIssueResult } from '../../tools/github/drift-issue.ts';
import { GitHubError } from '../../tools/github/error.ts';
import { startFakeGitHub, type FakeGitHubOptions, type FakeGitHubServer, type FakeIssue } from '../fixtures/github-server.ts';

const TOKEN = 'test-token-41bd';
const PROD = driftIssueMarker('prod');
const DEV = driftIssueMarker('dev');

interface Setup {
  server: FakeGitHubServer;
  /** One run of the drift job: a fresh client, as each scheduled job has. */
  run: (report: DriftIssueReport) => Promise<DriftIssueResult>;
}

async function setup(context: TestContext, options: Partial<FakeGitHubOptions> = {}): Promise<Setup> {
  const server = await startFakeGitHub({ token: TOKEN, ...options });
  context.onTestFinished(() => server.close());
  server.addRepo('acme/obs');
  const run = (report: DriftIssueReport): Promise<DriftIssueResult> =>
    syncDriftIssue(createGitHubClient({ token: TOKEN, baseUrl: server.url }), { owner: 'acme', repo: 'obs' }, report);
  return { server, run };
}

function issue(server: FakeGitHubServer, number: number | undefined): FakeIssue | undefined {
  return server.issues('acme/obs').find((candidate) => candidate.number === number);
}

function openDriftIssues(server: FakeGitHubServer, marker: string): FakeIssue[] {
  return server.issues('acme/obs').filter((candidate) => candidate.state === 'open' && (candidate.body ?? '').includes(marker));
}

describe.concurrent('syncDriftIssue', () => {
  test('opens, leaves alone, edits, then closes with a comment the one issue for an environment', async (context) => {
    const { expect } = context;
    // GIVEN a repository without drift issues
    const { server, run } = await setup(context);
    const gone = new Date('2025-03-04T05:06:07Z');

    // WHEN the drift job runs: drift, the same drift, changed drift, no drift, no drift again
    const opened = await run({ env: 'prod', drift: true, body: 'loki-write replicas 3 -> 2' });
    const writesAfterOpen = server.requests.filter((request) => request.method !== 'GET').length;
    const unchanged = await run({ env: 'prod', drift: true, body: 'loki-write replicas 3 -> 2' });
    const writesAfterUnchanged = server.requests.filter((request) => request.method !== 'GET').length;
    const updated = await run({ env: 'prod', drift: true, body: 'loki-write replicas 3 -> 1' });
    const closed = await run({ env: 'prod', drift: false, body: '', now: gone });
    const none = await run({ env: 'prod', drift: false, body: '' });

    // THEN one issue went through the whole life, titled, labelled and marked, and closed as completed
    const number = opened.number;
    expect(opened).toEqual({ action: 'opened', number, url: `https://github.com/acme/obs/issues/${number}` });
    expect(unchanged).toEqual({ action: 'unchanged', number, url: opened.url });
    expect(updated).toEqual({ action: 'updated', number, url: opened.url });
    expect(closed).toEqual({ action: 'closed', number, url: opened.url });
    expect(none).toEqual({ action: 'none' });
    expect(writesAfterUnchanged).toBe(writesAfterOpen);
    expect(server.issues('acme/obs')).toHaveLength(1);
    const only = issue(server, number);
    expect(only).toMatchObject({
      title: 'Drift in prod',
      body: `${PROD}\nloki-write replicas 3 -> 1`,
      state: 'closed',
      state_reason: 'completed',
    });
    expect(only?.labels.map((label) => label.name)).toEqual(['drift']);
    expect(server.comments('acme/obs', number ?? 0).map((comment) => comment.body)).toEqual(['No drift since 2025-03-04T05:06:07.000Z.']);
    expect(server.labels('acme/obs')).toEqual(['drift']);
  });

  test('never opens a second issue across runs, and opens a fresh one when drift comes back after closing', async (context) => {
    const { expect } = context;
    // GIVEN drift found on three runs, then gone, then back
    const { server, run } = await setup(context);

    // WHEN the job runs each time
    const first = await run({ env: 'prod', drift: true, body: 'a' });
    await run({ env: 'prod', drift: true, body: 'b' });
    await run({ env: 'prod', drift: true, body: 'c' });
    const openWhileDrifting = openDriftIssues(server, PROD).map((open) => open.number);
    await run({ env: 'prod', drift: false, body: '' });
    const back = await run({ env: 'prod', drift: true, body: 'd' });

    // THEN there was only ever one open issue, and the return of drift gets a new one
    expect(openWhileDrifting).toEqual([first.number]);
    expect(back.action).toBe('opened');
    expect(back.number).not.toBe(first.number);
    expect(openDriftIssues(server, PROD).map((open) => open.number)).toEqual([back.number]);
  });

  test('skips pull requests in the issues list even when they carry the label and the marker', async (context) => {
    const { expect } = context;
    // GIVEN a pull request labelled drift whose description quotes the prod marker
    const { server, run } = await setup(context);
    const pr = server.addPullRequest('acme/obs', {
      title: 'Fix prod drift',
      body: `Fixes the issue opened as\n${PROD}`,
      labels: ['drift'],
    });

    // WHEN the job finds prod drift, and later none
    const opened = await run({ env: 'prod', drift: true, body: 'drifted' });
    const closed = await run({ env: 'prod', drift: false, body: '' });

    // THEN an issue was opened and closed; the pull request was never written to
    expect(opened.action).toBe('opened');
    expect(opened.number).not.toBe(pr.number);
    expect(closed).toMatchObject({ action: 'closed', number: opened.number });
    expect(issue(server, pr.number)).toMatchObject({ state: 'open', body: `Fixes the issue opened as\n${PROD}` });
    expect(server.comments('acme/obs', pr.number)).toEqual([]);
  });

  test("leaves other environments' issues and unmarked drift issues untouched", async (context) => {
    const { expect } = context;
    // GIVEN an open dev drift issue and a person's issue labelled drift
    const { server, run } = await setup(context);
    const dev = server.addIssue('acme/obs', { title: 'Drift in dev', body: `${DEV}\ndev drift`, labels: ['drift'] });
    const human = server.addIssue('acme/obs', { title: 'Is drift detection flaky?', body: 'It fired twice', labels: ['drift'] });

    // WHEN prod has no drift, then drift, then none
    const none = await run({ env: 'prod', drift: false, body: '' });
    const opened = await run({ env: 'prod', drift: true, body: 'prod drift' });
    const closed = await run({ env: 'prod', drift: false, body: '' });

    // THEN prod got its own issue, and the other two were neither edited, commented on, nor closed
    expect(none).toEqual({ action: 'none' });
    expect(opened.number).not.toBe(dev.number);
    expect(opened.number).not.toBe(human.number);
    expect(closed).toMatchObject({ action: 'closed', number: opened.number });
    expect(issue(server, dev.number)).toMatchObject({ state: 'open', body: `${DEV}\ndev drift` });
    expect(issue(server, human.number)).toMatchObject({ state: 'open', body: 'It fired twice' });
    expect(server.comments('acme/obs', dev.number)).toEqual([]);
    expect(server.comments('acme/obs', human.number)).toEqual([]);
  });

  test('finds its issue past the first page of 100', async (context) => {
    const { expect } = context;
    // GIVEN the prod issue is the oldest of 121 open drift-labelled issues (the list is newest first)
    const { server, run } = await setup(context);
    const prod = server.addIssue('acme/obs', { title: 'Drift in prod', body: `${PROD}\nold`, labels: ['drift'] });
    for (let i = 0; i < 120; i++) server.addIssue('acme/obs', { title: `triage ${i}`, body: 'not ours', labels: ['drift'] });

    // WHEN the job reports changed drift
    const result = await run({ env: 'prod', drift: true, body: 'new' });

    // THEN it read page 2 and edited that issue rather than opening another
    expect(result).toMatchObject({ action: 'updated', number: prod.number });
    expect(issue(server, prod.number)?.body).toBe(`${PROD}\nnew`);
    expect(server.issues('acme/obs')).toHaveLength(121);
    const lists = server.requests.filter((request) => request.method === 'GET' && request.path === '/repos/acme/obs/issues');
    expect(lists.map((request) => request.query)).toEqual([
      { state: 'open', labels: 'drift', per_page: '100' },
      { state: 'open', labels: 'drift', per_page: '100', page: '2' },
    ]);
  });

  test('closes duplicates left by a past race in favour of the oldest', async (context) => {
    const { expect } = context;
    // GIVEN two open prod drift issues
    const { server, run } = await setup(context);
    const older = server.addIssue('acme/obs', { title: 'Drift in prod', body: `${PROD}\nx`, labels: ['drift'] });
    const newer = server.addIssue('acme/obs', { title: 'Drift in prod', body: `${PROD}\nx`, labels: ['drift'] });

    // WHEN the job reports the same drift
    const result = await run({ env: 'prod', drift: true, body: 'x' });

    // THEN the newer is closed as a duplicate pointing at the older, which stays open
    expect(result).toMatchObject({ action: 'updated', number: older.number });
    expect(issue(server, newer.number)).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect(server.comments('acme/obs', newer.number).map((comment) => comment.body)).toEqual([`Duplicate of #${older.number}.`]);
    expect(openDriftIssues(server, PROD).map((open) => open.number)).toEqual([older.number]);
  });

  test('uses a custom label, which GitHub creates on first use', async (context) => {
    const { expect } = context;
    // GIVEN an issue labelled with the default label for prod, and a job configured with another label
    const { server, run } = await setup(context);
    server.addIssue('acme/obs', { title: 'Drift in prod', body: `${PROD}\nx`, labels: ['drift'] });

    // WHEN the job reports drift under label 'gitops-drift'
    const result = await run({ env: 'prod', drift: true, body: 'x', label: 'gitops-drift' });

    // THEN it looked up and opened issues under its own label only
    expect(result.action).toBe('opened');
    expect(issue(server, result.number)?.labels.map((label) => label.name)).toEqual(['gitops-drift']);
    expect(server.labels('acme/obs')).toEqual(['drift', 'gitops-drift']);
  });

  test('fails loudly when GitHub drops the label, since the next run could not find the issue', async (context) => {
    const { expect } = context;
    // GIVEN a token without push access: GitHub silently drops labels on new issues
    const { server, run } = await setup(context, { dropIssueLabels: true });

    // WHEN the job finds drift
    const error = await run({ env: 'prod', drift: true, body: 'x' }).catch((e: unknown) => e);

    // THEN the error names the issue, the label and the fix
    const created = server.issues('acme/obs')[0];
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toBe(
      `drift issue #${created?.number} in acme/obs was opened without label 'drift' (GitHub drops labels the token may not set): ` +
        `give the token issues: write, add the label to #${created?.number} by hand, or the next run opens another`,
    );
  });

  test('rejects a body over 65,536 characters before any request', async (context) => {
    const { expect } = context;
    // GIVEN a report one character too long once the marker line is added
    const { server, run } = await setup(context);
    const body = 'x'.repeat(MAX_BODY_LENGTH - PROD.length);

    // WHEN the job reports it
    const error = await run({ env: 'prod', drift: true, body }).catch((e: unknown) => e);

    // THEN it fails naming the length and the limit, and GitHub was not contacted
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toBe(
      "body of the drift issue for prod in acme/obs is 65537 characters with its marker, over GitHub's limit of 65536: trim it before posting",
    );
    expect(server.requests).toEqual([]);
  });

  test('a repository that does not exist is a 404 GitHubError pointing at --report-issue', async (context) => {
    const { expect } = context;
    // GIVEN a server that does not know acme/missing
    const { server } = await setup(context);
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: server.url });

    // WHEN the job reports to it
    const error = await syncDriftIssue(octokit, { owner: 'acme', repo: 'missing' }, { env: 'prod', drift: true, body: 'x' }).catch(
      (e: unknown) => e,
    );

    // THEN the error is a 404 naming the repository and the flag
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).status).toBe(404);
    expect((error as GitHubError).message).toBe(
      "acme/missing not found or not visible to the token (404) while listing open 'drift' issues in acme/missing: check --report-issue",
    );
  });

  test.for<[string, Partial<DriftIssueReport>, string]>([
    ['an env with spaces', { env: 'prod eu' }, 'environment "prod eu" is not a plain name'],
    ['an env that could close the marker', { env: 'x-->' }, 'environment "x-->" is not a plain name'],
    ['a label with a comma', { label: 'drift,prod' }, 'drift label "drift,prod" must be one non-empty label name without commas'],
    ['an empty label', { label: '' }, 'drift label "" must be one non-empty label name without commas'],
  ])('rejects %s before any request', async ([, change, message], context) => {
    const { expect } = context;
    // GIVEN a report with a bad field
    const { server, run } = await setup(context);

    // WHEN the job reports it
    const attempt = run({ env: 'prod', drift: true, body: 'x', ...change });

    // THEN a GitHubError names the value
    await expect(attempt).rejects.toThrow(message);
    expect(server.requests).toEqual([]);
  });
});
