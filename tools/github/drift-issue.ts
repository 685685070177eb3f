import type { Octokit } from 'octokit';
import { markedBody } from './body.ts';
import { call, GitHubError, type CallContext } from './error.ts';
import { repoName, type RepoRef } from './repo.ts';

export const DEFAULT_DRIFT_LABEL = 'drift';

export interface DriftIssueReport {
  env: string;
  drift: boolean;
  /** The issue body (the caller formats it); the env's marker is put first. */
  body: string;
  /** Default `drift`. */
  label?: string;
  /** When drift was found gone, for the closing comment; default now. */
  now?: Date;
}

export interface DriftIssueResult {
  /** `unchanged` and `none` mean nothing was written. */
  action: 'opened' | 'updated' | 'unchanged' | 'closed' | 'none';
  number?: number;
  url?: string;
}

interface Issue {
  number: number;
  body?: string | null | undefined;
  html_url: string;
  pull_request?: unknown;
  labels: ReadonlyArray<string | { name?: string | undefined }>;
}

const ENV = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The hidden line that identifies one environment's drift issue. */
export function driftIssueMarker(env: string): string {
  return `<!-- observability-gitops:drift env=${env} -->`;
}

export function driftIssueTitle(env: string): string {
  return `Drift in ${env}`;
}

/**
 * Keeps at most one open issue per environment, found by label and marker: opens it when drift appears, edits it
 * when the report changes, comments and closes it when drift is gone. Extra open issues for the env (a past race)
 * are closed as duplicates of the oldest.
 */
export async function syncDriftIssue(octokit: Octokit, target: RepoRef, report: DriftIssueReport): Promise<DriftIssueResult> {
  const { owner, repo } = target;
  const name = repoName(target);
  const { env } = report;
  const label = report.label ?? DEFAULT_DRIFT_LABEL;
  if (!ENV.test(env)) throw new GitHubError(`environment ${JSON.stringify(env)} is not a plain name: use letters, digits, '.', '_' or '-'`);
  if (label.trim() === '' || label.includes(',')) {
    throw new GitHubError(`drift label ${JSON.stringify(label)} must be one non-empty label name without commas`);
  }
  const marker = driftIssueMarker(env);
  const body = report.drift ? markedBody(marker, report.body, `the drift issue for ${env} in ${name}`) : '';
  const context = (doing: string): CallContext => ({
    doing,
    notFound: `${name} not found or not visible to the token (404) while ${doing}: check --report-issue`,
    forbidden: `the token may not write issues on ${name} (needs issues: write)`,
  });

  const listed: Issue[] = await call(context(`listing open '${label}' issues in ${name}`), () =>
    octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'open', labels: label, per_page: 100 }),
  );
  // The issues list includes pull requests, and the label alone may be shared with other envs or people.
  const open = listed
    .filter((issue) => issue.pull_request == null && (issue.body ?? '').includes(marker))
    .sort((a, b) => a.number - b.number);
  const [kept, ...duplicates] = open;

  const comment = async (issue: Issue, text: string): Promise<void> => {
    await call(context(`commenting on issue #${issue.number} in ${name}`), () =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: text }),
    );
  };
  const close = async (issue: Issue, reason: 'completed' | 'not_planned'): Promise<void> => {
    await call(context(`closing issue #${issue.number} in ${name}`), () =>
      octokit.rest.issues.update({ owner, repo, issue_number: issue.number, state: 'closed', state_reason: reason }),
    );
  };

  if (!report.drift) {
    if (kept === undefined) return { action: 'none' };
    const since = (report.now ?? new Date()).toISOString();
    for (const issue of open) {
      await comment(issue, `No drift since ${since}.`);
      await close(issue, 'completed');
    }
    return { action: 'closed', number: kept.number, url: kept.html_url };
  }

  if (kept === undefined) {
    const created = await call(context(`opening the drift issue for ${env} in ${name}`), () =>
      octokit.rest.issues.create({ owner, repo, title: driftIssueTitle(env), body, labels: [label] }),
    );
    const issue: Issue = created.data;
    if (!hasLabel(issue, label)) {
      throw new GitHubError(
        `drift issue #${issue.number} in ${name} was opened without label '${label}' (GitHub drops labels the token may not set): ` +
          `give the token issues: write, add the label to #${issue.number} by hand, or the next run opens another`,
      );
    }
    return { action: 'opened', number: issue.number, url: issue.html_url };
  }

  let wrote = false;
  // not_planned rather than the newer 'duplicate' reason, which older GHES releases refuse.
  for (const duplicate of duplicates) {
    await comment(duplicate, `Duplicate of #${kept.number}.`);
    await close(duplicate, 'not_planned');
    wrote = true;
  }
  if (kept.body !== body) {
    await call(context(`updating issue #${kept.number} in ${name}`), () =>
      octokit.rest.issues.update({ owner, repo, issue_number: kept.number, body }),
    );
    wrote = true;
  }
  return { action: wrote ? 'updated' : 'unchanged', number: kept.number, url: kept.html_url };
}

function hasLabel(issue: Issue, label: string): boolean {
  const wanted = label.toLowerCase();
  return issue.labels.some((entry) => (typeof entry === 'string' ? entry : entry.name)?.toLowerCase() === wanted);
}
