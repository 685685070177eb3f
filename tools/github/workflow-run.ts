/**
 * The posting side of the PR bot: which pull request a finished `pr-diff` run belongs to, decided from GitHub's
 * `workflow_run` event and GitHub's API only, never from anything the run produced.
 *
 * Upstream facts used here:
 * - The `workflow_run` webhook payload carries `workflow_run.{id, html_url, event, conclusion, head_branch, head_sha,
 *   head_repository, pull_requests}` and the top-level `repository` (docs.github.com, "Webhook events and payloads",
 *   workflow_run). `pull_requests` is empty when the pull request comes from a fork (actions/runner#3444,
 *   github/docs#22501), so the pull request is looked up by its head instead.
 * - `GET /repos/{owner}/{repo}/pulls?state=open&head=OWNER:BRANCH` lists the pull requests whose head is that owner's
 *   branch (docs.github.com/rest/pulls/pulls#list-pull-requests); each carries `head.{ref, sha, repo.full_name}`.
 * - GitHub Security Lab, "Keeping your GitHub Actions and workflows secure Part 1: Preventing pwn requests": the
 *   artifact of a pull request's run is untrusted data; identities come from the event.
 */
import type { Octokit } from 'octokit';
import { call, GitHubError } from './error.ts';
import { parseRepo, repoName, type RepoRef } from './repo.ts';

/** What GitHub says about one finished workflow run: everything the posting side trusts. */
export interface WorkflowRun {
  id: number;
  /** The run's page, e.g. `https://github.com/acme/obs/actions/runs/42`. */
  url: string;
  /** The event that started the run: `pull_request` for pr-diff. */
  event: string;
  conclusion: string | null;
  /** The repository the run belongs to: the pull request's base repository. */
  repository: RepoRef;
  /** Where the pull request's commits come from: a fork, or the repository itself. */
  headRepository: RepoRef;
  headBranch: string;
  /** The commit the run rendered (the pull request's head when the run started). */
  headSha: string;
  /** Pull request numbers GitHub attached to the run; empty for a fork's pull request. */
  pullRequests: number[];
}

/** The open pull request a run belongs to, as GitHub lists it now. */
export interface RunPullRequest {
  number: number;
  /** The pull request's head now: past `WorkflowRun.headSha` when commits were pushed since the run started. */
  headSha: string;
  url: string;
}

/** Post the artifact's comment on `pr`, or post nothing and say why. */
export type PostDecision =
  | { post: true; pr: number }
  /** `refused`: the artifact contradicts GitHub (exit 2); otherwise a newer run posts, or there is nothing to post. */
  | { post: false; refused: boolean; reason: string };

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Reads a `workflow_run` event payload (the JSON file at `$GITHUB_EVENT_PATH`). Throws a GitHubError naming `source`
 * and the field when the payload is not a workflow_run event GitHub would send.
 */
export function parseWorkflowRunEvent(payload: unknown, source: string): WorkflowRun {
  const bad = (field: string, expected: string): GitHubError =>
    new GitHubError(`${source}: ${field} is ${expected}: pass the workflow_run event file ($GITHUB_EVENT_PATH of a workflow_run job)`);
  const record = (value: unknown, field: string): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(field, 'missing or not an object');
    return value as Record<string, unknown>;
  };
  const text = (value: unknown, field: string): string => {
    if (typeof value !== 'string' || value === '') throw bad(field, 'missing or not a string');
    return value;
  };
  const repo = (value: unknown, field: string): RepoRef => {
    const name = text(record(value, field)['full_name'], `${field}.full_name`);
    try {
      return parseRepo(name);
    } catch {
      throw bad(`${field}.full_name`, `${JSON.stringify(name)}, not OWNER/NAME`);
    }
  };

  const event = record(payload, 'the payload');
  const run = record(event['workflow_run'], 'workflow_run');
  const id = run['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw bad('workflow_run.id', 'missing or not a run id');
  const headSha = text(run['head_sha'], 'workflow_run.head_sha');
  if (!SHA.test(headSha)) throw bad('workflow_run.head_sha', `${JSON.stringify(headSha)}, not a commit SHA`);
  const url = text(run['html_url'], 'workflow_run.html_url');
  if (!/^https?:\/\/[^\s()<>[\]]+$/.test(url)) throw bad('workflow_run.html_url', `${JSON.stringify(url)}, not a plain http(s) URL`);
  const conclusion = run['conclusion'];
  if (conclusion !== null && typeof conclusion !== 'string') throw bad('workflow_run.conclusion', 'not a string or null');
  const pullRequests = run['pull_requests'] ?? [];
  if (!Array.isArray(pullRequests)) throw bad('workflow_run.pull_requests', 'not a list');
  return {
    id,
    url,
    event: text(run['event'], 'workflow_run.event'),
    conclusion,
    repository: repo(event['repository'], 'repository'),
    headRepository: repo(run['head_repository'], 'workflow_run.head_repository'),
    headBranch: text(run['head_branch'], 'workflow_run.head_branch'),
    headSha,
    pullRequests: pullRequests.map((entry: unknown, index) => {
      const number = record(entry, `workflow_run.pull_requests[${index}]`)['number'];
      if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
        throw bad(`workflow_run.pull_requests[${index}].number`, 'not a PR number');
      return number;
    }),
  };
}

/** `owner:branch`, as GitHub labels a pull request's head. */
function headLabel(run: WorkflowRun): string {
  return `${run.headRepository.owner}:${run.headBranch}`;
}

/**
 * The open pull request of `run.repository` whose head is the run's head repository and branch, or undefined when
 * there is none (closed or merged since). When GitHub attached pull request numbers to the run (same-repository
 * branches), only those count. Throws a GitHubError when several open pull requests share that head: which one was
 * rendered cannot be told from the event.
 */
export async function findRunPullRequest(octokit: Octokit, run: WorkflowRun): Promise<RunPullRequest | undefined> {
  const { owner, repo } = run.repository;
  const name = repoName(run.repository);
  const head = headLabel(run);
  const listed = await call(
    {
      doing: `listing open pull requests with head ${head} in ${name}`,
      notFound: `${name} not found or not visible to the token (404) while listing its pull requests: check --repo`,
      forbidden: `the token may not read pull requests of ${name} (needs pull-requests: read)`,
    },
    () => octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', head, per_page: 100 }),
  );
  const headRepo = repoName(run.headRepository).toLowerCase();
  const matching = listed.filter(
    (pull) =>
      pull.head.ref === run.headBranch &&
      pull.head.repo?.full_name.toLowerCase() === headRepo &&
      (run.pullRequests.length === 0 || run.pullRequests.includes(pull.number)),
  );
  if (matching.length > 1) {
    const numbers = matching.map((pull) => `#${pull.number}`).join(', ');
    throw new GitHubError(
      `${matching.length} open pull requests in ${name} have head ${head} (${numbers}): run ${run.id} cannot be told apart between them, so nothing is posted; close all but one`,
    );
  }
  const [pull] = matching;
  return pull === undefined ? undefined : { number: pull.number, headSha: pull.head.sha, url: pull.html_url };
}

/**
 * Whether to post the comment of `run`, whose artifact names `artifactPr`, given the pull request GitHub lists for the
 * run's head now. The artifact's number is only compared, never used: a different number is refused; a pull request
 * whose head moved past the rendered commit gets nothing from this run (the run for its new head posts).
 */
export function decidePost(run: WorkflowRun, found: RunPullRequest | undefined, artifactPr: number): PostDecision {
  const short = (sha: string): string => sha.slice(0, 12);
  if (found === undefined) {
    return {
      post: false,
      refused: false,
      reason: `no open pull request in ${repoName(run.repository)} has head ${headLabel(run)} (closed or merged since run ${run.id}): nothing to post`,
    };
  }
  if (artifactPr !== found.number) {
    return {
      post: false,
      refused: true,
      reason: `the artifact of run ${run.id} names PR #${artifactPr}, but GitHub says the run is for PR #${found.number} (head ${headLabel(run)}): posting nothing`,
    };
  }
  if (found.headSha !== run.headSha) {
    return {
      post: false,
      refused: false,
      reason: `PR #${found.number}'s head is now ${short(found.headSha)}, past ${short(run.headSha)} that run ${run.id} rendered: posting nothing (the run for the new head posts)`,
    };
  }
  return { post: true, pr: found.number };
}

/**
 * The line the posting side writes under the comment's title, from GitHub's facts only: which pull request and commit
 * the report is for and which run rendered it. The report below it comes from that run, i.e. the pull request's code.
 * With the repository's web address (tools/github/repo.ts repoWebUrl) the commit is short and linked.
 */
export function runHeader(run: WorkflowRun, pr: number, repositoryUrl?: string): string {
  const commit = repositoryUrl ? `[\`${run.headSha.slice(0, 7)}\`](${repositoryUrl}/commit/${run.headSha})` : `\`${run.headSha}\``;
  return `For #${pr} at ${commit}, rendered by [run ${run.id}](${run.url}) with the pull request's own code.`;
}
