import type { Octokit } from 'octokit';
import { markedBody } from './body.ts';
import { call, GitHubError, type CallContext } from './error.ts';
import { repoName, type RepoRef } from './repo.ts';

export interface StickyCommentTarget extends RepoRef {
  pr: number;
}

export interface StickyComment {
  /** A one-line HTML comment that identifies this bot's comment, e.g. `<!-- observability-gitops:pr-diff -->`. */
  marker: string;
  body: string;
}

export interface StickyCommentResult {
  /** `unchanged` means nothing was written. */
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

interface IssueComment {
  id: number;
  body?: string | undefined;
  user?: { type?: string | undefined } | null | undefined;
  author_association?: string | undefined;
  created_at: string;
  html_url: string;
}

/**
 * Who may have written the sticky comment: a bot account (GITHUB_TOKEN posts as github-actions[bot]) or someone with
 * write access to the repository (a token of theirs). A marked comment by anyone else, such as a fork's author, is
 * neither adopted nor deleted. `author_association` values as in docs.github.com/graphql/reference/enums#commentauthorassociation.
 */
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

function maybeOurs(comment: IssueComment): boolean {
  return comment.user?.type === 'Bot' || TRUSTED_ASSOCIATIONS.has(comment.author_association ?? '');
}

/**
 * Keeps exactly one comment carrying `marker` on the pull request: creates it, or updates the newest marked
 * comment in place and deletes older marked ones (left by a past race). Only comments by a bot or by someone with
 * write access count: anyone can start a comment with the marker.
 */
export async function upsertStickyComment(
  octokit: Octokit,
  target: StickyCommentTarget,
  comment: StickyComment,
): Promise<StickyCommentResult> {
  const { owner, repo, pr } = target;
  const name = repoName(target);
  if (!Number.isSafeInteger(pr) || pr < 1) throw new GitHubError(`PR number ${pr} is not a positive integer: check --pr`);
  const body = markedBody(comment.marker, comment.body, `the comment on PR #${pr} in ${name}`);
  const context = (doing: string, notFound = `PR #${pr} not found in ${name} (404): check --repo and --pr`): CallContext => ({
    doing,
    notFound,
    forbidden: `the token may not write comments on ${name} (needs pull-requests: write)`,
  });

  await call(context(`reading PR #${pr} in ${name}`), () => octokit.rest.pulls.get({ owner, repo, pull_number: pr }));
  const comments: IssueComment[] = await call(context(`listing comments on PR #${pr} in ${name}`), () =>
    octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr, per_page: 100 }),
  );
  const marked = comments.filter((existing) => existing.body?.startsWith(comment.marker) === true && maybeOurs(existing)).sort(byCreation);
  const newest = marked.at(-1);

  if (newest === undefined) {
    const created = await call(context(`creating the comment on PR #${pr} in ${name}`), () =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: pr, body }),
    );
    return { action: 'created', id: created.data.id, url: created.data.html_url };
  }

  let url = newest.html_url;
  let wrote = false;
  if (newest.body !== body) {
    const updated = await call(
      context(
        `updating comment ${newest.id} on PR #${pr} in ${name}`,
        `comment ${newest.id} on PR #${pr} in ${name} was deleted while updating it (404): re-run`,
      ),
      () => octokit.rest.issues.updateComment({ owner, repo, comment_id: newest.id, body }),
    );
    url = updated.data.html_url;
    wrote = true;
  }
  for (const older of marked.slice(0, -1)) {
    await deleteComment(octokit, target, older.id, context(`deleting duplicate comment ${older.id} on PR #${pr} in ${name}`));
    wrote = true;
  }
  return { action: wrote ? 'updated' : 'unchanged', id: newest.id, url };
}

async function deleteComment(octokit: Octokit, target: RepoRef, id: number, context: CallContext): Promise<void> {
  try {
    await call(context, () => octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: id }));
  } catch (error) {
    // Another run deleting the same duplicate first is the outcome we want.
    if (error instanceof GitHubError && error.status === 404) return;
    throw error;
  }
}

function byCreation(a: IssueComment, b: IssueComment): number {
  return Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id;
}
