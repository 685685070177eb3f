#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { hasChanges } from '../tools/diff/engine.ts';
import { diffRefs } from '../tools/diff/run.ts';
import { formatMarkdown, formatText, reportJson } from '../tools/diff/format.ts';
import { ARTIFACT_COMMENT_MAX_CHARS } from '../tools/github/pr-artifact.ts';
import { openRenderCache } from '../tools/render/cache.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { EXIT, UsageError, main, parseFlags, pruneCache, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run diff -- --base REF [--head REF] [--format text|markdown] [--json] [--comment-file FILE]

Compares the rendered overlays of the base ref and the head (a ref, or the working tree by
default), pairs objects per environment and app, and reports what changes in the cluster: flags
first (images, immutable fields, data loss, wave order, Secret keys, stale generated files), then a
summary per environment × app, then per-object diffs. Both sides are hashed from their
kustomization graphs first (refs read from git's objects, never checked out); only overlays whose
input files differ are rendered, or taken from the cache in .cache/render/.

  --format text       coloured on a terminal (default)
  --format markdown   GitHub-flavoured Markdown, the whole report
  --json              machine-readable report
  --comment-file FILE also write the PR comment's report for the pr-diff artifact (≤ 64,512 characters;
                      no marker or title: \`pr-comment --workflow-run\` writes those)

Exit: 0 nothing changes, 1 the rendered output changes (or a flag), 2 could not run.
`;

/** Overlays done / total per side and elapsed time, on one rewritten line of a terminal; nothing in CI or a pipe. */
function progress(): ((side: 'base' | 'head', done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY || process.env['CI']) return undefined;
  const started = performance.now();
  return (side, done, total) => {
    process.stderr.write(`\rrendering ${side} overlays: ${done}/${total}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (done === total) process.stderr.write('\n');
  };
}

await main(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), { string: ['base', 'head', 'format', 'comment-file'], boolean: ['json'], default: { format: 'text' } });
  const base = flags['base'] as string | undefined;
  if (!base) throw new UsageError('--base REF is required (e.g. --base origin/main)');
  const format = String(flags['format']);
  if (!['text', 'markdown'].includes(format)) throw new UsageError(`--format ${format}: expected text or markdown`);
  const root = repoRoot();
  const kustomize = await findKustomize();
  const head = flags['head'] as string | undefined;

  const onProgress = progress();
  const cache = openRenderCache(root);
  const { baseSha, headSha, report } = await diffRefs(root, kustomize, base, head, { cache, ...(onProgress ? { onProgress } : {}) });

  await pruneCache(cache);
  const shas = { baseSha, headSha };
  if (flags['comment-file']) {
    const body = formatMarkdown(report, { ...shas, title: false, limit: ARTIFACT_COMMENT_MAX_CHARS });
    await writeFile(String(flags['comment-file']), body);
  }
  if (flags['json']) process.stdout.write(`${JSON.stringify({ base: baseSha, head: headSha, ...reportJson(report) }, null, 2)}\n`);
  else if (format === 'markdown') process.stdout.write(formatMarkdown(report, { ...shas, limit: Number.MAX_SAFE_INTEGER }));
  else process.stdout.write(`base ${baseSha} → head ${headSha}\n${formatText(report, { color: Boolean(process.stdout.isTTY) })}`);
  return hasChanges(report) ? EXIT.findings : EXIT.ok;
});
