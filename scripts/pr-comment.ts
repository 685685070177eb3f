#!/usr/bin/env node
import { formatMarkdown, GITHUB_COMMENT_LIMIT } from '../tools/diff/format.ts';
import { PR_COMMENT_MARKER } from '../tools/diff/marker.ts';
import { diffRefs } from '../tools/diff/run.ts';
import { createGitHubClient, parseRepo, upsertStickyComment } from '../tools/github/index.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { EXIT, UsageError, main, parseFlags, readFlagFile, repoRoot, required } from './lib/cli.ts';

const USAGE = `
Usage: npm run pr-comment -- --repo OWNER/NAME --pr N (--base REF [--head REF] | --body-file FILE)

Posts the rendered diff as the pull request's one sticky comment, or updates it in place (found by
a hidden marker: a re-run never adds a second). With --base it renders the diff itself, as
\`npm run diff\` does; with --body-file it posts a comment rendered earlier (the pr-comment workflow
posts what pr-diff rendered, without running the pull request's code).

Environment: GITHUB_TOKEN (required), GITHUB_API_URL (GitHub Enterprise; default https://api.github.com).
Exit: 0 posted or already up to date, 2 could not run (bad flags, no token, PR not found, token refused).
`;

await main(USAGE, async () => {
  const { values } = parseFlags(process.argv.slice(2), {
    repo: { type: 'string' },
    pr: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    'body-file': { type: 'string' },
  });
  const repo = parseRepo(required(values.repo, '--repo OWNER/NAME'));
  const prText = required(values.pr, '--pr N');
  const pr = Number(prText);
  if (!Number.isInteger(pr) || pr <= 0) throw new UsageError(`--pr ${prText}: expected a pull request number`);
  const bodyFile = values['body-file'];
  const base = values.base;
  if ((bodyFile === undefined) === (base === undefined)) throw new UsageError('give exactly one of --base REF or --body-file FILE');
  if (bodyFile !== undefined && values.head !== undefined) throw new UsageError('--head goes with --base: --body-file posts a comment rendered earlier');
  const body = bodyFile !== undefined ? await readFlagFile('--body-file', bodyFile) : undefined;
  const token = process.env['GITHUB_TOKEN'];
  if (!token) throw new UsageError('GITHUB_TOKEN is not set: export a token that may write pull request comments');

  let comment: string;
  if (body !== undefined) comment = body;
  else {
    const { baseSha, headSha, report } = await diffRefs(repoRoot(), await findKustomize(), required(base, '--base REF'), values.head);
    comment = formatMarkdown(report, { baseSha, headSha, marker: PR_COMMENT_MARKER, limit: GITHUB_COMMENT_LIMIT - 1024 });
  }
  const octokit = createGitHubClient({ token, baseUrl: process.env['GITHUB_API_URL'] ?? '' });
  const result = await upsertStickyComment(octokit, { ...repo, pr }, { marker: PR_COMMENT_MARKER, body: comment });
  process.stdout.write(`${result.action} comment ${result.url}\n`);
  return EXIT.ok;
});
