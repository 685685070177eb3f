import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dev, prod } from '../../../tools/catalog/environments.ts';
import { SECRETS } from '../../../tools/catalog/secrets.ts';
import { grafana } from '../../../tools/components/grafana.ts';
import {
  ALERT_FOLDER,
  alertRules,
  alertRulesFile,
  notificationsFile,
  WEBHOOK_URL_ENV,
} from '../../../tools/components/grafana-content/alerts.ts';
import { lokiConfig } from '../../../tools/components/loki-config.ts';
import {
  dashboardConfigMapName,
  dashboardFiles,
  dashboardFolders,
  dashboardProviders,
} from '../../../tools/components/grafana-content/dashboards.ts';
import { LOKI_DATASOURCE_UID } from '../../../tools/components/grafana-content/queries.ts';
import type { KubeObject } from '../../../tools/kube/object.ts';

type Deployment = {
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        containers: {
          env: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
          volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
        volumes: { name: string; configMap?: { name: string } }[];
      };
    };
  };
};
const deployment = (objects: readonly KubeObject[]): Deployment => objects.find((o) => o.kind === 'Deployment') as unknown as Deployment;
const configMap = (objects: readonly KubeObject[], name: string): Record<string, string> =>
  (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)?.['data'] ?? {}) as Record<string, string>;

describe('provisioned dashboards', () => {
  // GIVEN the dashboards as the SDK builds them, in their folders
  const folders = dashboardFolders();

  for (const folder of folders) {
    for (const [file, json] of Object.entries(dashboardFiles(folder))) {
      it(`${folder.title}/${file} is its golden JSON`, async () => {
        // THEN the provisioned file is byte-for-byte the reviewed golden
        await expect(json).toMatchFileSnapshot(`__golden__/${file}`);
      });
    }
  }

  it('every panel and variable queries the provisioned Loki datasource by uid', () => {
    // WHEN every dashboard is read back as Grafana reads it
    const dashboards = folders.flatMap((f) =>
      Object.values(dashboardFiles(f)).map(
        (text) =>
          JSON.parse(text) as {
            panels: { datasource: { uid: string }; targets: { datasource: { uid: string } }[] }[];
            templating?: { list: { datasource: { uid: string } }[] };
          },
      ),
    );
    // THEN every reference is the datasource's uid
    const uids = dashboards.flatMap((d) => [
      ...d.panels.flatMap((p) => [p.datasource.uid, ...p.targets.map((t) => t.datasource.uid)]),
      ...(d.templating?.list ?? []).map((v) => v.datasource.uid),
    ]);
    expect(uids.length).toBeGreaterThan(10);
    expect(new Set(uids)).toEqual(new Set([LOKI_DATASOURCE_UID]));
  });

  it("Grafana mounts each folder's ConfigMap, read-only, where its provider reads", () => {
    // GIVEN the Grafana objects and the provider file
    const objects = grafana(dev);
    const providers = parse(configMap(objects, 'grafana-dashboard-providers')['dashboards.yaml'] ?? '') as {
      providers: { folder: string; options: { path: string } }[];
    };
    const pod = deployment(objects).spec.template.spec;
    // THEN each provider's path is a read-only mount of that folder's ConfigMap, which holds its dashboards
    expect(providers.providers.map((p) => p.folder)).toEqual(folders.map((f) => f.title));
    for (const folder of folders) {
      const name = dashboardConfigMapName(folder);
      const provider = providers.providers.find((p) => p.folder === folder.title);
      const volume = pod.volumes.find((v) => v.configMap?.name === name);
      const mount = pod.containers[0]?.volumeMounts.find((m) => m.name === volume?.name);
      expect(mount).toEqual({ name: volume?.name, mountPath: provider?.options.path, readOnly: true });
      expect(configMap(objects, name)).toEqual(dashboardFiles(folder));
    }
    expect(dashboardProviders(folders)).toBe(configMap(objects, 'grafana-dashboard-providers')['dashboards.yaml']);
  });

  it("the pod's checksum changes when a provisioned file changes", () => {
    // GIVEN two environments whose only Grafana-content difference is the alert threshold
    const base = { ...dev, grafana: { ...dev.grafana, alerting: { errorLinesPerSecond: 1 } } };
    const raised = { ...base, grafana: { ...base.grafana, alerting: { errorLinesPerSecond: 2 } } };
    // THEN the checksum annotation differs
    const checksum = (env: typeof dev): string | undefined =>
      deployment(grafana(env)).spec.template.metadata.annotations['checksum/config'];
    expect(checksum(base)).not.toBe(checksum(raised));
  });
});

describe('provisioned alerting', () => {
  it('the error-rate rule fires above the catalog threshold of each environment', () => {
    // WHEN the rules are built for dev and prod
    const threshold = (env: typeof dev): unknown => {
      const rule = alertRules(env).find((r) => r.uid === 'namespace-error-rate');
      return (rule?.data.find((d) => d.refId === 'C')?.model as { conditions: { evaluator: { params: number[] } }[] } | undefined)
        ?.conditions[0]?.evaluator.params[0];
    };
    // THEN each uses its own catalog value
    expect(threshold(dev)).toBe(dev.grafana.alerting.errorLinesPerSecond);
    expect(threshold(prod)).toBe(prod.grafana.alerting.errorLinesPerSecond);
    expect(alertRules(prod).map((r) => r.title)).toEqual([
      'AlloyNodeSilent',
      'NamespaceErrorRate',
      'LokiStorageErrors',
      'LokiCompactorFailing',
    ]);
  });

  it("the rule file is Grafana's file format: groups in the alerts' own folder, node silence in its slower group, no API-only fields", () => {
    // WHEN the file is read back
    const file = parse(alertRulesFile(prod)) as {
      apiVersion: number;
      groups: { name: string; folder: string; interval: string; rules: Record<string, unknown>[] }[];
    };
    // THEN it has the provisioning shape, the node-silence rule evaluated every 5 minutes on its own, and no field Grafana's API sets
    // itself
    expect(file.apiVersion).toBe(1);
    expect(file.groups.map((g) => [g.name, g.interval, g.rules.map((r) => r['title'])])).toEqual([
      ['observability-stack', '1m', ['NamespaceErrorRate', 'LokiStorageErrors', 'LokiCompactorFailing']],
      ['observability-stack-nodes', '5m', ['AlloyNodeSilent']],
    ]);
    expect(new Set(file.groups.map((g) => g.folder))).toEqual(new Set([ALERT_FOLDER]));
    expect(dashboardFolders().map((f) => f.title)).not.toContain(ALERT_FOLDER);
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      expect(Object.keys(rule)).not.toEqual(expect.arrayContaining(['folderUID']));
      expect(Object.keys(rule)).not.toEqual(expect.arrayContaining(['orgID']));
      expect(rule['condition']).toBe('C');
    }
  });

  it("the compactor rule's window holds a compaction and a retention run at the intervals Loki's config gives them", () => {
    // GIVEN the compaction interval in the rendered Loki config; retention runs at that interval plus min(10m, half of it)
    // (grafana/loki v3.7.6 pkg/compactor/config.go Validate, apply_retention_interval unset)
    const minutes = (d: string): number => Number(/^(\d+)m$/.exec(d)?.[1] ?? NaN);
    const compaction = minutes((parse(lokiConfig(prod)) as { compactor: { compaction_interval: string } }).compactor.compaction_interval);
    const retention = compaction + Math.min(10, compaction / 2);
    // WHEN the rule's query window is read
    const rule = alertRules(prod).find((r) => r.uid === 'loki-compactor-failing');
    const window = rule?.data.find((d) => d.refId === 'A')?.relativeTimeRange?.from ?? 0;
    const range = minutes(/\[(\d+m)\]\)\)$/.exec((rule?.data[0]?.model as unknown as { expr: string }).expr)?.[1] ?? '');
    // THEN both cover the longer cycle
    expect(range).toBeGreaterThanOrEqual(retention);
    expect(window).toBe(range * 60);
  });

  it('dev has no contact point; prod posts to a webhook whose URL comes from a declared Secret', () => {
    // GIVEN Grafana as each environment builds it
    const devObjects = grafana(dev);
    const prodObjects = grafana(prod);
    const webhookEnv = (objects: readonly KubeObject[]) =>
      deployment(objects).spec.template.spec.containers[0]?.env.find((e) => e.name === WEBHOOK_URL_ENV);
    // THEN dev provisions rules only, and no webhook variable
    expect(notificationsFile(dev)).toBeUndefined();
    expect(Object.keys(configMap(devObjects, 'grafana-alerting'))).toEqual(['rules.yaml']);
    expect(webhookEnv(devObjects)).toBeUndefined();
    // AND prod names the contact point in its policy, reads the URL from the Secret, and never holds the URL itself
    const notifications = parse(configMap(prodObjects, 'grafana-alerting')['notifications.yaml'] ?? '') as {
      contactPoints: { name: string; receivers: { type: string; settings: { url: string } }[] }[];
      policies: { receiver: string }[];
    };
    expect(notifications.contactPoints[0]?.receivers[0]).toMatchObject({ type: 'webhook', settings: { url: `$${WEBHOOK_URL_ENV}` } });
    expect(notifications.policies[0]?.receiver).toBe(prod.grafana.alerting.contactPoint?.name);
    expect(webhookEnv(prodObjects)?.valueFrom?.secretKeyRef).toEqual({ name: SECRETS.alertWebhook.name, key: 'url' });
    expect(prodObjects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});
