#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { planRepository } from '../tools/plan/run.ts';
import { EXIT, UsageError, main, parseFlags } from '../cli/command.ts';
import { OUTPUT_OPTIONS, formatData, outputFormat, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run plan [-- [ENV…] [-o json|yaml]]     (--json = -o json)

Expands each ApplicationSet (or those of the environments named) in apps/ into the Applications Argo CD will generate, in sync order
(RollingSync step), with their paths, revisions and destinations: what the Argo CD UI will show.
Then, per environment, the Grafana dashboards (folder, panels) and alert rules it provisions.

Exit: 0 printed, 2 an invalid catalog, or apps/ could not be read or expanded.
`;

await main(USAGE, async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), OUTPUT_OPTIONS, true);
  const format = outputFormat(values, ['text', 'json', 'yaml']);
  const known = catalog.environments.map((env) => env.name);
  for (const name of positionals)
    if (!known.includes(name)) throw new UsageError(`unknown environment ${JSON.stringify(name)}: expected ${known.join(', ')}`);
  const chosen = (env: string | undefined): boolean => positionals.length === 0 || (env !== undefined && positionals.includes(env));
  const plan = await planRepository(repoRoot(), catalog);
  const appsets = plan.applicationSets;
  const planned = plan.applications.filter((p) => chosen(p.labels['env']));
  const grafana = plan.grafana.filter((content) => chosen(content.env));
  if (format !== 'text') {
    const rows = planned.map(({ application: _application, ...row }) => ({ ...row, step: row.step + 1 }));
    process.stdout.write(formatData({ applications: rows, grafana }, format));
    return EXIT.ok;
  }
  for (const appset of appsets) {
    const apps = planned.filter((p) => p.applicationSet === appset.metadata.name);
    if (apps.length === 0) continue;
    process.stdout.write(`ApplicationSet ${appset.metadata.name} (${apps.length} Applications, RollingSync)\n`);
    const rows = apps.map((a) => [
      `step ${a.step + 1}`,
      `wave ${a.labels['wave'] ?? '?'}`,
      a.name,
      `${a.path}@${a.targetRevision}`,
      `→ ${a.destination.name ?? a.destination.server}/${a.destination.namespace ?? ''}`,
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const row of rows) process.stdout.write(`  ${row.map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}\n`);
    process.stdout.write('\n');
  }
  for (const content of grafana) {
    process.stdout.write(`Grafana in ${content.env} (alerts to ${content.contactPoint ?? 'no contact point: Grafana UI only'})\n`);
    for (const d of content.dashboards) process.stdout.write(`  dashboard  ${d.folder} / ${d.title} (${d.uid}): ${d.panels.join(', ')}\n`);
    for (const r of content.rules) process.stdout.write(`  rule       ${r.title} (${r.uid}, for ${r.for})\n`);
    process.stdout.write('\n');
  }
  return EXIT.ok;
});
