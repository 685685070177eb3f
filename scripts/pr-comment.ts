#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { createGitHubClient, parseRepo, parseWorkflowRunEvent, repoWebUrl, type RepoRef } from '../tools/github/index.ts';
import { commentFromRun, commentRendered } from '../tools/pr-comment/run.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { EXIT, UsageError, main, messageOf, parseFlags, required } from '../cli/command.ts';
import { repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run pr-comment -- --repo OWNER/NAME --pr N --base REF [--head REF]
       npm run pr-comment -- --repo OWNER/NAME --workflow-run EVENT_FILE --artifact DIR

Posts the rendered diff as the pull request's one sticky comment, or updates it in place (found by
a hidden marker: a re-run never adds a second). With --base it renders the diff itself, as
\`npm run diff\` does, for pull request N.

With --workflow-run (the pr-comment workflow: EVENT_FILE is $GITHUB_EVENT_PATH of a workflow_run
job) it posts the comment a pr-diff run left in its artifact (DIR), without running the pull
request's code. The pull request is the open one whose head is the run's head repository and branch,
as GitHub lists it; the artifact only has to agree. The artifact must hold exactly comment.md and
pr-number, in UTF-8, within size caps; the marker and title are written here, never taken from it.
Nothing is posted when the pull request's head has moved past the rendered commit (the run for the
new head posts) or it is no longer open.

Environment: GITHUB_TOKEN (required), GITHUB_API_URL (GitHub Enterprise; default https://api.github.com),
GITHUB_SERVER_URL (where commits are linked; default https://github.com).
Exit: 0 posted, already up to date, or nothing to post (said why); 2 could not run or refused (bad
flags, no token, PR not found, token refused, an artifact that is malformed or names another PR).
`;

await main(USAGE, async () => {
  const { values: flags } = parseFlags(process.argv.slice(2), {
    repo: { type: 'string' },
    pr: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    'workflow-run': { type: 'string' },
    artifact: { type: 'string' },
  });
  const repo = parseRepo(required(flags.repo, '--repo OWNER/NAME'));
  const eventFile = flags['workflow-run'];
  const artifactDir = flags.artifact;
  const fromRun = eventFile !== undefined || artifactDir !== undefined;
  let pr = 0;
  if (fromRun) {
    if (eventFile === undefined || artifactDir === undefined)
      throw new UsageError('--workflow-run EVENT_FILE and --artifact DIR go together');
    if (flags.pr !== undefined || flags.base !== undefined || flags.head !== undefined) {
      throw new UsageError('with --workflow-run the pull request comes from the event: drop --pr, --base and --head');
    }
  } else {
    const prText = required(flags.pr, '--pr N');
    pr = Number(prText);
    if (!Number.isInteger(pr) || pr <= 0) throw new UsageError(`--pr ${prText}: expected a pull request number`);
    if (flags.base === undefined)
      throw new UsageError("give --base REF (render here) or --workflow-run EVENT_FILE --artifact DIR (post a pr-diff run's comment)");
  }
  const token = process.env['GITHUB_TOKEN'];
  if (!token) throw new UsageError('GITHUB_TOKEN is not set: export a token that may write pull request comments');
  const octokit = createGitHubClient({ token, baseUrl: process.env['GITHUB_API_URL'] ?? '' });
  if (eventFile !== undefined && artifactDir !== undefined) return postFromRun(octokit, repo, eventFile, artifactDir);

  const repositoryUrl = repoWebUrl(repo, process.env['GITHUB_SERVER_URL'] || undefined);
  const result = await commentRendered(
    octokit,
    { ...repo, pr },
    repoRoot(),
    await findKustomize(repoRoot()),
    required(flags.base, '--base REF'),
    flags.head,
    repositoryUrl,
  );
  process.stdout.write(`${result.action} comment ${result.url}\n`);
  return EXIT.ok;
});

/** The pr-comment workflow's step: GitHub's event and API decide the pull request; the artifact is only data. */
async function postFromRun(
  octokit: ReturnType<typeof createGitHubClient>,
  repo: RepoRef,
  eventFile: string,
  artifactDir: string,
): Promise<number> {
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(eventFile, 'utf8'));
  } catch (error) {
    throw new UsageError(`--workflow-run ${eventFile}: not a readable JSON event (${messageOf(error)}): pass $GITHUB_EVENT_PATH`);
  }
  const run = parseWorkflowRunEvent(payload, eventFile);
  const runRepo = `${run.repository.owner}/${run.repository.repo}`;
  if (runRepo.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) {
    throw new UsageError(
      `--repo ${repo.owner}/${repo.repo}, but run ${run.id} in ${eventFile} belongs to ${runRepo}: give --repo ${runRepo}`,
    );
  }
  const result = await commentFromRun(octokit, repo, run, artifactDir, repoWebUrl(repo, process.env['GITHUB_SERVER_URL'] || undefined));
  process.stdout.write('posted' in result ? `${result.posted.action} comment ${result.posted.url}\n` : `${result.skipped}\n`);
  return EXIT.ok;
}
