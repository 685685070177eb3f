#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { validateRepository } from '../tools/check/validate.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { formatFinding } from '../tools/validate/finding.ts';
import { EXIT, main, parseFlags } from '../cli/command.ts';
import { OUTPUT_OPTIONS, formatData, outputFormat, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run validate -- [OVERLAY_DIR…] [-o json|yaml] [--matrix]     (--json = -o json)

Renders the given overlays (default: all; an environment name selects all of its overlays) as they
are on disk, without the stale-file check, and runs the validation gates on them: RBAC against the
seed's model, schemas (Kubernetes and Argo CD), the seed's security controls (listing the
exceptions the catalog declares), network reachability (the NetworkPolicies evaluated into a matrix of allowed flows and
compared with the catalog's intended flows; --matrix prints it), wiring across objects (Services, references, URLs in configuration files) and, when
validating everything, apps/ against the overlays and .github/workflows/ through actionlint. Cross-object checks see the whole environment;
findings are reported for the overlays asked for.

Exit: 0 no errors, 1 errors found, 2 could not run (no such overlay, kustomize error or missing).
`;

await main(USAGE, async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), { ...OUTPUT_OPTIONS, matrix: { type: 'boolean' } }, true);
  const format = outputFormat(values, ['text', 'json', 'yaml']);
  const { overlays, findings, honoured, matrices } = await validateRepository(
    repoRoot(),
    catalog,
    await findKustomize(repoRoot()),
    positionals,
  );
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (format !== 'text') {
    const byEnv = Object.fromEntries(matrices.map((m) => [m.env, m.json]));
    process.stdout.write(
      formatData({ ok: errors === 0, overlays, findings, honoured, ...(values.matrix ? { matrices: byEnv } : {}) }, format),
    );
  } else {
    if (values.matrix) for (const m of matrices) process.stdout.write(`Allowed flows in ${m.env}:\n${m.text}\n`);
    for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
    for (const h of honoured)
      process.stdout.write(
        `exception honoured: ${h.env}/${h.component} ${h.object}${h.container ? ` container ${h.container}` : ''}: ${h.control} — ${h.reason}\n`,
      );
    process.stdout.write(
      `${errors === 0 ? 'valid' : 'invalid'}: ${overlays.length} overlay(s), ${errors} error(s), ${findings.length - errors} other finding(s)\n`,
    );
  }
  return errors > 0 ? EXIT.findings : EXIT.ok;
});
