export { createGitHubClient, DEFAULT_GITHUB_API_URL, type GitHubClientOptions } from './client.ts';
export { MAX_BODY_LENGTH } from './body.ts';
export { GitHubError } from './error.ts';
export { parseRepo, repoWebUrl, type RepoRef } from './repo.ts';
export { upsertStickyComment, type StickyComment, type StickyCommentResult, type StickyCommentTarget } from './sticky-comment.ts';
export {
  DEFAULT_DRIFT_LABEL,
  driftIssueMarker,
  driftIssueTitle,
  syncDriftIssue,
  type DriftIssueReport,
  type DriftIssueResult,
} from './drift-issue.ts';
export { ArtifactError, readPrDiffArtifact, type PrDiffArtifact } from './pr-artifact.ts';
export {
  decidePost,
  findRunPullRequest,
  parseWorkflowRunEvent,
  runHeader,
  type PostDecision,
  type RunPullRequest,
  type WorkflowRun,
} from './workflow-run.ts';
