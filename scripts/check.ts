#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { WORK_DIR, interruptedWrite } from '../tools/generate/write.ts';
import { checkRepository } from '../tools/check/repository.ts';
import { openCheckCache } from '../tools/check/result-cache.ts';
import { formatSummary } from '../tools/check/summary.ts';
import { openRenderCache } from '../tools/render/cache.ts';
import { findKustomize, kustomizeVersionWarning } from '../tools/render/kustomize.ts';
import { formatFinding } from '../tools/validate/finding.ts';
import { EXIT, main, parseFlags } from '../cli/command.ts';
import { OUTPUT_OPTIONS, formatData, outputFormat, progressLine, pruneCache, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run check [-- -o json|yaml] [--fresh]     (npm start runs the same; --json = -o json)

1. Regenerates the tree in memory and compares it with base/, overlays/ and apps/ on disk.
2. Renders every overlay with the real kustomize (in parallel), reusing renders cached in
   .cache/render/ for overlays whose input files and kustomize version are unchanged.
3. Checks each rendered overlay equals what the catalog builds, then prints a summary per
   environment and component.
4. When the upstream tier's programs are built (npm run test:upstream), loads every Loki and Alloy
   configuration and the Argo CD objects with the components' own code; otherwise says, one line
   each, that it skipped them.

Files git ignores are not read: no commit, no Argo CD and no runner has them.
When nothing changed since a check (no file git tracks or would track, the same kustomize, Node,
packages and upstream programs), its report, kept in .cache/check/, is shown again without
rendering, and a line on stderr says when that check ran; --fresh checks again.

Exit: 0 clean, 1 stale files or findings, 2 could not run (invalid catalog, kustomize error or missing).
`;

await main(USAGE, async () => {
  const { values } = parseFlags(process.argv.slice(2), { ...OUTPUT_OPTIONS, fresh: { type: 'boolean' } });
  const format = outputFormat(values, ['text', 'json', 'yaml']);
  const line = progressLine();
  const onProgress = line && ((done: number, total: number) => line('rendering overlays', done, total));
  const root = repoRoot();
  const cache = openRenderCache(root);
  const interrupted = await interruptedWrite(root);
  if (interrupted) {
    const state = interrupted === 'committed' ? 'base/, overlays/ and apps/ are half written' : 'nothing was changed yet';
    process.stderr.write(
      `warning: an interrupted \`npm run generate\` left ${WORK_DIR}/ (${state}): run \`npm run generate\` to finish it, then check again\n`,
    );
  }
  const kustomize = await findKustomize(root);
  const outcome = await checkRepository(root, catalog, kustomize, {
    cache,
    reports: openCheckCache(root),
    fresh: values.fresh === true,
    ...(onProgress ? { onProgress } : {}),
  });
  const { report: result, renderError } = outcome;
  if (outcome.replayedFrom)
    process.stderr.write(`nothing changed since the check at ${outcome.replayedFrom}: its report follows (--fresh checks again)\n`);
  if (outcome.cacheWarning) process.stderr.write(`warning: ${outcome.cacheWarning}\n`);
  // The kustomize-version warning follows a render error, so that the error is the first line on stderr.
  const versionWarning = kustomizeVersionWarning(kustomize);
  const warnVersion = (): void => {
    if (versionWarning) process.stderr.write(`warning: ${versionWarning}\n`);
  };
  await pruneCache(cache);
  for (const line of result.upstreamSkipped) process.stderr.write(`${line}\n`);
  const errors = result.findings.filter((f) => f.severity === 'error');
  const failed = result.stale.stale.length > 0 || errors.length > 0;
  if (format !== 'text') {
    warnVersion();
    if (renderError) throw renderError;
    const stale = result.stale.stale.map(({ path, problem }) => ({ path, problem }));
    process.stdout.write(
      formatData({ ok: !failed, stale, findings: result.findings, honoured: result.honoured, summary: result.summary }, format),
    );
    return failed ? EXIT.findings : EXIT.ok;
  }
  if (result.stale.stale.length > 0) {
    process.stdout.write(`${result.stale.stale.length} generated file(s) differ from what the catalog generates:\n`);
    for (const file of result.stale.stale) process.stdout.write(`  ${file.problem.padEnd(8)} ${file.path}\n`);
    process.stdout.write(`\n${result.stale.stale.map((f) => f.diff).join('\n')}\n`);
    process.stdout.write('Fix: run `npm run generate` and commit the result.\n\n');
  }
  if (renderError) {
    process.stderr.write(`error: ${renderError.message}\n`);
    warnVersion();
    return EXIT.cannotRun;
  }
  warnVersion();
  for (const finding of result.findings) process.stdout.write(`${formatFinding(finding)}\n`);
  if (result.findings.length > 0) process.stdout.write('\n');
  if (result.honoured.length > 0) {
    process.stdout.write('Security exceptions honoured (declared in tools/catalog/exceptions.ts):\n');
    for (const h of result.honoured)
      process.stdout.write(
        `  ${h.env}/${h.component} ${h.object}${h.container ? ` container ${h.container}` : ''}: ${h.control} — ${h.reason}\n`,
      );
    process.stdout.write('\n');
  }
  process.stdout.write(`${formatSummary(result.summary)}\n\n`);
  process.stdout.write(
    failed
      ? `check failed: ${result.stale.stale.length} stale file(s), ${errors.length} error(s)\n`
      : `check passed: ${result.overlays} overlays rendered and match the catalog\n`,
  );
  return failed ? EXIT.findings : EXIT.ok;
});
