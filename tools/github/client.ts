import { randomUUID } from 'node:crypto';
import { Octokit } from 'octokit';
import { GitHubError } from './error.ts';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

const DEFAULT_MAX_RETRIES = 3;
/** A rate limit lifting later than this fails the run instead of holding a CI runner idle. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 60;
/** The retry plugin's defaults, plus 429: rate limits are the throttling plugin's to retry, once each. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
const SILENT = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface GitHubClientOptions {
  token: string;
  /** `GITHUB_API_URL`, e.g. `https://ghe.example.com/api/v3` on GitHub Enterprise Server; empty means github.com. */
  baseUrl?: string;
  /** How often one request is retried after a 5xx or a rate limit (default 3). */
  maxRetries?: number;
}

/**
 * An Octokit that retries 5xx answers (backing off) and rate limits (after GitHub's retry-after or reset time,
 * up to a minute), at most `maxRetries` times per request, and spaces its writes a second apart as GitHub asks.
 * It logs nothing: failures surface as errors.
 */
export function createGitHubClient(options: GitHubClientOptions): Octokit {
  if (options.token.trim() === '') throw new GitHubError('GitHub token is empty: set GITHUB_TOKEN');
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new GitHubError(`maxRetries ${maxRetries} is not a whole number of retries: give 0 or more`);
  }
  const retryRateLimit = (retryAfter: number, _request: unknown, _octokit: unknown, retryCount: number): boolean =>
    retryCount < maxRetries && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
  return new Octokit({
    auth: options.token.trim(),
    baseUrl: apiUrl(options.baseUrl),
    userAgent: 'observability-gitops',
    log: SILENT,
    retry: { retries: maxRetries, doNotRetry: DO_NOT_RETRY },
    throttle: {
      // The plugin keeps its write queues per id across clients; one id per client keeps clients independent.
      id: randomUUID(),
      onRateLimit: retryRateLimit,
      onSecondaryRateLimit: retryRateLimit,
    },
  });
}

function apiUrl(baseUrl: string | undefined): string {
  if (baseUrl === undefined || baseUrl.trim() === '') return DEFAULT_GITHUB_API_URL;
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch (error) {
    throw new GitHubError(
      `GitHub API URL ${JSON.stringify(baseUrl)} is not a URL: set GITHUB_API_URL like https://ghe.example.com/api/v3`,
      { cause: error },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GitHubError(
      `GitHub API URL ${JSON.stringify(baseUrl)} is not http(s): set GITHUB_API_URL like https://ghe.example.com/api/v3`,
    );
  }
  return url.href.replace(/\/+$/, '');
}
