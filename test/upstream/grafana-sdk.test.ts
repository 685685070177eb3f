/**
 * Every rendered dashboard and alerting file decoded strictly into the Grafana Foundation SDK's Go
 * types (the `grafana` program: github.com/grafana/grafana-foundation-sdk/go), and broken copies
 * refused: a misspelt key and a value of the wrong type, for dashboards, alert rules and contact points.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { grafanaFiles, grafanaSdkFindings, type GrafanaFile } from '../../tools/upstream/grafana.ts';
import { app, renderCommitted } from '../support/repo.ts';
import { BIN_DIR } from './support/programs.ts';

const GRAFANA = join(BIN_DIR, 'grafana');
const tree = await renderCommitted();

/** The one file `file` of the rendered files, edited; throws when the edit misses. */
function broken(files: readonly GrafanaFile[], file: string, edit: (text: string) => string): GrafanaFile[] {
  const found = files.find((f) => f.file === file);
  if (!found) throw new Error(`no ${file}`);
  const text = edit(found.text);
  if (text === found.text) throw new Error(`the edit changed nothing in ${file}`);
  return [{ ...found, text }];
}

describe.each(catalog.environments.map((e) => e.name))("overlays/%s/grafana decoded by the Foundation SDK's types", (env) => {
  const rendered = app(tree, env, 'grafana');
  const files = grafanaFiles(rendered);

  it('every dashboard and alerting file decodes strictly', async () => {
    expect(files.filter((f) => f.kind === 'dashboard').map((f) => f.file)).toEqual(
      expect.arrayContaining(['cluster-logs.json', 'stack-health.json']),
    );
    expect(files.filter((f) => f.kind === 'alerting').map((f) => f.file)).toContain('rules.yaml');
    expect(await grafanaSdkFindings(GRAFANA, rendered, files)).toEqual([]);
  });

  it('a dashboard with a misspelt key or a wrongly typed panel option is refused, naming the field', async () => {
    const misspelt = await grafanaSdkFindings(
      GRAFANA,
      rendered,
      broken(files, 'cluster-logs.json', (t) => t.replace('"editable": false', '"editabel": false')),
    );
    expect(misspelt.map((f) => `${f.object} ${f.path}: ${f.message}`)).toEqual([
      "ConfigMap observability/grafana-dashboards-logs /data/cluster-logs.json: the Grafana Foundation SDK's dashboard types refuse it: dashboard: Dashboard: unexpected field 'editabel'",
    ]);
    const wrongType = await grafanaSdkFindings(
      GRAFANA,
      rendered,
      broken(files, 'cluster-logs.json', (t) => t.replace('"showLegend": false', '"showLegend": "no"')),
    );
    expect(wrongType[0]?.message).toMatch(/panels\[0\]\.options\.legend\.showLegend: .*cannot unmarshal string into Go value of type bool/);
  });

  it('an alert rule with a misspelt key or a wrongly typed query range is refused, naming the rule', async () => {
    const misspelt = await grafanaSdkFindings(
      GRAFANA,
      rendered,
      broken(files, 'rules.yaml', (t) => t.replace('noDataState: OK', 'noDateState: OK')),
    );
    expect(misspelt[0]?.message).toMatch(/groups\[0\]\.rules\[0\] \(rule "[a-z-]+"\): /);
    expect(misspelt[0]?.message).toContain('noDataState: required field is missing from input');
    const wrongType = await grafanaSdkFindings(
      GRAFANA,
      rendered,
      broken(files, 'rules.yaml', (t) => t.replace(/from: \d+/, 'from: five')),
    );
    expect(wrongType[0]?.message).toMatch(/data\[0\]\.relativeTimeRange\.from: .*cannot unmarshal string/);
  });
});

describe('prod contact points', () => {
  const rendered = app(tree, 'prod', 'grafana');
  const files = grafanaFiles(rendered);

  it('a receiver with a misspelt key or a wrong type is refused', async () => {
    expect(files.map((f) => f.file)).toContain('notifications.yaml');
    const misspelt = await grafanaSdkFindings(
      GRAFANA,
      rendered,
      broken(files, 'notifications.yaml', (t) => t.replace('disableResolveMessage', 'disableResolveMessages')),
    );
    expect(misspelt[0]?.message).toContain("contactPoints[0].receivers[0]: ContactPoint: unexpected field 'disableResolveMessages'");
    const wrongType = await grafanaSdkFindings(
      GRAFANA,
      rendered,
      broken(files, 'notifications.yaml', (t) => t.replace('disableResolveMessage: false', 'disableResolveMessage: "no"')),
    );
    expect(wrongType[0]?.message).toMatch(
      /contactPoints\[0\]\.receivers\[0\]: disableResolveMessage: .*cannot unmarshal string into Go value of type bool/,
    );
  });
});
