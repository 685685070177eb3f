import { RequestError } from 'octokit';

/** A GitHub call that failed, or a request this module refuses to send; the first line says what and how to fix it. */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  /** The HTTP status GitHub answered with, when it answered. */
  readonly status?: number;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    if (options.status !== undefined) this.status = options.status;
  }
}

/** How to explain a failed call to someone who did not write it. */
export interface CallContext {
  /** What was being done, as a phrase: `listing comments on PR #42 in acme/obs`. */
  doing: string;
  /** The whole message for a 404, with the fix: `PR #42 not found in acme/obs (404): check --repo and --pr`. */
  notFound: string;
  /** What a 403 most likely means: `the token may not write comments on acme/obs (needs pull-requests: write)`. */
  forbidden: string;
}

/** Runs one GitHub call and turns its failure into a GitHubError that names the call. */
export async function call<T>(context: CallContext, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw toGitHubError(error, context);
  }
}

function toGitHubError(error: unknown, context: CallContext): GitHubError {
  if (error instanceof GitHubError) return error;
  if (!(error instanceof RequestError)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new GitHubError(`${context.doing} failed: ${oneLine(reason)}`, { cause: error });
  }
  const status = error.status;
  const said = githubMessage(error);
  const options = { status, cause: error };
  if (status === 401) {
    return new GitHubError(`GitHub rejected the token (401) while ${context.doing}: set GITHUB_TOKEN to a valid token`, options);
  }
  if ((status === 403 || status === 429) && isRateLimit(error, said)) {
    return new GitHubError(
      `GitHub rate limit exceeded (${status}) while ${context.doing}, longer than retries may wait: re-run later`,
      options,
    );
  }
  if (status === 403) return new GitHubError(`403 while ${context.doing}: ${context.forbidden}`, options);
  if (status === 404) return new GitHubError(context.notFound, options);
  if (status === 410) {
    return new GitHubError(`${context.doing} failed (410): issues are disabled in this repository; enable them in its settings`, options);
  }
  if (status === 422) return new GitHubError(`GitHub refused ${context.doing} (422): ${said}`, options);
  if (error.response === undefined) {
    return new GitHubError(
      `${context.doing} failed: GitHub did not answer (${oneLine(error.message)}); check GITHUB_API_URL and the network`,
      options,
    );
  }
  return new GitHubError(`${context.doing} failed (${status}): ${said}`, options);
}

function isRateLimit(error: RequestError, said: string): boolean {
  return /rate limit/i.test(said) || error.response?.headers['x-ratelimit-remaining'] === '0';
}

/** GitHub's own explanation: its `message` plus any field errors, on one line. */
function githubMessage(error: RequestError): string {
  const data = error.response?.data;
  if (typeof data !== 'object' || data === null) return oneLine(error.message);
  const record = data as { message?: unknown; errors?: unknown };
  const parts = typeof record.message === 'string' ? [record.message] : [];
  if (Array.isArray(record.errors)) {
    for (const item of record.errors as unknown[]) {
      if (typeof item === 'string') parts.push(item);
      else if (typeof item === 'object' && item !== null && typeof (item as { message?: unknown }).message === 'string') {
        parts.push((item as { message: string }).message);
      } else if (typeof item === 'object' && item !== null) {
        const { field, code } = item as { field?: unknown; code?: unknown };
        parts.push(`${String(field ?? 'field')} ${String(code ?? 'invalid')}`);
      }
    }
  }
  return parts.length === 0 ? oneLine(error.message) : oneLine(parts.join(': '));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
