import { GitHubError } from './error.ts';

export interface RepoRef {
  owner: string;
  repo: string;
}

// Lenient on purpose: GitHub's exact naming rules differ between github.com and GHES; this catches URLs and typos.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,98}[A-Za-z0-9_])?$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** `OWNER/NAME` (as in `$GITHUB_REPOSITORY`) to a RepoRef. */
export function parseRepo(text: string): RepoRef {
  const parts = text.trim().split('/');
  const [owner, repo] = parts;
  if (
    parts.length !== 2 ||
    owner === undefined ||
    repo === undefined ||
    !OWNER.test(owner) ||
    !NAME.test(repo) ||
    repo === '.' ||
    repo === '..'
  ) {
    throw new GitHubError(`repository ${JSON.stringify(text)} is not OWNER/NAME: give it like acme/observability-gitops`);
  }
  return { owner, repo };
}

export function repoName(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

/**
 * The repository's web address, under which `/commit/<sha>` shows a commit: `GITHUB_SERVER_URL`
 * (Actions' default environment; GitHub Enterprise's own host) or https://github.com.
 */
export function repoWebUrl(ref: RepoRef, serverUrl = 'https://github.com'): string {
  const server = serverUrl.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(server))
    throw new GitHubError(
      `server URL ${JSON.stringify(serverUrl)} is not an http(s) address: set GITHUB_SERVER_URL like https://github.example.com`,
    );
  return `${server}/${ref.owner}/${ref.repo}`;
}
