import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../tools/catalog/images.ts';
import type { RenderedTree } from '../../tools/render/tree.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import { grafanaProvisioningFindings, provisioningPath } from '../../tools/validate/grafana-provisioning.ts';
import { GRAFANA_DOCS_VERSION } from '../../tools/validate/grafana-provisioning-schema.ts';
import { editConfigMapFile } from '../support/edit-rendered.ts';
import { renderCommitted } from '../support/repo.ts';

const DOCS = 'https://grafana.com/docs/grafana/v13.2';

describe('grafana/provisioning-schema', async () => {
  // GIVEN every committed overlay rendered by kustomize
  const committed = await renderCommitted();
  const findings = (tree: RenderedTree): string[] => tree.apps.flatMap(grafanaProvisioningFindings).map(formatFinding);
  const mutate = (configMap: string, file: string, edit: (text: string) => string): RenderedTree =>
    editConfigMapFile(committed, { env: 'prod', component: 'grafana', configMap, file }, edit);
  const at = (configMap: string, file: string): string =>
    `error grafana/provisioning-schema: prod/grafana ConfigMap observability/${configMap} /data/${file}: `;

  it('the facts were read at the Grafana the catalog pins', () => {
    expect(GRAFANA_DOCS_VERSION).toBe(IMAGES.grafana.tag);
  });

  it('every rendered provisioning file of every environment has only documented keys of documented types', () => {
    expect(findings(committed)).toEqual([]);
    // and the gate did read them: each environment mounts data sources, dashboard providers and alerting
    const grafanaApps = committed.apps.filter((a) => a.component === 'grafana');
    expect(grafanaApps.length).toBeGreaterThan(1);
  });

  it('reads the provisioning directory from grafana.ini', () => {
    expect(
      provisioningPath('[server]\nprovisioning = /nope\n[paths]\ndata = /var/lib/grafana\nprovisioning = /etc/grafana/provisioning/\n'),
    ).toBe('/etc/grafana/provisioning');
    expect(provisioningPath('[paths]\ndata = /x\n')).toBeUndefined();
  });

  describe('data sources', () => {
    it('refuses a misspelt key, naming the file and the field', () => {
      const tree = mutate('grafana-datasources', 'datasources.yaml', (text) => text.replace('isDefault: true', 'isDefualt: true'));
      expect(findings(tree)).toEqual([
        `${at('grafana-datasources', 'datasources.yaml')}datasources file, datasources[0].isDefualt: unknown key "isDefualt": the documentation lists access, basicAuth, basicAuthUser, database, editable, isDefault, jsonData, name, orgId, secureJsonData, type, uid, url, user, version, withCredentials (${DOCS}/administration/provisioning/#data-sources)`,
      ]);
    });

    it('refuses a wrong type and a value outside the documented ones', () => {
      const tree = mutate('grafana-datasources', 'datasources.yaml', (text) =>
        text.replace('editable: false', 'editable: "no"').replace('access: proxy', 'access: server'),
      );
      expect(findings(tree)).toEqual([
        `${at('grafana-datasources', 'datasources.yaml')}datasources file, datasources[0].access: string "server" is not one of the documented values "proxy", "direct" (${DOCS}/administration/provisioning/#data-sources)`,
        `${at('grafana-datasources', 'datasources.yaml')}datasources file, datasources[0].editable: string "no" where the documentation says bool (${DOCS}/administration/provisioning/#data-sources)`,
      ]);
    });

    it("judges jsonData by the data source's type", () => {
      const tree = mutate('grafana-datasources', 'datasources.yaml', (text) =>
        text.replace('maxLines: 1000', 'maxLine: 1000').replace('httpMethod: POST', 'httpMethod: true'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('datasources file, datasources[0].jsonData.maxLine: unknown key "maxLine"'),
        expect.stringContaining('datasources file, datasources[1].jsonData.httpMethod: boolean true where the documentation says string'),
      ]);
    });

    it('refuses a missing required key and a missing apiVersion', () => {
      const tree = mutate('grafana-datasources', 'datasources.yaml', (text) =>
        text.replace('apiVersion: 1\n', '').replace('    type: loki\n', ''),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('datasources file, datasources[0].type: missing required key "type"'),
        expect.stringContaining('datasources file, apiVersion: missing required key "apiVersion"'),
      ]);
    });
  });

  describe('dashboard providers', () => {
    it('refuses a misspelt key and a wrong type', () => {
      const tree = mutate('grafana-dashboard-providers', 'dashboards.yaml', (text) =>
        text.replace('allowUiUpdates: false', 'allowUIUpdates: false').replace('updateIntervalSeconds: 60', 'updateIntervalSeconds: 1m'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('dashboards file, providers[0].allowUIUpdates: unknown key "allowUIUpdates"'),
        `${at('grafana-dashboard-providers', 'dashboards.yaml')}dashboards file, providers[0].updateIntervalSeconds: string "1m" where the documentation says int (${DOCS}/administration/provisioning/#dashboards)`,
      ]);
    });

    it("refuses a provider's options without a path", () => {
      const tree = mutate('grafana-dashboard-providers', 'dashboards.yaml', (text) =>
        text.replace('path: /etc/grafana/dashboards/logs', 'folder: /etc/grafana/dashboards/logs'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('providers[0].options.folder: unknown key "folder"'),
        expect.stringContaining('providers[0].options.path: missing required key "path"'),
      ]);
    });
  });

  describe('alerting', () => {
    it('refuses a misspelt rule key and a duration that is none', () => {
      const tree = mutate('grafana-alerting', 'rules.yaml', (text) =>
        text.replace('noDataState: OK', 'noDateState: OK').replace('interval: 5m', 'interval: 5 minutes'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('alerting file, groups[0].rules[0].noDateState: unknown key "noDateState"'),
        `${at('grafana-alerting', 'rules.yaml')}alerting file, groups[1].interval: string "5 minutes" where the documentation says duration (${DOCS}/alerting/set-up/provision-alerting-resources/file-provisioning/#provision-alert-rules)`,
      ]);
    });

    it("refuses a rule query's wrong type and a state outside the documented ones", () => {
      const tree = mutate('grafana-alerting', 'rules.yaml', (text) =>
        text.replace('from: 300', 'from: 5m').replace('execErrState: Error', 'execErrState: Failing'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('groups[0].rules[0].data[0].relativeTimeRange.from: string "5m" where the documentation says int'),
        expect.stringContaining(
          'groups[0].rules[0].execErrState: string "Failing" is not one of the documented values "Error", "Alerting", "OK", "KeepLast"',
        ),
      ]);
    });

    it('refuses a misspelt contact point receiver key and a wrong type', () => {
      const tree = mutate('grafana-alerting', 'notifications.yaml', (text) =>
        text
          .replace('disableResolveMessage: false', 'disableResolveMessages: false')
          .replace('orgId: 1\n    receivers', 'orgId: one\n    receivers'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('alerting file, contactPoints[0].orgId: string "one" where the documentation says int'),
        expect.stringContaining(
          'alerting file, contactPoints[0].receivers[0].disableResolveMessages: unknown key "disableResolveMessages"',
        ),
      ]);
    });

    it("judges a receiver's settings by its type, and refuses a receiver without a type", () => {
      const tree = mutate('grafana-alerting', 'notifications.yaml', (text) => text.replace(/\n\s*type: webhook/, ''));
      expect(findings(tree)).toEqual([
        expect.stringContaining('alerting file, contactPoints[0].receivers[0].type: missing required key "type"'),
      ]);
      const typed = mutate('grafana-alerting', 'notifications.yaml', (text) => text.replace('httpMethod: POST', 'httpMethod: GET'));
      expect(findings(typed)).toEqual([
        expect.stringContaining(
          'alerting file, contactPoints[0].receivers[0].settings.httpMethod: string "GET" is not one of the documented values "POST", "PUT"',
        ),
      ]);
    });

    it('refuses a misspelt notification policy key and a wrong type', () => {
      const tree = mutate('grafana-alerting', 'notifications.yaml', (text) =>
        text.replace('group_wait: 30s', 'groupWait: 30s').replace('repeat_interval: 4h', 'repeat_interval: 4'),
      );
      expect(findings(tree)).toEqual([
        expect.stringContaining('alerting file, policies[0].groupWait: unknown key "groupWait"'),
        expect.stringContaining('alerting file, policies[0].repeat_interval: number 4 where the documentation says duration'),
      ]);
    });
  });
});
