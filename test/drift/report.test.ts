import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../tools/drift/compare.ts';
import { driftJson, formatDriftMarkdown, formatDriftText } from '../../tools/drift/report.ts';
import type { DriftReport } from '../../tools/drift/types.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { applied, containers, deployment } from './support.ts';

const SECRET = 'pl41n-Password-Never-Printed';
const SECRET_BASE64 = Buffer.from(SECRET).toString('base64');

function secret(password: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'grafana-admin', namespace: 'observability' },
    type: 'Opaque',
    stringData: { 'admin-user': 'admin', 'admin-password': password },
  };
}

function configMap(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'observability' }, data };
}

/** A drifted environment: a scaled Deployment with a new image, a rotated password, a missing and an unexpected object. */
function driftedReport(): DriftReport {
  const desiredSecret = secret(SECRET);
  const liveSecret = applied(desiredSecret);
  delete liveSecret['stringData'];
  liveSecret['data'] = {
    'admin-user': Buffer.from('admin').toString('base64'),
    'admin-password': Buffer.from(`${SECRET}-changed`).toString('base64'),
  };
  const liveDeployment = applied(deployment()) as KubeObject & { spec: Record<string, unknown> };
  liveDeployment.spec['replicas'] = 3;
  containers(liveDeployment)[0]!['image'] = 'docker.io/grafana/grafana:12.0.0';
  const longConfig = configMap('grafana-config', {
    'grafana.ini': `[server]\nroot_url = http://grafana.local\n${'# padding\n'.repeat(20)}`,
  });
  const liveConfig = applied(longConfig);
  liveConfig['data'] = { 'grafana.ini': '[server]\nroot_url = http://grafana.example\n' };
  return detectDrift(
    [
      deployment(),
      desiredSecret,
      longConfig,
      configMap('loki-runtime', { 'runtime.yaml': 'overrides: {}\n' }),
      configMap('alloy-config', { a: 'b' }),
    ],
    [liveDeployment, liveSecret, liveConfig, applied(configMap('alloy-config', { a: 'b' })), applied(configMap('leftover', { x: 'y' }))],
    {
      unreadable: [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          namespace: 'observability',
          reason: 'forbidden: User "drift-reader" cannot list networkpolicies',
        },
      ],
    },
  );
}

describe('drift reports', () => {
  it('a clean report says so plainly, in text and Markdown', () => {
    // GIVEN an environment in sync
    const report = detectDrift([deployment(), configMap('a', { k: 'v' })], [applied(deployment()), applied(configMap('a', { k: 'v' }))]);
    // WHEN formatted
    const text = formatDriftText(report, 'dev');
    const markdown = formatDriftMarkdown(report, 'dev');
    // THEN one plain sentence carries the verdict
    expect(text).toBe('No drift in dev: 2 objects in sync.\n');
    expect(markdown).toBe('## Drift: dev\n\nNo drift in dev: 2 objects in sync.\n');
  });

  it('text names each object and path as desired → live', async () => {
    // GIVEN a drifted environment
    const report = driftedReport();
    // WHEN formatted as text
    const text = formatDriftText(report, 'dev');
    // THEN it matches the reviewed golden
    expect(text).toContain('Drift in dev: 1 missing, 1 unexpected, 3 modified; 1 in sync');
    expect(text).toContain('/spec/replicas: 2 → 3');
    await expect(text).toMatchFileSnapshot('__golden__/drift.txt');
  });

  it('Markdown has a count line and Missing / Unexpected / Modified sections, long values truncated', async () => {
    // GIVEN a drifted environment with a long ConfigMap value
    const report = driftedReport();
    // WHEN formatted as Markdown
    const markdown = formatDriftMarkdown(report, 'dev');
    // THEN sections and counts are there, and no line carries the whole long value
    expect(markdown).toContain('**1 missing · 1 unexpected · 3 modified** · 1 in sync');
    for (const heading of ['### Missing', '### Unexpected', '### Modified', '### Unreadable']) expect(markdown).toContain(heading);
    expect(markdown).toContain('- `/spec/replicas`: `2` → `3`');
    expect(markdown).not.toContain('# padding\\n# padding\\n# padding\\n# padding\\n# padding\\n# padding\\n# padding');
    await expect(markdown).toMatchFileSnapshot('__golden__/drift.md');
  });

  it('never shows a Secret value in text, Markdown or JSON, and says what happened to the key', () => {
    // GIVEN a drifted Secret (its old value also sits in the live last-applied annotation)
    const report = driftedReport();
    // WHEN formatted every way
    const outputs = [
      formatDriftText(report, 'dev'),
      formatDriftMarkdown(report, 'dev'),
      JSON.stringify(driftJson(report)),
      JSON.stringify(report),
    ];
    // THEN neither the value nor its base64 appears, and the key is named
    for (const output of outputs) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(SECRET_BASE64.slice(0, 16));
      expect(output).toContain('/data/admin-password');
    }
    expect(outputs[0]).toContain('/data/admin-password: value differs (redacted)');
  });

  it('redacts Secret data even when a caller built the field without the flag', () => {
    // GIVEN a hand-made report with a Secret value in a field
    const report: DriftReport = {
      inSync: 0,
      missing: [],
      unexpected: [],
      modified: [
        {
          object: { apiVersion: 'v1', kind: 'Secret', namespace: 'observability', name: 's' },
          fields: [{ path: '/data/token', op: 'replace', desired: SECRET, live: 'x' }],
        },
      ],
      unreadable: [],
      unchecked: [],
    };
    // WHEN formatted THEN the value is withheld everywhere
    for (const output of [formatDriftText(report, 'dev'), formatDriftMarkdown(report, 'dev'), JSON.stringify(driftJson(report))])
      expect(output).not.toContain(SECRET);
  });

  it('JSON has a stable shape with counts', () => {
    // GIVEN a drifted environment
    const report = driftedReport();
    // WHEN turned into JSON
    const json = driftJson(report) as Record<string, unknown>;
    // THEN the top-level keys and counts are fixed, values kept for non-secret fields
    expect(Object.keys(json)).toEqual(['drift', 'summary', 'missing', 'unexpected', 'modified', 'unreadable', 'unchecked', 'warnings']);
    expect(json['summary']).toEqual({ inSync: 1, missing: 1, unexpected: 1, modified: 3, unreadable: 1, unchecked: 0 });
    expect(json['missing']).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'observability', name: 'loki-runtime' }]);
    const modified = json['modified'] as { object: { kind: string }; fields: { path: string; desired?: unknown; live?: unknown }[] }[];
    expect(modified.find((entry) => entry.object.kind === 'Deployment')?.fields).toContainEqual({
      path: '/spec/replicas',
      op: 'replace',
      desired: 2,
      live: 3,
    });
  });

  it('Markdown stays under its size limit and says how much it left out', () => {
    // GIVEN two hundred drifted ConfigMaps
    const desired = Array.from({ length: 200 }, (_, i) => configMap(`cm-${String(i).padStart(3, '0')}`, { key: 'git' }));
    const live = desired.map((object) => ({ ...applied(object), data: { key: 'cluster' } }));
    const report = detectDrift(desired, live);
    // WHEN formatted with a 4,000-character limit
    const markdown = formatDriftMarkdown(report, 'prod', { maxChars: 4_000 });
    // THEN it fits and counts what it did not show
    expect(markdown.length).toBeLessThanOrEqual(4_000);
    const shown = markdown.match(/^\*\*ConfigMap /gm)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(markdown).toContain(`… ${200 - shown} more entries not shown`);
  });

  it('shows a changed multi-line string as a line diff in text and Markdown, not two truncated prefixes', () => {
    // GIVEN a ConfigMap whose config.yaml differs on one line deep in the file
    const header = 'auth_enabled: false\nserver:\n  http_listen_port: 3100\n'.repeat(4);
    const desired = configMap('loki-config', { 'config.yaml': `${header}limits_config:\n  retention_period: 720h\n` });
    const live = { ...applied(desired), data: { 'config.yaml': `${header}limits_config:\n  retention_period: 1440h\n` } };
    const report = detectDrift([desired], [live]);
    // WHEN formatted
    const text = formatDriftText(report, 'prod');
    const markdown = formatDriftMarkdown(report, 'prod');
    // THEN both show the one changed line, desired then live, with its context
    expect(text).toContain('    /data/config.yaml: lines differ (- desired, + live):\n');
    expect(text).toContain('      -  retention_period: 720h\n      +  retention_period: 1440h\n');
    expect(text).toContain('       limits_config:\n');
    expect(markdown).toContain('```diff\n');
    expect(markdown).toContain('  -  retention_period: 720h\n  +  retention_period: 1440h\n');
    expect(text).not.toContain('…');
  });

  it('shows cluster-scoped objects without a namespace, in text, Markdown and JSON', () => {
    // GIVEN an environment whose destination namespace is observability, missing its Namespace, ClusterRole and PriorityClass
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'observability' } };
    const clusterRole: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'observability-stack' },
      rules: [],
    };
    const priority: KubeObject = {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'observability-critical' },
      value: 1000,
    };
    const report = detectDrift([namespace, clusterRole, priority, configMap('a', { k: 'v' })], [], { namespace: 'observability' });
    // WHEN formatted
    const text = formatDriftText(report, 'dev');
    const markdown = formatDriftMarkdown(report, 'dev');
    const json = driftJson(report) as { missing: { kind: string; namespace?: string }[] };
    // THEN cluster-scoped kinds carry no namespace, namespaced ones keep theirs
    expect(text).toContain('  Namespace observability\n');
    expect(text).toContain('  ClusterRole observability-stack\n');
    expect(text).toContain('  PriorityClass observability-critical\n');
    expect(text).toContain('  ConfigMap observability/a\n');
    expect(markdown).toContain('- ClusterRole `observability-stack`');
    expect(json.missing.filter((ref) => ref.kind !== 'ConfigMap').map((ref) => ref.namespace)).toEqual([undefined, undefined, undefined]);
    expect(json.missing.find((ref) => ref.kind === 'ConfigMap')?.namespace).toBe('observability');
  });

  it('never calls a report with unreadable kinds "no drift"', () => {
    // GIVEN every kind unreadable
    const report = detectDrift([configMap('a', { k: 'v' })], [], {
      unreadable: [
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'observability', reason: 'cannot reach 10.0.0.1:6443: connection refused' },
      ],
    });
    // WHEN formatted THEN it says what was not checked, naming the kind
    const text = formatDriftText(report, 'dev');
    expect(text).not.toMatch(/no drift/i);
    expect(text.split('\n')[0]).toBe(
      'Drift not fully checked in dev: 1 kind could not be read, so 1 object went unchecked; the 0 objects read are in sync.',
    );
    expect(text).toContain('  ConfigMap (core) in observability: cannot reach 10.0.0.1:6443: connection refused');
  });
});
