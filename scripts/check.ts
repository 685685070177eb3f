#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { runCheck } from '../tools/check/run.ts';
import { formatSummary } from '../tools/check/summary.ts';
import { openRenderCache } from '../tools/render/cache.ts';
import { findKustomize, kustomizeVersionWarning } from '../tools/render/kustomize.ts';
import { formatFinding } from '../tools/validate/finding.ts';
import { EXIT, main, parseFlags, pruneCache, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run check [-- --json]     (npm start runs the same)

1. Regenerates the tree in memory and compares it with base/, overlays/ and apps/ on disk.
2. Renders every overlay with the real kustomize (in parallel), reusing renders cached in
   .cache/render/ for overlays whose input files and kustomize version are unchanged.
3. Checks each rendered overlay equals what the catalog builds, then prints a summary per
   environment and component.

Exit: 0 clean, 1 stale files or findings, 2 could not run (invalid catalog, kustomize error or missing).
`;

/** Overlays done / total and elapsed time, on one rewritten line of a terminal; nothing in CI or a pipe. */
function progress(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY || process.env['CI']) return undefined;
  const started = performance.now();
  return (done, total) => {
    process.stderr.write(`\rrendering overlays: ${done}/${total}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (done === total) process.stderr.write('\n');
  };
}

await main(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), { boolean: ['json'] });
  const onProgress = progress();
  const root = repoRoot();
  const cache = openRenderCache(root);
  const kustomize = await findKustomize();
  const versionWarning = kustomizeVersionWarning(kustomize);
  if (versionWarning) process.stderr.write(`warning: ${versionWarning}\n`);
  const result = await runCheck(root, catalog, kustomize, { cache, ...(onProgress ? { onProgress } : {}) });
  await pruneCache(cache);
  const errors = result.findings.filter((f) => f.severity === 'error');
  const failed = result.stale.stale.length > 0 || errors.length > 0;
  if (flags['json']) {
    if (result.renderError) throw result.renderError;
    const stale = result.stale.stale.map(({ path, problem }) => ({ path, problem }));
    process.stdout.write(`${JSON.stringify({ ok: !failed, stale, findings: result.findings, honoured: result.honoured, summary: result.summary }, null, 2)}\n`);
    return failed ? EXIT.findings : EXIT.ok;
  }
  if (result.stale.stale.length > 0) {
    process.stdout.write(`${result.stale.stale.length} generated file(s) differ from what the catalog generates:\n`);
    for (const file of result.stale.stale) process.stdout.write(`  ${file.problem.padEnd(8)} ${file.path}\n`);
    process.stdout.write(`\n${result.stale.stale.map((f) => f.diff).join('\n')}\n`);
    process.stdout.write('Fix: run `npm run generate` and commit the result.\n\n');
  }
  if (result.renderError) {
    process.stderr.write(`error: ${result.renderError.message}\n`);
    return EXIT.cannotRun;
  }
  for (const finding of result.findings) process.stdout.write(`${formatFinding(finding)}\n`);
  if (result.findings.length > 0) process.stdout.write('\n');
  if (result.honoured.length > 0) {
    process.stdout.write('Security exceptions honoured (declared in tools/catalog/exceptions.ts):\n');
    for (const h of result.honoured) process.stdout.write(`  ${h.env}/${h.component} ${h.object}${h.container ? ` container ${h.container}` : ''}: ${h.control} — ${h.reason}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(`${formatSummary(result.summary)}\n\n`);
  process.stdout.write(
    failed
      ? `check failed: ${result.stale.stale.length} stale file(s), ${errors.length} error(s)\n`
      : `check passed: ${result.tree.apps.length} overlays rendered and match the catalog\n`,
  );
  return failed ? EXIT.findings : EXIT.ok;
});
