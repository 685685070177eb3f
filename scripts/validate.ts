#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { argoObjects } from '../tools/argocd/app-files.ts';
import { readWorkflows } from '../tools/check/run.ts';
import { schemaFindings } from '../tools/validate/schema.ts';
import { lintWorkflows } from '../tools/validate/workflows.ts';
import { readOutputTree } from '../tools/generate/disk.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { listOverlays, renderOverlays, resolveOverlays } from '../tools/render/overlays.ts';
import { appsFindings } from '../tools/validate/apps.ts';
import { argoVersionFindings } from '../tools/validate/argocd-version.ts';
import { formatFinding, sortFindings } from '../tools/validate/finding.ts';
import { validateTree } from '../tools/validate/index.ts';
import { EXIT, OUTPUT_OPTIONS, formatData, main, outputFormat, parseFlags, repoRoot } from './lib/cli.ts';

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
  const root = repoRoot();
  const chosen = await resolveOverlays(root, positionals);
  const envs = new Set(chosen.map((o) => o.env));
  // Render whole environments: a reference from one overlay to another's object must resolve.
  const context = (await listOverlays(root)).filter((o) => envs.has(o.env));
  const tree = await renderOverlays(root, await findKustomize(), context);
  const dirs = new Set(chosen.map((o) => o.dir));
  const wanted = (env?: string, component?: string): boolean => env === undefined || dirs.has(`overlays/${env}/${component}`);
  const validation = validateTree(tree, catalog);
  let findings = validation.findings.filter((f) => wanted(f.env, f.component));
  if (positionals.length === 0) {
    const argo = argoObjects(await readOutputTree(root));
    const workflows = await readWorkflows(root);
    const whole = [
      ...appsFindings(argo, tree),
      ...schemaFindings({ env: '', component: 'apps', dir: 'apps', objects: argo }),
      ...(await lintWorkflows(workflows)),
      ...argoVersionFindings(argo, workflows, catalog.versions.argocd.minimum),
    ];
    findings = sortFindings([...findings, ...whole]);
  }
  const honoured = validation.honoured.filter((h) => wanted(h.env, h.component));
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (format !== 'text') {
    const matrices = Object.fromEntries(validation.matrices.map((m) => [m.env, m.json]));
    process.stdout.write(formatData({ ok: errors === 0, overlays: [...dirs], findings, honoured, ...(values.matrix ? { matrices } : {}) }, format));
  } else {
    if (values.matrix) for (const m of validation.matrices) process.stdout.write(`Allowed flows in ${m.env}:\n${m.text}\n`);
    for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
    for (const h of honoured) process.stdout.write(`exception honoured: ${h.env}/${h.component} ${h.object}${h.container ? ` container ${h.container}` : ''}: ${h.control} — ${h.reason}\n`);
    process.stdout.write(`${errors === 0 ? 'valid' : 'invalid'}: ${dirs.size} overlay(s), ${errors} error(s), ${findings.length - errors} other finding(s)\n`);
  }
  return errors > 0 ? EXIT.findings : EXIT.ok;
});
