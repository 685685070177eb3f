import { describe, expect, it } from 'vitest';
import { compareObject, detectDrift, DriftOptionsError, hasDrift } from '../../tools/drift/compare.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { applied, clone, containers, deployment } from './support.ts';

type Spec<T> = KubeObject & { spec: T };

describe('compareObject: what is not drift', () => {
  it('a live object as the API server returns it for the manifest is in sync', () => {
    // GIVEN a manifest and the live object after apply (defaults, canonical quantities, status, metadata)
    const desired = deployment();
    // WHEN compared
    const fields = compareObject(desired, applied(desired));
    // THEN nothing differs
    expect(fields).toEqual([]);
  });

  it('reordered containers, env and volumeMounts are drift: apply puts merge-keyed lists back in git order', () => {
    // GIVEN a live Deployment whose keyed lists come back in another order, items otherwise equal
    const desired = deployment();
    const live = applied(desired);
    const [grafana, sidecar] = containers(live);
    containers(live).splice(0, 2, sidecar as Record<string, unknown>, grafana as Record<string, unknown>);
    const envOrder = (grafana?.['env'] as { name: string }[]).map((item) => item.name);
    const mountOrder = (grafana?.['volumeMounts'] as { mountPath: string }[]).map((item) => item.mountPath);
    (grafana?.['env'] as unknown[]).reverse();
    (grafana?.['volumeMounts'] as unknown[]).reverse();
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN items still pair by name / mountPath (no value drift), and each list's order is one drift
    expect(fields).toEqual([
      { path: '/spec/template/spec/containers', op: 'replace', desired: ['grafana', 'sidecar'], live: ['sidecar', 'grafana'] },
      { path: '/spec/template/spec/containers/0/env', op: 'replace', desired: envOrder, live: [...envOrder].reverse() },
      { path: '/spec/template/spec/containers/0/volumeMounts', op: 'replace', desired: mountOrder, live: [...mountOrder].reverse() },
    ]);
  });

  it('items injected live between git items do not make an order drift', () => {
    // GIVEN a live Deployment with a sidecar injected first and an env var injected in the middle
    const desired = deployment();
    const live = applied(desired);
    containers(live).unshift({ name: 'injected', image: 'mesh/proxy:1' });
    (containers(live)[1]?.['env'] as unknown[]).splice(1, 0, { name: 'INJECTED', value: '1' });
    // WHEN compared THEN git's items are in git's order: nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('extra live list items nobody applied from git (injected sidecars, env) are not drift', () => {
    // GIVEN a live object with a container and an env var added by someone else
    const desired = deployment();
    const live = applied(desired);
    containers(live).push({ name: 'injected', image: 'mesh/proxy:1' });
    (containers(live)[0]?.['env'] as unknown[]).push({ name: 'INJECTED', value: '1' });
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('extra live list items are not drift on an object with no record of what was applied', () => {
    // GIVEN a live object created without last-applied annotation or Apply managedFields, with an injected sidecar
    const desired = deployment();
    const live = applied(desired);
    delete live.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    containers(live).push({ name: 'injected', image: 'mesh/proxy:1' });
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('equal quantities, numbers as strings and omitted zero values are not drift', () => {
    // GIVEN desired values in other spellings than the server stores
    const desired = deployment();
    const live = applied(desired);
    const spec = desired as Spec<Record<string, unknown>>;
    spec.spec['minReadySeconds'] = 0;
    (spec.spec['selector'] as Record<string, unknown>)['matchLabels'] = { 'app.kubernetes.io/name': 'grafana' };
    (containers(desired)[0] as Record<string, unknown>)['resources'] = {
      requests: { cpu: '0.5', memory: '1Gi' },
      limits: { cpu: '1000m', memory: '2048Mi' },
    };
    (containers(desired)[0] as Record<string, unknown>)['ports'] = [{ name: 'grafana', containerPort: 3000, hostPort: 0 }];
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('keyless lists whose order means nothing pair equal items first (Endpoints addresses)', () => {
    // GIVEN Endpoints whose addresses and ports come back in another order, ports with a defaulted protocol
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external-s3', namespace: 'observability' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }],
          ports: [
            { name: 's3', port: 9000 },
            { name: 'console', port: 9001 },
          ],
        },
      ],
    };
    const live = applied(desired) as KubeObject & { subsets: { addresses: unknown[]; ports: { protocol?: string }[] }[] };
    live.subsets[0]?.addresses.reverse();
    live.subsets[0]?.ports.reverse();
    for (const port of live.subsets[0]?.ports ?? []) port.protocol = 'TCP';
    const moved = structuredClone(live);
    moved.subsets[0]?.addresses.splice(0, 1, { ip: '10.0.0.9' });
    // WHEN compared as is, and with one address replaced
    const reordered = compareObject(desired, live);
    const changed = compareObject(desired, moved);
    // THEN reordering is not drift; the replaced address is, at its desired index
    expect(reordered).toEqual([]);
    expect(changed).toEqual([{ path: '/subsets/0/addresses/2/ip', op: 'replace', desired: '10.0.0.3', live: '10.0.0.9' }]);
  });

  it('ResourceQuota and LimitRange quantities compare by value', () => {
    // GIVEN quota and limits written as numbers and other units than the server stores
    const quota: KubeObject = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'observability' },
      spec: { hard: { 'requests.cpu': 4, 'limits.memory': '16384Mi', pods: 30 } },
    };
    const liveQuota = applied(quota) as Spec<{ hard: Record<string, string> }>;
    liveQuota.spec.hard = { 'requests.cpu': '4', 'limits.memory': '16Gi', pods: '31' };
    const limits: KubeObject = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'l', namespace: 'observability' },
      spec: { limits: [{ type: 'Container', default: { cpu: 0.25, memory: '0.5Gi' } }] },
    };
    const liveLimits = applied(limits) as Spec<{ limits: Record<string, unknown>[] }>;
    liveLimits.spec.limits = [
      { type: 'Container', default: { cpu: '250m', memory: '512Mi' }, defaultRequest: { cpu: '250m', memory: '512Mi' } },
    ];
    // WHEN compared
    // THEN only the pod count differs
    expect(compareObject(quota, liveQuota)).toEqual([{ path: '/spec/hard/pods', op: 'replace', desired: 30, live: '31' }]);
    expect(compareObject(limits, liveLimits)).toEqual([]);
  });

  it('finalizers a controller added are not drift', () => {
    // GIVEN a PVC manifest with one finalizer and the live PVC with the protection finalizer too
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'observability', finalizers: ['example.com/keep'] },
      spec: { resources: { requests: { storage: '10Gi' } } },
    };
    const live = clone(desired);
    live.metadata.finalizers = ['kubernetes.io/pvc-protection', 'example.com/keep'];
    (live as Spec<Record<string, unknown>>).spec['storageClassName'] = 'standard';
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });
});

describe('compareObject: what is drift', () => {
  it('a changed image is drift at the desired index of the container, even when live reorders containers', () => {
    // GIVEN a live Deployment with containers reversed and the sidecar image changed
    const desired = deployment();
    const live = applied(desired);
    containers(live).reverse();
    (containers(live)[0] as Record<string, unknown>)['image'] = 'docker.io/library/busybox:1.36';
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN the sidecar (index 1 in git) is named, and the order
    expect(fields).toEqual([
      { path: '/spec/template/spec/containers', op: 'replace', desired: ['grafana', 'sidecar'], live: ['sidecar', 'grafana'] },
      {
        path: '/spec/template/spec/containers/1/image',
        op: 'replace',
        desired: 'docker.io/library/busybox:1.37',
        live: 'docker.io/library/busybox:1.36',
      },
    ]);
  });

  it('a changed env var and replicas are drift', () => {
    // GIVEN a live Deployment scaled by hand with one env value edited
    const desired = deployment();
    const live = applied(desired) as Spec<Record<string, unknown>>;
    live.spec['replicas'] = 5;
    const env = containers(live)[0]?.['env'] as { name: string; value: string }[];
    (env.find((entry) => entry.name === 'GF_PATHS_DATA') as { value: string }).value = '/data';
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN both are reported, in document order
    expect(fields).toEqual([
      { path: '/spec/replicas', op: 'replace', desired: 2, live: 5 },
      { path: '/spec/template/spec/containers/0/env/1/value', op: 'replace', desired: '/var/lib/grafana', live: '/data' },
    ]);
  });

  it('a different quantity, and a field missing live, are drift', () => {
    // GIVEN a live container with less memory and no args on the sidecar
    const desired = deployment();
    const live = applied(desired);
    ((containers(live)[0]?.['resources'] as Record<string, Record<string, string>>)['limits'] as Record<string, string>)['memory'] = '1Gi';
    delete containers(live)[1]?.['args'];
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN both are named
    expect(fields).toEqual([
      { path: '/spec/template/spec/containers/0/resources/limits/memory', op: 'replace', desired: '2Gi', live: '1Gi' },
      { path: '/spec/template/spec/containers/1/args', op: 'remove', desired: ['sleep', 'infinity'] },
    ]);
  });

  it('a field removed from git but applied before (last-applied annotation) is drift', () => {
    // GIVEN a live object applied from a manifest with an annotation git has since dropped
    const before = deployment();
    before.metadata.annotations = { 'example.com/owner': 'team-a' };
    const live = applied(before);
    const desired = deployment();
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN the annotation shows as only in the cluster
    expect(fields).toEqual([{ path: '/metadata/annotations/example.com~1owner', op: 'add', live: 'team-a' }]);
  });

  it('a container removed from git but applied before (server-side apply managedFields) is drift', () => {
    // GIVEN a live object whose argocd-controller Apply entry owns the sidecar, now gone from git
    const desired = deployment();
    const live = applied(desired);
    delete live.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    (live.metadata['managedFields'] as unknown[]).push({
      manager: 'argocd-controller',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:template': {
            'f:spec': {
              'f:containers': { 'k:{"name":"grafana"}': { '.': {}, 'f:image': {} }, 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {} } },
            },
          },
        },
      },
    });
    containers(desired).splice(1, 1);
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN the sidecar is reported as only in the cluster, after the desired containers
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatchObject({ path: '/spec/template/spec/containers/1', op: 'add', live: { name: 'sidecar' } });
  });

  it('a NetworkPolicy rule removed in the cluster is drift on that rule alone', () => {
    // GIVEN a policy with three ingress rules in git and the middle one deleted live
    const rule = (port: number) => ({ from: [{ podSelector: { matchLabels: { app: `client-${port}` } } }], ports: [{ port }] });
    const desired: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-ingress-loki', namespace: 'observability' },
      spec: { podSelector: { matchLabels: { app: 'loki' } }, policyTypes: ['Ingress'], ingress: [rule(3100), rule(7946), rule(9095)] },
    };
    const live = applied(desired) as Spec<{ ingress: { ports: Record<string, unknown>[] }[] }>;
    live.spec.ingress.splice(1, 1);
    for (const entry of live.spec.ingress) for (const port of entry.ports) port['protocol'] = 'TCP';
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN the missing rule is named at its desired index, the others pair despite the defaulted protocol
    expect(fields).toEqual([{ path: '/spec/ingress/1', op: 'remove', desired: rule(7946) }]);
  });

  it('a rule added live to a deny-all NetworkPolicy is drift', () => {
    // GIVEN `ingress: []` in git and an allow rule live
    const desired: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'observability' },
      spec: { podSelector: {}, ingress: [] },
    };
    const live = applied(desired) as Spec<{ ingress: unknown[] }>;
    live.spec.ingress.push({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] });
    // WHEN compared THEN the extra rule is reported
    expect(compareObject(desired, live)).toEqual([
      { path: '/spec/ingress/0', op: 'add', live: { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] } },
    ]);
  });
});

describe('compareObject: Secrets', () => {
  const secretValue = 'S3cr3t-Value-Never-Shown';
  const secret = (stringData: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'minio-credentials', namespace: 'observability' },
    type: 'Opaque',
    stringData,
  });
  const liveSecret = (
    data: Record<string, string>,
    before: Record<string, string> = { 'root-user': 'admin', 'root-password': secretValue },
  ): KubeObject => {
    const live = applied(secret(before));
    delete live['stringData'];
    live['data'] = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
    return live;
  };

  it('stringData in git equals the same values as base64 data live', () => {
    // GIVEN a Secret with stringData and the live Secret with data
    const desired = secret({ 'root-user': 'admin', 'root-password': secretValue });
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, liveSecret({ 'root-user': 'admin', 'root-password': secretValue }))).toEqual([]);
  });

  it('a changed, a removed and a key dropped from git are named, redacted, without values', () => {
    // GIVEN a live Secret whose password changed and user was removed, still holding a key git dropped since the last sync
    const desired = secret({ 'root-user': 'admin', 'root-password': secretValue });
    const before = { 'root-user': 'admin', 'root-password': secretValue, extra: secretValue };
    const live = liveSecret({ 'root-password': `${secretValue}-rotated`, extra: secretValue }, before);
    // WHEN compared
    const fields = compareObject(desired, live);
    // THEN each key is named and no value travels
    expect(fields).toEqual([
      { path: '/data/extra', op: 'add', redacted: true },
      { path: '/data/root-password', op: 'replace', redacted: true },
      { path: '/data/root-user', op: 'remove', redacted: true },
    ]);
    expect(JSON.stringify(fields)).not.toContain(Buffer.from(secretValue).toString('base64').slice(0, 12));
  });

  it('a key added in the cluster that git never applied is not drift, like any live-only field', () => {
    // GIVEN a live Secret with an extra key a controller wrote
    const desired = secret({ 'root-user': 'admin', 'root-password': secretValue });
    const live = liveSecret({ 'root-user': 'admin', 'root-password': secretValue, 'ca.crt': 'x' });
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('a Secret with no data live at all still names each key', () => {
    // GIVEN a live Secret emptied by hand
    const desired = secret({ 'root-user': 'admin' });
    const live = liveSecret({});
    delete live['data'];
    // WHEN compared THEN the key is named, redacted
    expect(compareObject(desired, live)).toEqual([{ path: '/data/root-user', op: 'remove', redacted: true }]);
  });
});

describe('compareObject: ignoreDifferences', () => {
  it('jsonPointers hide a field on matching objects only', () => {
    // GIVEN a Deployment scaled live, and rules for its replicas and for another kind's
    const desired = deployment();
    const live = applied(desired) as Spec<Record<string, unknown>>;
    live.spec['replicas'] = 5;
    // WHEN compared with a matching rule, and with rules that do not match it
    const matching = compareObject(desired, live, {
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
    });
    const otherKind = compareObject(desired, live, {
      ignoreDifferences: [{ group: 'apps', kind: 'StatefulSet', jsonPointers: ['/spec/replicas'] }],
    });
    const coreGroup = compareObject(desired, live, { ignoreDifferences: [{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }] });
    const otherName = compareObject(desired, live, {
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: 'loki', jsonPointers: ['/spec/replicas'] }],
    });
    const wildcard = compareObject(desired, live, {
      ignoreDifferences: [{ group: '*', kind: '*', namespace: 'observability', jsonPointers: ['/spec/replicas'] }],
    });
    // THEN only the matching rules hide it (an omitted group is the core group, as in Argo CD)
    expect(matching).toEqual([]);
    expect(wildcard).toEqual([]);
    for (const fields of [otherKind, coreGroup, otherName]) expect(fields.map((field) => field.path)).toEqual(['/spec/replicas']);
  });

  it('jsonPointers into lists use the desired index', () => {
    // GIVEN a live Deployment with containers reversed and the sidecar image changed
    const desired = deployment();
    const live = applied(desired);
    containers(live).reverse();
    (containers(live)[0] as Record<string, unknown>)['image'] = 'other:1';
    // WHEN the sidecar's image (index 1 in git) is ignored THEN only the order is left
    expect(
      compareObject(desired, live, {
        ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/template/spec/containers/1/image'] }],
      }).map((f) => f.path),
    ).toEqual(['/spec/template/spec/containers']);
  });

  it('jqPathExpressions in the supported subset select by field value', () => {
    // GIVEN both images changed live
    const desired = deployment();
    const live = applied(desired);
    for (const container of containers(live)) container['image'] = 'other:1';
    // WHEN the sidecar's image is ignored by name
    const fields = compareObject(desired, live, {
      ignoreDifferences: [
        {
          group: 'apps',
          kind: 'Deployment',
          jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar") | .image'],
        },
      ],
    });
    // THEN only the grafana image remains
    expect(fields.map((field) => field.path)).toEqual(['/spec/template/spec/containers/0/image']);
  });

  it('managedFieldsManagers hide the fields their managedFields entry owns', () => {
    // GIVEN replicas and one container's resources changed live by an autoscaler that owns them
    const desired = deployment();
    const live = applied(desired) as Spec<Record<string, unknown>>;
    live.spec['replicas'] = 7;
    const resources = containers(live)[0]?.['resources'] as Record<string, Record<string, string>>;
    (resources['requests'] as Record<string, string>)['cpu'] = '750m';
    containers(live)[1]!['image'] = 'hand-edited:1';
    (live.metadata['managedFields'] as unknown[]).push({
      manager: 'autoscaler',
      operation: 'Update',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:replicas': {},
          'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"grafana"}': { 'f:resources': { 'f:requests': { 'f:cpu': {} } } } } } },
        },
      },
    });
    // WHEN the autoscaler is a trusted manager
    const fields = compareObject(desired, live, {
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['autoscaler'] }],
    });
    // THEN only the hand edit remains
    expect(fields.map((field) => field.path)).toEqual(['/spec/template/spec/containers/1/image']);
  });

  it('refuses malformed pointers instead of ignoring them silently', () => {
    // GIVEN pointers that cannot be honoured
    const desired = deployment();
    const live = applied(desired);
    // WHEN compared THEN a DriftOptionsError names the rule and field
    expect(() => compareObject(desired, live, { ignoreDifferences: [{ kind: 'Deployment', jsonPointers: ['spec/replicas'] }] })).toThrow(
      DriftOptionsError,
    );
    expect(() => detectDrift([], [], { ignoreDifferences: [{ kind: 'Deployment', jsonPointers: ['spec/replicas'] }] })).toThrow(
      /ignoreDifferences\[0\]\.jsonPointers\[0\]/,
    );
  });

  it('a jq rule that cannot be evaluated is a warning naming the Application and rule; everything is still compared', () => {
    // GIVEN replicas and an image changed live, a broken jq rule and a working one from an Application
    const desired = deployment();
    const live = applied(desired) as Spec<Record<string, unknown>>;
    live.spec['replicas'] = 9;
    containers(live)[1]!['image'] = 'hand-edited:1';
    const ignoreDifferences = [
      {
        group: 'apps',
        kind: 'Deployment',
        jqPathExpressions: ['.spec | to_entries', '.spec.[', 'select(.kind == "Deployment").spec.replicas'],
        application: 'dev-grafana',
        index: 3,
      },
    ];
    // WHEN drift is detected
    const report = detectDrift([desired], [live], { ignoreDifferences });
    // THEN the working rule ignores replicas, the image is drift, and both broken rules are named
    expect(report.modified.flatMap((m) => m.fields.map((f) => f.path))).toEqual(['/spec/template/spec/containers/1/image']);
    expect(report.warnings?.map((w) => [w.application, w.rule, w.expression, w.object?.name])).toEqual([
      ['dev-grafana', 'ignoreDifferences[3].jqPathExpressions[0]', '.spec | to_entries', 'grafana'],
      ['dev-grafana', 'ignoreDifferences[3].jqPathExpressions[1]', '.spec.[', undefined],
    ]);
    expect(report.warnings?.[0]?.reason).toMatch(/Invalid path expression/);
  });
});

describe('detectDrift', () => {
  const configMap = (name: string, namespace = 'observability'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { key: name },
  });

  it('reports missing and unexpected objects, sorted, and counts the rest in sync', () => {
    // GIVEN desired objects, one of them absent live, and a live object git does not have
    const desired = [configMap('b'), deployment(), configMap('a')];
    const live = [applied(configMap('extra')), applied(deployment()), applied(configMap('b'))];
    // WHEN drift is detected
    const report = detectDrift(desired, live);
    // THEN a is missing, extra unexpected, the rest in sync
    expect(report.missing).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'observability', name: 'a' }]);
    expect(report.unexpected).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'observability', name: 'extra' }]);
    expect(report.modified).toEqual([]);
    expect(report.inSync).toBe(2);
    expect(hasDrift(report)).toBe(true);
  });

  it('with appNames, only live objects Argo CD tracks for those apps are unexpected', () => {
    // GIVEN unpaired live objects tracked by our app (label or annotation), by another app, and by none
    const ours = applied(configMap('ours'), 'dev-grafana');
    const byAnnotation = configMap('annotated');
    byAnnotation.metadata.annotations = { 'argocd.argoproj.io/tracking-id': 'dev-loki:/ConfigMap:observability/annotated' };
    const theirs = applied(configMap('theirs'), 'someone-else');
    const untracked = configMap('kube-root-ca.crt');
    // WHEN drift is detected for our apps
    const report = detectDrift([], [ours, byAnnotation, theirs, untracked], { appNames: ['dev-grafana', 'dev-loki'] });
    // THEN only the tracked ones are unexpected; without appNames all are
    expect(report.unexpected.map((ref) => ref.name)).toEqual(['annotated', 'ours']);
    expect(detectDrift([], [ours, byAnnotation, theirs, untracked]).unexpected).toHaveLength(4);
  });

  it('skips Argo CD hooks and objects owned by controllers', () => {
    // GIVEN a hook Job in git (deleted live after it ran) and a ReplicaSet owned by a Deployment live
    const hook: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'minio-bucket-setup', namespace: 'observability', annotations: { 'argocd.argoproj.io/hook': 'Sync' } },
    };
    const replicaSet: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'grafana-5d9c', namespace: 'observability', ownerReferences: [{ kind: 'Deployment', name: 'grafana', uid: 'u' }] },
    };
    // WHEN drift is detected THEN neither is drift
    const report = detectDrift([hook], [replicaSet]);
    expect(hasDrift(report)).toBe(false);
  });

  it('objects of a kind the reader could not list are unchecked, not missing', () => {
    // GIVEN desired Secrets and ConfigMaps, with Secrets unreadable in the namespace
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'observability' } };
    const unreadable = [{ apiVersion: 'v1', kind: 'Secret', namespace: 'observability', reason: 'forbidden: list secrets' }];
    // WHEN drift is detected
    const report = detectDrift([secret, configMap('a')], [applied(configMap('a'))], { unreadable });
    // THEN the Secret is unchecked and the failure is reported
    expect(report.missing).toEqual([]);
    expect(report.unchecked).toEqual([{ apiVersion: 'v1', kind: 'Secret', namespace: 'observability', name: 'creds' }]);
    expect(report.unreadable).toEqual(unreadable);
    expect(report.inSync).toBe(1);
  });

  it('a namespaced manifest without a namespace pairs with the destination namespace', () => {
    // GIVEN a manifest without namespace and the same name live in two namespaces
    const desired: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' }, data: { key: 'shared' } };
    const live = [applied(configMap('shared', 'observability')), applied(configMap('shared', 'other'))];
    // WHEN drift is detected with and without the destination namespace
    const withDestination = detectDrift([desired], live, { namespace: 'observability' });
    const ambiguous = detectDrift([desired], live);
    // THEN the destination decides; without it the ambiguous object is not guessed
    expect(withDestination.inSync).toBe(1);
    expect(withDestination.unexpected.map((ref) => ref.namespace)).toEqual(['other']);
    expect(ambiguous.missing).toHaveLength(1);
  });

  it('a cluster-scoped custom kind given a namespace in git pairs with the live object, which has none', () => {
    // GIVEN a ClusterIssuer kustomize put a namespace on, and the live one without
    const desired: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'letsencrypt', namespace: 'observability' },
      spec: { acme: { email: 'ops@example.com' } },
    };
    const live = applied({ ...desired, metadata: { name: 'letsencrypt' } });
    // WHEN drift is detected
    const report = detectDrift([desired], [live]);
    // THEN they pair and are in sync
    expect(report).toMatchObject({ inSync: 1, missing: [], unexpected: [] });
  });

  it('gives the same report whatever the input order', () => {
    // GIVEN objects with drift in several kinds
    const desired = [deployment(), configMap('a'), configMap('c'), configMap('b', 'z')];
    const drifted = applied(configMap('b', 'z'));
    drifted['data'] = { key: 'changed' };
    const live = [applied(configMap('x')), drifted, applied(deployment()), applied(configMap('w', 'a'))];
    // WHEN detected in two orders
    const forward = detectDrift(desired, live);
    const backward = detectDrift([...desired].reverse(), [...live].reverse());
    // THEN the reports are identical and sorted by kind, namespace, name
    expect(backward).toEqual(forward);
    expect(forward.missing.map((ref) => ref.name)).toEqual(['a', 'c']);
    expect(forward.unexpected.map((ref) => `${ref.namespace}/${ref.name}`)).toEqual(['a/w', 'observability/x']);
  });
});
