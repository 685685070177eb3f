#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { formatMarkdown, GITHUB_COMMENT_LIMIT } from '../tools/diff/format.ts';
import { PR_COMMENT_MARKER } from '../tools/diff/marker.ts';
import { diffRefs } from '../tools/diff/run.ts';
import { createGitHubClient, parseRepo, upsertStickyComment } from '../tools/github/index.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { EXIT, UsageError, main, parseFlags, repoRoot } from './lib/cli.ts';

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
  const flags = parseFlags(process.argv.slice(2), { string: ['repo', 'pr', 'base', 'head', 'body-file'] });
  const repo = parseRepo(String(flags['repo'] ?? ''));
  const pr = Number(flags['pr']);
  if (!Number.isInteger(pr) || pr <= 0) throw new UsageError(`--pr ${String(flags['pr'] ?? '')}: expected a pull request number`);
  const token = process.env['GITHUB_TOKEN'];
  if (!token) throw new UsageError('GITHUB_TOKEN is not set: export a token that may write pull request comments');
  const bodyFile = flags['body-file'] as string | undefined;
  const base = flags['base'] as string | undefined;
  if (Boolean(bodyFile) === Boolean(base)) throw new UsageError('give exactly one of --base REF or --body-file FILE');

  let body: string;
  if (bodyFile) body = await readFile(bodyFile, 'utf8');
  else {
    const { baseSha, headSha, report } = await diffRefs(repoRoot(), await findKustomize(), base as string, flags['head'] as string | undefined);
    body = formatMarkdown(report, { baseSha, headSha, marker: PR_COMMENT_MARKER, limit: GITHUB_COMMENT_LIMIT - 1024 });
  }
  const octokit = createGitHubClient({ token, baseUrl: process.env['GITHUB_API_URL'] ?? '' });
  const result = await upsertStickyComment(octokit, { ...repo, pr }, { marker: PR_COMMENT_MARKER, body });
  process.stdout.write(`${result.action} comment ${result.url}\n`);
  return EXIT.ok;
});
