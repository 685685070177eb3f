/** The hidden first line that identifies the PR bot's one sticky comment. */
export const PR_COMMENT_MARKER = '<!-- observability-gitops:pr-diff -->';
