/**
 * `npm run pr-comment` without the flags and the printing: the pull request's one sticky comment,
 * from a render here or from a pr-diff workflow run's artifact (the trusted half of the PR bot).
 */
import type { Octokit } from 'octokit';
import { COMMENT_TITLE, formatMarkdown, GITHUB_COMMENT_LIMIT } from '../diff/format.ts';
import { PR_COMMENT_MARKER } from '../diff/marker.ts';
import { diffRefs } from '../diff/run.ts';
import {
  ArtifactError,
  decidePost,
  findRunPullRequest,
  GitHubError,
  readPrDiffArtifact,
  runHeader,
  upsertStickyComment,
  type RepoRef,
  type StickyCommentResult,
  type StickyCommentTarget,
  type WorkflowRun,
} from '../github/index.ts';
import type { Kustomize } from '../render/kustomize.ts';

/**
 * Renders `base` and `head` (default: the working tree) of the repository at `root`, and keeps the
 * pull request's one sticky comment equal to their diff, in Markdown within GitHub's comment limit;
 * with `repositoryUrl` (tools/github/repo.ts repoWebUrl) the short SHAs link to their commits.
 * Errors: those of diffRefs (RenderError) and of the GitHub API (GitHubError).
 */
export async function commentRendered(
  octokit: Octokit,
  target: StickyCommentTarget,
  root: string,
  kustomize: Kustomize,
  base: string,
  head?: string,
  repositoryUrl?: string,
): Promise<StickyCommentResult> {
  const { baseSha, headSha, report } = await diffRefs(root, kustomize, base, head);
  const body = formatMarkdown(report, {
    baseSha,
    headSha,
    ...(repositoryUrl ? { repositoryUrl } : {}),
    marker: PR_COMMENT_MARKER,
    limit: GITHUB_COMMENT_LIMIT - 1024,
  });
  return upsertStickyComment(octokit, target, { marker: PR_COMMENT_MARKER, body });
}

/**
 * Posts a pr-diff run's comment (read from its artifact at `artifactDir`) on the pull request GitHub's
 * API says the run belongs to; the artifact's own number is only compared. Returns the comment
 * posted, or why nothing was (the pull request closed or moved on). Errors: a run not started by a
 * pull request (GitHubError), an artifact that is malformed or names another pull request (ArtifactError).
 */
export async function commentFromRun(
  octokit: Octokit,
  repo: RepoRef,
  run: WorkflowRun,
  artifactDir: string,
  repositoryUrl?: string,
): Promise<{ posted: StickyCommentResult } | { skipped: string }> {
  if (run.event !== 'pull_request')
    throw new GitHubError(`run ${run.id} was started by a ${run.event} event, not pull_request: it has no pull request to comment on`);
  const artifact = await readPrDiffArtifact(artifactDir);
  const decision = decidePost(run, await findRunPullRequest(octokit, run), artifact.prNumber);
  if (!decision.post) {
    if (decision.refused) throw new ArtifactError(decision.reason);
    return { skipped: decision.reason };
  }
  const body = `${COMMENT_TITLE}\n\n${runHeader(run, decision.pr, repositoryUrl)}\n\n${artifact.comment}`;
  return { posted: await upsertStickyComment(octokit, { ...repo, pr: decision.pr }, { marker: PR_COMMENT_MARKER, body }) };
}
