#!/usr/bin/env node
import { hasChanges } from '../tools/diff/engine.ts';
import { diffRefs } from '../tools/diff/run.ts';
import { formatMarkdown, formatText, reportJson } from '../tools/diff/format.ts';
import { ARTIFACT_COMMENT_MAX_CHARS } from '../tools/github/pr-artifact.ts';
import { parseRepo, repoWebUrl } from '../tools/github/repo.ts';
import { openRenderCache } from '../tools/render/cache.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { EXIT, main, parseFlags, required } from '../cli/command.ts';
import {
  OUTPUT_OPTIONS,
  checkWritable,
  formatData,
  outputFormat,
  progressLine,
  pruneCache,
  repoRoot,
  useColor,
  writeFlagFile,
} from './lib/cli.ts';

const USAGE = `
Usage: npm run diff -- --base REF [--head REF] [-o text|markdown|json|yaml] [--comment-file FILE] [--repo OWNER/NAME]

Compares the rendered overlays of the base ref and the head (a ref, or the working tree by
default), pairs objects per environment and app, and reports what changes in the cluster: flags
first (a base that failed to render, Applications removed, moved or reordered, shared or moved
objects, images, immutable fields, network flows against intent, Secret keys, stale generated
files), then what is lost (Loki retention, lifecycle expiry, claim sizes, deletions), the
Applications that appear, disappear or change under apps/ (each ApplicationSet expanded as
\`npm run plan\` does) and the other Argo CD objects, a summary per environment × app, what Argo CD
will do (Applications by wave, workloads that roll), network flow changes, then
per-object diffs. Both sides are hashed from their
kustomization graphs first (refs read from git's objects, never checked out); only overlays whose
input files differ are rendered, or taken from the cache in .cache/render/.

  -o text             coloured on a terminal unless NO_COLOR is set (default)
  -o markdown         GitHub-flavoured Markdown, the whole report (also --format markdown)
  -o json | -o yaml   machine-readable report (--json = -o json)
  --comment-file FILE also write the PR comment's report for the pr-diff artifact (≤ 64,512 characters;
                      no marker or title: \`pr-comment --workflow-run\` writes those)
  --repo OWNER/NAME   link short SHAs to their commits in Markdown (default: $GITHUB_REPOSITORY, with
                      $GITHUB_SERVER_URL or https://github.com; without either, full SHAs)

With --head REF, the stale-generated check regenerates from REF's catalog: REF's generator runs
in a temporary worktree (the renders still only read YAML).

Exit: 0 nothing changes, 1 the rendered output changes (or a flag), 2 could not run (the head fails
to render, or names a URL or a path outside the repository).
`;

await main(USAGE, async () => {
  const { values } = parseFlags(process.argv.slice(2), {
    ...OUTPUT_OPTIONS,
    base: { type: 'string' },
    head: { type: 'string' },
    'comment-file': { type: 'string' },
    repo: { type: 'string' },
  });
  const repository = values.repo ?? process.env['GITHUB_REPOSITORY'];
  const repositoryUrl = repository ? repoWebUrl(parseRepo(repository), process.env['GITHUB_SERVER_URL'] || undefined) : undefined;
  const base = required(values.base, '--base REF (e.g. --base origin/main)');
  const format = outputFormat(values, ['text', 'markdown', 'json', 'yaml']);
  const commentFile = values['comment-file'];
  if (commentFile !== undefined) await checkWritable('--comment-file', commentFile);
  const root = repoRoot();
  const kustomize = await findKustomize(root);
  const head = values.head;

  const line = progressLine();
  const onProgress = line && ((side: 'base' | 'head', done: number, total: number) => line(`rendering ${side} overlays`, done, total));
  const cache = openRenderCache(root);
  const { baseSha, headSha, report } = await diffRefs(root, kustomize, base, head, { cache, ...(onProgress ? { onProgress } : {}) });

  await pruneCache(cache);
  const shas = { baseSha, headSha, ...(repositoryUrl ? { repositoryUrl } : {}) };
  if (commentFile !== undefined) {
    const body = formatMarkdown(report, { ...shas, title: false, limit: ARTIFACT_COMMENT_MAX_CHARS });
    await writeFlagFile('--comment-file', commentFile, body);
  }
  if (format === 'json' || format === 'yaml')
    process.stdout.write(formatData({ base: baseSha, head: headSha, ...reportJson(report) }, format));
  else if (format === 'markdown') process.stdout.write(formatMarkdown(report, { ...shas, limit: Number.MAX_SAFE_INTEGER }));
  else process.stdout.write(`base ${baseSha} → head ${headSha}\n${formatText(report, { color: useColor(process.stdout) })}`);
  return hasChanges(report) ? EXIT.findings : EXIT.ok;
});
