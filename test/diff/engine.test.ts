import { describe, expect, it } from 'vitest';
import { DiffInputError, diffTrees, hasChanges, type DiffReport, type Flag } from '../../tools/diff/engine.ts';
import { formatMarkdown, formatText, reportJson } from '../../tools/diff/format.ts';
import type { AppFacts } from '../../tools/argocd/facts.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import type { RenderedTree } from '../../tools/render/tree.ts';
import {
  app,
  bucketJob,
  claim,
  configMap,
  grafanaDeployment,
  lokiStatefulSet,
  namespace,
  secret,
  service,
  stackTree,
  tree,
} from './stack.ts';

function flagsOf(report: DiffReport, rule: string): Flag[] {
  return report.flags.filter((flag) => flag.rule === rule);
}

/** The dev stack with some apps' objects replaced, by component. */
function devStackWith(replacements: Record<string, KubeObject[]>): RenderedTree {
  return tree(...stackTree('dev').map((a) => app('dev', a.component, replacements[a.component] ?? a.objects)));
}

describe('diffTrees', () => {
  it('finds nothing between identical trees', () => {
    // GIVEN the same stack rendered twice, from separately built objects
    const base = tree(...stackTree('dev'), ...stackTree('prod'));
    const head = tree(...stackTree('dev'), ...stackTree('prod'));

    // WHEN they are diffed
    const report = diffTrees({ base, head });

    // THEN there are no changes and no flags, and every app is summarised as unchanged
    expect(report.changes).toEqual([]);
    expect(report.flags).toEqual([]);
    expect(hasChanges(report)).toBe(false);
    expect(report.summary.map((row) => `${row.env}/${row.component}`)).toEqual([
      'dev/grafana',
      'dev/loki',
      'dev/minio',
      'dev/platform',
      'prod/grafana',
      'prod/loki',
      'prod/minio',
      'prod/platform',
    ]);
    expect(report.summary.every((row) => row.added + row.removed + row.changed + row.linesAdded + row.linesRemoved === 0)).toBe(true);
  });

  it('ignores the order objects are rendered in', () => {
    // GIVEN the loki app with its objects in another order
    const base = tree(...stackTree('dev'));
    const head = devStackWith({ loki: [lokiStatefulSet('backend'), lokiStatefulSet('write'), service('loki-write')] });

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN nothing changed
    expect(report.changes).toEqual([]);
  });

  it('shows a replica change as a one-line diff of the StatefulSet', () => {
    // GIVEN loki-write scaled from 3 to 5 replicas
    const base = tree(...stackTree('dev'));
    const head = devStackWith({ loki: [service('loki-write'), lokiStatefulSet('write', { replicas: 5 }), lokiStatefulSet('backend')] });

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN exactly that object changed, with a unified diff of its YAML and no flags
    expect(report.changes).toHaveLength(1);
    const [change] = report.changes;
    expect(change).toMatchObject({
      env: 'dev',
      component: 'loki',
      key: 'apps/StatefulSet/observability/loki-write',
      kind: 'StatefulSet',
      namespace: 'observability',
      name: 'loki-write',
      change: 'changed',
      added: 1,
      removed: 1,
    });
    expect(change?.diff).toContain('--- base/dev/loki StatefulSet observability/loki-write\n');
    expect(change?.diff).toContain('+++ head/dev/loki StatefulSet observability/loki-write\n');
    expect(change?.diff).toContain('\n-  replicas: 3\n+  replicas: 5\n');
    expect(report.flags).toEqual([]);
    expect(report.summary.find((row) => row.component === 'loki')).toEqual({
      env: 'dev',
      component: 'loki',
      added: 0,
      removed: 0,
      changed: 1,
      linesAdded: 1,
      linesRemoved: 1,
    });
    expect(hasChanges(report)).toBe(true);
  });

  it('flags an image bump once per app, old → new, naming every object that runs it', () => {
    // GIVEN both Loki StatefulSets moved to a new Loki image, and Grafana gains a sidecar with a new image
    const base = tree(...stackTree('dev'));
    const loki = '3.7.6';
    const next = '3.8.0';
    const head = devStackWith({
      loki: [
        service('loki-write'),
        lokiStatefulSet('write', { image: `docker.io/grafana/loki:${next}` }),
        lokiStatefulSet('backend', { image: `docker.io/grafana/loki:${next}` }),
      ],
      grafana: [service('grafana'), claim('grafana-data', '10Gi'), grafanaDeployment({ sidecar: 'docker.io/kiwigrid/k8s-sidecar:1.30.0' })],
    });

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN one image flag for Loki (both objects listed) and one for the new sidecar image
    const images = flagsOf(report, 'image-change');
    expect(images).toEqual([
      {
        severity: 'warning',
        rule: 'image-change',
        env: 'dev',
        component: 'loki',
        message: `image docker.io/grafana/loki:${loki} → docker.io/grafana/loki:${next} (StatefulSet observability/loki-backend, StatefulSet observability/loki-write)`,
      },
      {
        severity: 'info',
        rule: 'image-change',
        env: 'dev',
        component: 'grafana',
        message: 'new image docker.io/kiwigrid/k8s-sidecar:1.30.0 (Deployment observability/grafana)',
      },
    ]);
  });

  it('shows an added and a removed component as whole objects added and removed', () => {
    // GIVEN head drops the grafana app and adds an alloy app
    const base = tree(...stackTree('dev'));
    const alloy = configMap('alloy-config', { 'config.alloy': 'logging { level = "info" }\n' });
    const head = tree(...stackTree('dev').filter((a) => a.component !== 'grafana'), app('dev', 'alloy', [alloy]));

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN grafana's objects are removed, alloy's added, each counted in its own app's summary row
    expect(report.changes.map((c) => `${c.component} ${c.change} ${c.kind} ${c.name}`)).toEqual([
      'alloy added ConfigMap alloy-config',
      'grafana removed PersistentVolumeClaim grafana-data',
      'grafana removed Service grafana',
      'grafana removed Deployment grafana',
    ]);
    const alloyRow = report.summary.find((row) => row.component === 'alloy');
    const grafanaRow = report.summary.find((row) => row.component === 'grafana');
    expect(alloyRow).toMatchObject({ added: 1, removed: 0, changed: 0, linesRemoved: 0 });
    expect(alloyRow?.linesAdded).toBe(report.changes[0]?.added);
    expect(grafanaRow).toMatchObject({ added: 0, removed: 3, changed: 0, linesAdded: 0 });
    expect(report.changes[0]?.diff).toMatch(
      /^--- \/dev\/null\n\+\+\+ head\/dev\/alloy ConfigMap observability\/alloy-config\n@@ -0,0 \+1,\d+ @@/,
    );
    // AND removing the claim is flagged as data loss
    expect(flagsOf(report, 'data-loss')).toEqual([
      expect.objectContaining({
        severity: 'danger',
        env: 'dev',
        component: 'grafana',
        object: 'PersistentVolumeClaim observability/grafana-data',
      }),
    ]);
  });

  it('shows a renamed object as removed + added', () => {
    // GIVEN the grafana Service renamed
    const base = tree(...stackTree('dev'));
    const head = devStackWith({ grafana: [service('grafana-http'), claim('grafana-data', '10Gi'), grafanaDeployment()] });

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN the old name is removed and the new one added
    expect(report.changes.map((c) => `${c.change} ${c.key}`)).toEqual([
      'removed /Service/observability/grafana',
      'added /Service/observability/grafana-http',
    ]);
  });

  it('shows an object moving between apps as removed from one and added to the other, and says so on data loss', () => {
    // GIVEN the grafana claim moves from the grafana app to the platform app
    const base = tree(...stackTree('dev'));
    const head = devStackWith({
      grafana: [service('grafana'), grafanaDeployment()],
      platform: [namespace(), claim('grafana-data', '10Gi')],
    });

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN it is removed in grafana, added in platform, and the data-loss flag names the move
    expect(report.changes.map((c) => `${c.component} ${c.change} ${c.name}`)).toEqual([
      'grafana removed grafana-data',
      'platform added grafana-data',
    ]);
    const [loss] = flagsOf(report, 'data-loss');
    expect(loss?.message).toContain('It moves to dev/platform');
  });

  describe('Secrets', () => {
    const oldPassword = 'pa55-OLD-8d1f0c';
    const newPassword = 'pa55-NEW-2b7e91';
    const unchangedUser = 'minio-admin-77c3';

    function secretReport(): DiffReport {
      // GIVEN the MinIO credentials Secret: password changed, a key added, a key removed, one key unchanged
      const base = devStackWith({
        minio: [
          secret('minio-credentials', { 'root-user': unchangedUser, 'root-password': oldPassword, 'legacy-key': 'legacy-OLD-value' }),
        ],
      });
      const head = devStackWith({
        minio: [
          secret('minio-credentials', { 'root-user': unchangedUser, 'root-password': newPassword, 'console-key': 'console-NEW-value' }),
        ],
      });
      // WHEN diffed
      return diffTrees({ base, head });
    }

    it('names the keys added, removed and changed', () => {
      const report = secretReport();

      // THEN one secret-change flag lists keys, not values
      expect(flagsOf(report, 'secret-change')).toEqual([
        {
          severity: 'warning',
          rule: 'secret-change',
          env: 'dev',
          component: 'minio',
          object: 'Secret observability/minio-credentials',
          message: 'keys added: console-key; keys removed: legacy-key; values changed: root-password (values are never shown)',
        },
      ]);
      // AND the diff shows placeholders, marking the changed key
      const diff = report.changes[0]?.diff ?? '';
      expect(diff).toContain('-  root-password: (redacted)\n');
      expect(diff).toContain('+  root-password: (redacted, changed)\n');
      expect(diff).toContain('   root-user: (redacted)\n');
    });

    it('never shows a value, plain or base64, in any format', () => {
      const report = secretReport();

      // WHEN rendered in every format
      const outputs = [
        formatText(report, { color: false }),
        formatText(report, { color: true }),
        formatMarkdown(report, { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }),
        JSON.stringify(reportJson(report)),
      ];

      // THEN no value appears anywhere, in clear or base64
      const values = [oldPassword, newPassword, unchangedUser, 'legacy-OLD-value', 'console-NEW-value'];
      for (const output of outputs) {
        for (const value of values) {
          expect(output).not.toContain(value);
          expect(output).not.toContain(Buffer.from(value).toString('base64'));
        }
      }
    });

    it('sees a value change between data and stringData, and no change when only the encoding moves', () => {
      // GIVEN a Secret whose value moves from base64 data to stringData unchanged, and one whose data value changes
      const encoded = (value: string) => Buffer.from(value).toString('base64');
      const moved = (data: Record<string, unknown>) => ({ ...secret('loki-s3-credentials', {}), stringData: undefined, ...data });
      const base = devStackWith({
        minio: [
          moved({ data: { 'secret-access-key': encoded('s3-key-SAME') } }) as KubeObject,
          secret('grafana-admin', {}, { stringData: undefined, data: { 'admin-password': encoded('admin-OLD') } }),
        ],
      });
      const head = devStackWith({
        minio: [
          moved({ stringData: { 'secret-access-key': 's3-key-SAME' } }) as KubeObject,
          secret('grafana-admin', {}, { stringData: undefined, data: { 'admin-password': encoded('admin-NEW') } }),
        ],
      });

      // WHEN diffed
      const report = diffTrees({ base, head });

      // THEN only the value change is a change, and flagged: the moved value stores the same bytes
      expect(report.changes.map((c) => c.name)).toEqual(['grafana-admin']);
      expect(flagsOf(report, 'secret-change').map((f) => [f.object, f.message])).toEqual([
        ['Secret observability/grafana-admin', 'values changed: admin-password (values are never shown)'],
      ]);
      expect(JSON.stringify(reportJson(report))).not.toContain(encoded('admin-NEW'));
    });

    it('sees no change when a value only moves to data, wrapped over lines, with the same bytes', () => {
      // GIVEN a Secret in stringData on the base side and in base64 data wrapped over two lines on the head side
      const value = 'loki-s3-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz';
      const encoded = Buffer.from(value).toString('base64');
      const base = devStackWith({ minio: [secret('loki-s3-credentials', { 'secret-access-key': value })] });
      const head = devStackWith({
        minio: [
          secret(
            'loki-s3-credentials',
            {},
            { stringData: undefined, data: { 'secret-access-key': `${encoded.slice(0, 40)}\n${encoded.slice(40)}\n` } },
          ),
        ],
      });
      // WHEN diffed THEN the cluster would store the same bytes: no change, no flag
      const report = diffTrees({ base, head });
      expect(report.changes).toEqual([]);
      expect(flagsOf(report, 'secret-change')).toEqual([]);
    });

    it('flags a data change to an immutable Secret as refused', () => {
      // GIVEN an immutable Secret whose value changes
      const base = devStackWith({ minio: [secret('minio-credentials', { 'root-password': oldPassword }, { immutable: true })] });
      const head = devStackWith({ minio: [secret('minio-credentials', { 'root-password': newPassword }, { immutable: true })] });

      // WHEN diffed
      const report = diffTrees({ base, head });

      // THEN the immutable flag names the key, never the value
      const [refused] = flagsOf(report, 'immutable-field');
      expect(refused?.message).toMatch(/^data changed \(keys root-password\) while immutable: true/);
      expect(JSON.stringify(report)).not.toContain(newPassword);
    });
  });

  describe('immutable fields', () => {
    function refusedFields(base: KubeObject, head: KubeObject): string[] {
      const report = diffTrees({ base: tree(app('prod', 'x', [base])), head: tree(app('prod', 'x', [head])) });
      return flagsOf(report, 'immutable-field').map((flag) => `${flag.severity} ${flag.object}: ${flag.message.split(':')[0]}`);
    }

    it('flags a volumeClaimTemplates change on a StatefulSet; a size alone is a volume-size flag saying the claims keep theirs', () => {
      // GIVEN loki-write's claim template grows from 50Gi to 100Gi, and one whose access mode changes
      const sizedOnly = diffTrees({
        base: tree(app('prod', 'loki', [lokiStatefulSet('write')])),
        head: tree(app('prod', 'loki', [lokiStatefulSet('write', { storage: '100Gi' })])),
      });
      const otherMode = structuredClone(lokiStatefulSet('write')) as {
        spec: { volumeClaimTemplates: { spec: { accessModes: string[] } }[] };
      } & KubeObject;
      otherMode.spec.volumeClaimTemplates[0]!.spec.accessModes = ['ReadWriteOncePod'];
      // WHEN diffed
      // THEN the size is refused with the hint that recreating the StatefulSet resizes no claim; another template change stays
      // immutable-field
      expect(flagsOf(sizedOnly, 'immutable-field')).toEqual([]);
      expect(flagsOf(sizedOnly, 'volume-size').map((flag) => `${flag.severity} ${flag.object}: ${flag.message}`)).toEqual([
        'danger StatefulSet observability/loki-write: volumeClaimTemplates data 50Gi → 100Gi: Kubernetes refuses any change to volumeClaimTemplates, so the sync fails. Recreating the StatefulSet (delete it with --cascade=orphan, then sync) does not resize the 3 existing claims data-loki-write-0 … data-loki-write-2: patch each claim to 100Gi, only if its StorageClass has allowVolumeExpansion: true (else the API server refuses the patch); only claims made for new replicas get the new size from the template.',
      ]);
      expect(refusedFields(lokiStatefulSet('write'), otherMode)).toEqual([
        'danger StatefulSet observability/loki-write: spec.volumeClaimTemplates changed',
      ]);
      // AND a smaller template is refused and says the existing claims cannot shrink
      const smaller = diffTrees({
        base: tree(app('prod', 'loki', [lokiStatefulSet('write')])),
        head: tree(app('prod', 'loki', [lokiStatefulSet('write', { storage: '20Gi' })])),
      });
      expect(flagsOf(smaller, 'volume-size').map((flag) => flag.message)).toEqual([
        'volumeClaimTemplates data 50Gi → 20Gi: Kubernetes refuses any change to volumeClaimTemplates, so the sync fails; and the 3 existing claims data-loki-write-0 … data-loki-write-2 cannot shrink either: a volume never shrinks: a smaller size means a new claim and copying the data over, and whatever is not copied is lost.',
      ]);
    });

    it('flags StatefulSet serviceName, podManagementPolicy and a Deployment selector', () => {
      // GIVEN a StatefulSet with a new serviceName and podManagementPolicy, a Deployment with a new selector label
      const statefulSet = lokiStatefulSet('write');
      const changedSet = structuredClone(statefulSet) as { spec: Record<string, unknown> } & KubeObject;
      changedSet.spec['serviceName'] = 'loki-write-peers';
      changedSet.spec['podManagementPolicy'] = 'OrderedReady';
      const deployment = grafanaDeployment();
      const changedDeployment = structuredClone(deployment) as { spec: { selector: { matchLabels: Record<string, string> } } } & KubeObject;
      changedDeployment.spec.selector.matchLabels['app.kubernetes.io/component'] = 'ui';

      // WHEN diffed
      // THEN each refused field is flagged
      expect(refusedFields(statefulSet, changedSet)).toEqual([
        'danger StatefulSet observability/loki-write: spec.podManagementPolicy changed',
        'danger StatefulSet observability/loki-write: spec.serviceName changed',
      ]);
      expect(refusedFields(deployment, changedDeployment)).toEqual(['danger Deployment observability/grafana: spec.selector changed']);
    });

    it('flags a PVC shrink as refused and a growth as needing an expandable StorageClass, quantity-aware', () => {
      // GIVEN the grafana claim at 10Gi
      const base = claim('grafana-data', '10Gi');
      const sized = (head: KubeObject) =>
        flagsOf(diffTrees({ base: tree(app('prod', 'x', [base])), head: tree(app('prod', 'x', [head])) }), 'volume-size').map(
          (flag) => `${flag.severity} ${flag.object}: ${flag.message.split(':')[0]}`,
        );
      // WHEN it shrinks to 5Gi or 9000Mi, grows to 20Gi or 12G, or stays the same size written 10240Mi
      // THEN a shrink is a danger (refused), a growth a warning, the same size nothing; none is an immutable field
      expect(sized(claim('grafana-data', '5Gi'))).toEqual([
        'danger PersistentVolumeClaim observability/grafana-data: spec.resources.requests.storage shrinks (10Gi → 5Gi)',
      ]);
      expect(sized(claim('grafana-data', '9000Mi'))).toEqual([
        'danger PersistentVolumeClaim observability/grafana-data: spec.resources.requests.storage shrinks (10Gi → 9000Mi)',
      ]);
      expect(sized(claim('grafana-data', '20Gi'))).toEqual([
        'warning PersistentVolumeClaim observability/grafana-data: spec.resources.requests.storage grows (10Gi → 20Gi)',
      ]);
      expect(sized(claim('grafana-data', '12G'))).toHaveLength(1);
      expect(sized(claim('grafana-data', '10240Mi'))).toEqual([]);
      expect(refusedFields(base, claim('grafana-data', '5Gi'))).toEqual([]);
    });

    it('flags a PVC storage class or access mode change', () => {
      // GIVEN a claim that gets a storage class, and one whose access mode changes
      const base = claim('grafana-data', '10Gi');
      // WHEN diffed
      // THEN each is refused, naming the field and the values
      expect(refusedFields(base, claim('grafana-data', '10Gi', { storageClassName: 'fast-ssd' }))).toEqual([
        'danger PersistentVolumeClaim observability/grafana-data: spec.storageClassName changed (unset → fast-ssd)',
      ]);
      expect(refusedFields(base, claim('grafana-data', '10Gi', { accessModes: ['ReadWriteMany'] }))).toEqual([
        'danger PersistentVolumeClaim observability/grafana-data: spec.accessModes changed (["ReadWriteOnce"] → ["ReadWriteMany"])',
      ]);
    });

    it('flags a Service clusterIP change', () => {
      // GIVEN a headless Service made a normal one
      // WHEN diffed
      const refused = refusedFields(service('loki-write-headless', { clusterIP: 'None' }), service('loki-write-headless'));
      // THEN it is refused
      expect(refused).toEqual(['danger Service observability/loki-write-headless: spec.clusterIP changed (None → unset)']);
    });

    it('flags a Job template change, unless the Job is an Argo CD hook', () => {
      // GIVEN the bucket Job's command changes, once as a plain Job and once as a Sync hook
      const hook = { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded' };
      // WHEN diffed
      // THEN only the plain Job is flagged
      expect(refusedFields(bucketJob('mc mb local/loki'), bucketJob('mc mb --ignore-existing local/loki'))).toEqual([
        'danger Job observability/minio-make-bucket: spec.template changed',
      ]);
      expect(refusedFields(bucketJob('mc mb local/loki', hook), bucketJob('mc mb --ignore-existing local/loki', hook))).toEqual([]);
    });

    it('flags a data change to an immutable ConfigMap, and nothing on a mutable one', () => {
      // GIVEN a ConfigMap whose data changes, immutable and not
      const before = { 'config.yaml': 'retention_period: 168h\n' };
      const after = { 'config.yaml': 'retention_period: 720h\n' };
      // WHEN diffed
      // THEN only the immutable one is refused
      expect(
        refusedFields(configMap('loki-config', before, { immutable: true }), configMap('loki-config', after, { immutable: true })),
      ).toEqual(['danger ConfigMap observability/loki-config: data changed while immutable']);
      expect(refusedFields(configMap('loki-config', before), configMap('loki-config', after))).toEqual([]);
    });
  });

  it('flags the removal of a StatefulSet and of the Namespace as data loss', () => {
    // GIVEN head drops loki-backend and the platform Namespace
    const base = tree(...stackTree('dev'));
    const head = devStackWith({ loki: [service('loki-write'), lokiStatefulSet('write')], platform: [] });

    // WHEN diffed
    const report = diffTrees({ base, head });

    // THEN both are danger data-loss flags, in app order
    expect(report.flags.map((f) => `${f.severity} ${f.rule} ${f.component} ${f.object}`)).toEqual([
      'danger data-loss loki StatefulSet observability/loki-backend',
      'danger data-loss platform Namespace observability',
    ]);
  });

  it('flags the removal of a CustomResourceDefinition as data loss: every object of its kind goes', () => {
    // GIVEN the platform app drops a CRD it rendered
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'podlogs.monitoring.grafana.com' },
      spec: { group: 'monitoring.grafana.com', names: { kind: 'PodLogs', plural: 'podlogs' }, scope: 'Namespaced' },
    };
    const report = diffTrees({
      base: tree(app('prod', 'platform', [namespace(), crd])),
      head: tree(app('prod', 'platform', [namespace()])),
    });
    // THEN a danger flag names the kind whose objects are deleted with it
    expect(report.flags.map((f) => `${f.severity} ${f.rule} ${f.env}/${f.component} ${f.object}`)).toEqual([
      'danger data-loss prod/platform CustomResourceDefinition podlogs.monitoring.grafana.com',
    ]);
    expect(report.flags[0]?.message).toMatch(
      /^CustomResourceDefinition removed: deleting it deletes every PodLogs \(monitoring\.grafana\.com\) object in the cluster/,
    );
  });

  it('pairs a generated name across its hash suffix only when the stem is unambiguous', () => {
    // GIVEN kustomize-generated ConfigMaps: one renamed with its content, and a stem with two candidates
    const generated = (name: string, value: string) => configMap(name, { 'config.alloy': value });
    const base = tree(app('dev', 'alloy', [generated('alloy-extra-7h2bt4k5cd', 'a'), generated('twice-5k7f2c9b8m', 'a')]));
    const head = tree(
      app('dev', 'alloy', [
        generated('alloy-extra-b82m5k9ftg', 'b'),
        generated('twice-cd24hkmt56', 'b'),
        generated('twice-g2m4t6b8d9', 'c'),
      ]),
    );
    // WHEN diffed
    const report = diffTrees({ base, head });
    // THEN the unique stem is one change of name and content; the ambiguous one stays removals and additions
    expect(report.changes.map((c) => `${c.change} ${c.previousName ?? ''} ${c.name}`)).toEqual([
      'changed alloy-extra-7h2bt4k5cd alloy-extra-b82m5k9ftg',
      'removed  twice-5k7f2c9b8m',
      'added  twice-cd24hkmt56',
      'added  twice-g2m4t6b8d9',
    ]);
    expect(report.changes[0]?.diff).toMatch(/-  name: alloy-extra-7h2bt4k5cd\n\+  name: alloy-extra-b82m5k9ftg/);
  });

  it('a move from an earlier wave to a later one is a danger: the object is deleted before it comes back', () => {
    // GIVEN dev's claim moves from minio (wave 1, pruning) to grafana (wave 3)
    const headApps = new Map<string, AppFacts>([
      ['dev/minio', { application: 'dev-minio', wave: 1, namespace: 'observability', prune: true, failOnSharedResource: true }],
      ['dev/grafana', { application: 'dev-grafana', wave: 3, namespace: 'observability', prune: true, failOnSharedResource: true }],
    ]);
    const base = tree(app('dev', 'grafana', [service('grafana')]), app('dev', 'minio', [claim('shared-data', '10Gi')]));
    const head = tree(app('dev', 'grafana', [service('grafana'), claim('shared-data', '10Gi')]), app('dev', 'minio', []));
    // WHEN diffed
    const report = diffTrees({ base, head, baseApps: headApps, headApps });
    // THEN the move says who prunes it, who creates it, in which waves
    const move = flagsOf(report, 'object-move');
    expect(move.map((f) => `${f.severity} ${f.env}/${f.component} ${f.object}`)).toEqual([
      'danger dev/grafana PersistentVolumeClaim observability/shared-data',
    ]);
    expect(move[0]?.message).toBe(
      'moves from dev/minio (dev-minio, wave 1) to dev/grafana (dev-grafana, wave 3): dev-minio prunes it in wave 1 and dev-grafana creates it again only in wave 3: the object is deleted in between (a new one, without its data, comes back).',
    );
  });

  it('flags stale generated files in head', () => {
    // GIVEN the caller found two stale generated files in head
    const staleFiles = ['overlays/prod/loki/kustomization.yaml', 'apps/prod.applicationset.yaml'];

    // WHEN diffed
    const report = diffTrees({ base: tree(...stackTree('dev')), head: tree(...stackTree('dev')), staleFiles });

    // THEN one flag names both files (sorted) and the fix
    expect(report.flags).toHaveLength(1);
    expect(report.flags[0]).toMatchObject({ severity: 'warning', rule: 'stale-generated' });
    expect(report.flags[0]?.message).toContain(
      'run npm run generate and commit (apps/prod.applicationset.yaml, overlays/prod/loki/kustomization.yaml)',
    );
  });

  it('refuses a render with the same object twice in one app', () => {
    // GIVEN an app that renders the grafana Service twice
    const head = devStackWith({ grafana: [service('grafana'), service('grafana')] });

    // WHEN diffed
    // THEN a typed error names the app and the object
    expect(() => diffTrees({ base: tree(), head })).toThrow(DiffInputError);
    expect(() => diffTrees({ base: tree(), head })).toThrow(
      /^dev\/grafana Service observability\/grafana: appears twice in the head render/,
    );
  });
});
