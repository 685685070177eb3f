import { GitHubError } from './error.ts';

/** GitHub refuses a comment or issue body longer than this many characters. */
export const MAX_BODY_LENGTH = 65_536;

/**
 * The body as written to GitHub: the hidden marker first, then the caller's text (unless it already starts with it).
 * Throws before any request when the marker is not a one-line HTML comment or the result is over GitHub's limit.
 */
export function markedBody(marker: string, body: string, what: string): string {
  const closes = marker.indexOf('-->', 4);
  const named = marker.slice(4, -3).trim() !== '';
  if (!marker.startsWith('<!--') || closes !== marker.length - 3 || !named || marker.includes('\n')) {
    throw new GitHubError(
      `marker ${JSON.stringify(marker)} for ${what} is not a one-line, non-empty HTML comment: use one like <!-- observability-gitops:name -->`,
    );
  }
  const written = body.startsWith(marker) ? body : `${marker}\n${body}`;
  if (written.length > MAX_BODY_LENGTH) {
    throw new GitHubError(
      `body of ${what} is ${written.length} characters with its marker, over GitHub's limit of ${MAX_BODY_LENGTH}: trim it before posting`,
    );
  }
  return written;
}
