import { describe, expect, it } from 'vitest';
import type { RenderedTree } from '../../tools/render/tree.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import { grafanaFolderFindings } from '../../tools/validate/grafana-folders.ts';
import { editConfigMapFile } from '../support/edit-rendered.ts';
import { renderCommitted } from '../support/repo.ts';

describe('grafana/folder-collision', async () => {
  // GIVEN every committed overlay rendered by kustomize
  const committed = await renderCommitted();
  const findings = (tree: RenderedTree): string[] =>
    [...new Set(tree.apps.map((a) => a.env))]
      .flatMap((env) => grafanaFolderFindings(tree.apps.filter((a) => a.env === env)))
      .map(formatFinding);
  const mutate = (configMap: string, file: string, edit: (text: string) => string): RenderedTree =>
    editConfigMapFile(committed, { env: 'prod', component: 'grafana', configMap, file }, edit);

  it('the rendered dashboard providers and alert rule groups ask for distinct folders', () => {
    expect(findings(committed)).toEqual([]);
  });

  it("an alert rule group in a dashboard folder's title is an error, naming both", () => {
    // GIVEN the alert groups filed under the stack dashboards' folder title, as they were
    const tree = mutate('grafana-alerting', 'rules.yaml', (text) =>
      text.replaceAll('folder: Observability stack alerts', 'folder: Observability stack'),
    );
    // THEN each group is reported once, against the provider that owns the title
    expect(findings(tree)).toEqual(
      ['observability-stack', 'observability-stack-nodes'].map(
        (group) =>
          `error grafana/folder-collision: prod/grafana ConfigMap observability/grafana-alerting /data/rules.yaml: alert rule group "${group}" uses folder title "Observability stack", as dashboard provider "stack" (ConfigMap observability/grafana-dashboard-providers /data/dashboards.yaml) does: Grafana can provision two folders of that title; give each its own title and uid`,
      ),
    );
  });

  it('two dashboard providers with one uid are an error', () => {
    // GIVEN the logs provider given the stack folder's uid
    const tree = mutate('grafana-dashboard-providers', 'dashboards.yaml', (text) => text.replace('folderUid: logs', 'folderUid: stack'));
    // THEN the second provider is reported
    expect(findings(tree)).toEqual([
      expect.stringContaining('dashboard provider "stack" uses folder uid "stack", as dashboard provider "logs"'),
    ]);
  });
});
