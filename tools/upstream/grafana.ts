/**
 * Grafana's dashboards and alerting files, decoded strictly into the Grafana Foundation SDK's Go
 * types by the `grafana` program (test/upstream/grafana: github.com/grafana/grafana-foundation-sdk/go,
 * generated from the schemas Grafana publishes). Grafana's own module is AGPL and not used; its
 * provisioning file formats are judged against its documentation by `grafana/provisioning-schema`
 * (tools/validate/grafana-provisioning.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from '../validate/finding.ts';
import { provisionedConfigMaps } from '../validate/grafana-provisioning.ts';
import { runProgram } from './programs.ts';

/** What the program reads: a dashboard JSON model, or an alerting provisioning file. */
export type GrafanaFileKind = 'dashboard' | 'alerting';

export interface GrafanaFile {
  kind: GrafanaFileKind;
  configMap: KubeObject;
  /** The data key: `cluster-logs.json`, `rules.yaml`. */
  file: string;
  text: string;
}

/** The app's dashboards (every JSON file of its ConfigMaps) and the files of its alerting provisioning directory. */
export function grafanaFiles(app: RenderedApp): GrafanaFile[] {
  const data = (configMap: KubeObject): [string, string][] => Object.entries((configMap['data'] ?? {}) as Record<string, string>);
  const dashboards = app.objects
    .filter((o) => o.kind === 'ConfigMap')
    .flatMap((configMap) =>
      data(configMap).flatMap(([file, text]) => (file.endsWith('.json') ? [{ kind: 'dashboard' as const, configMap, file, text }] : [])),
    );
  const alerting = provisionedConfigMaps(app)
    .filter((p) => p.kind === 'alerting')
    .flatMap(({ configMap }) =>
      data(configMap).flatMap(([file, text]) => (/\.ya?ml$/.test(file) ? [{ kind: 'alerting' as const, configMap, file, text }] : [])),
    );
  return [...dashboards, ...alerting];
}

/**
 * Runs the program over each file; one error finding (rule `upstream/grafana-sdk`) per file it refuses, with the SDK's path and message.
 */
export async function grafanaSdkFindings(binary: string, app: RenderedApp, files = grafanaFiles(app)): Promise<Finding[]> {
  const findings: Finding[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'grafana-files-'));
  try {
    for (const [i, entry] of files.entries()) {
      const path = join(dir, `${i}-${entry.file}`);
      writeFileSync(path, entry.text);
      const run = await runProgram(binary, [entry.kind, path], { env: {} });
      if (run.code === 0) continue;
      findings.push({
        rule: 'upstream/grafana-sdk',
        severity: 'error',
        env: app.env,
        component: app.component,
        object: describeObject(entry.configMap),
        path: `/data/${entry.file}`,
        message: `the Grafana Foundation SDK's ${entry.kind} types refuse it: ${run.stderr.replace(`${path}: `, '').trim()}`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}
