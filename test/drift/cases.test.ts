/**
 * Drift situations rebuilt from public bug reports against Argo CD, Flux, kubectl and kustomize
 * (Service clusterIP left empty, order-dependent env and initContainers, wrapped base64, YAML 1.1
 * octal), each with its own files under test/drift/cases/ and at
 * least one sibling of the same kind: read as the API server stores it, or it is a false report.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compareObject, detectDrift } from '../../tools/drift/compare.ts';
import { driftJson, formatDriftMarkdown, formatDriftText } from '../../tools/drift/report.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { parseObjects } from '../../tools/yaml.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { applied, clone, containers, deployment } from './support.ts';

const run = promisify(execFile);
const CASES = join(REPO_ROOT, 'test/drift/cases');

function one(text: string, where: string): KubeObject {
  const [object] = parseObjects(text, where);
  return object as KubeObject;
}

function load(name: string, side: 'desired' | 'live'): KubeObject {
  const file = join(CASES, name, `${side}.yaml`);
  return one(readFileSync(file, 'utf8'), file);
}

async function drift(name: string): Promise<{ code: number; stdout: string }> {
  const args = [
    join(REPO_ROOT, 'scripts/drift.ts'),
    '--desired',
    join(CASES, name, 'desired.yaml'),
    '--snapshot',
    join(CASES, name, 'live.yaml'),
  ];
  try {
    const out = await run(process.execPath, args, { cwd: REPO_ROOT });
    return { code: 0, stdout: out.stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('the cases, through npm run drift --desired/--snapshot', () => {
  it.each([
    ['service-cluster-ip-left-empty', 0],
    ['env-order-dependent-vars', 1],
    ['init-containers-swapped', 1],
    ['secret-base64-wrapped', 0],
    ['octal-default-mode', 0],
  ])('%s exits %i', async (name, expected) => {
    // GIVEN a manifest and the live object a cluster returns WHEN drift runs THEN its verdict is right
    const result = await drift(name);
    expect(result.code, result.stdout).toBe(expected);
  });

  it('names the order of the list, not item values, when only the order differs', () => {
    // GIVEN the env and init container cases WHEN compared THEN one drift per list, git order → live order
    expect(compareObject(load('env-order-dependent-vars', 'desired'), load('env-order-dependent-vars', 'live'))).toEqual([
      {
        path: '/spec/template/spec/containers/0/env',
        op: 'replace',
        desired: ['MINIO_HOST', 'S3_ENDPOINT', 'GOMAXPROCS'],
        live: ['S3_ENDPOINT', 'MINIO_HOST', 'GOMAXPROCS'],
      },
    ]);
    expect(compareObject(load('init-containers-swapped', 'desired'), load('init-containers-swapped', 'live'))).toEqual([
      {
        path: '/spec/template/spec/initContainers',
        op: 'replace',
        desired: ['make-bucket', 'attach-policy'],
        live: ['attach-policy', 'make-bucket'],
      },
    ]);
  });
});

function service(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'grafana', namespace: 'observability' }, spec };
}

describe('fields the API server assigns and keeps on update', () => {
  const livePorts = [
    { name: 'http', port: 80, protocol: 'TCP', targetPort: 3000, nodePort: 31080 },
    { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090, nodePort: 31090 },
  ];
  const liveLoadBalancer = (): KubeObject =>
    service({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      clusterIP: '10.43.0.9',
      clusterIPs: ['10.43.0.9'],
      healthCheckNodePort: 32000,
      ports: clone(livePorts),
    });

  it('a LoadBalancer whose manifest leaves clusterIPs, nodePort and healthCheckNodePort empty is in sync', () => {
    // GIVEN empty allocations in git, allocated values live
    const desired = service({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      clusterIPs: [],
      healthCheckNodePort: 0,
      ports: [
        { name: 'http', port: 80, targetPort: 3000, nodePort: 0 },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    });
    // WHEN compared THEN the server keeps them on update: nothing differs
    expect(compareObject(desired, liveLoadBalancer())).toEqual([]);
  });

  it('an allocated nodePort is not kept where git gives another port that number, nor when the Service stops needing one', () => {
    // GIVEN git moving the live metrics nodePort onto http, leaving metrics empty
    const moved = service({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [
        { name: 'http', port: 80, targetPort: 3000, nodePort: 31090 },
        { name: 'metrics', port: 9090, targetPort: 9090, nodePort: 0 },
      ],
    });
    // WHEN compared THEN both ports differ: the server cannot keep 31090 for metrics
    expect(compareObject(moved, liveLoadBalancer()).map((f) => f.path)).toEqual(['/spec/ports/0/nodePort', '/spec/ports/1/nodePort']);
    // AND a ClusterIP Service with clusterIP "" still differs from a live ExternalName one (no address to keep)
    const externalName = service({ type: 'ExternalName', externalName: 'grafana.example.com' });
    expect(compareObject(service({ type: 'ClusterIP', clusterIP: '' }), externalName).map((f) => f.path)).toContain('/spec/type');
  });
});

describe('order where Kubernetes gives it a meaning', () => {
  it('Service ports reordered live are drift, and so are the rules of a NetworkPolicy (an atomic list)', () => {
    // GIVEN a Service whose ports come back swapped, and a NetworkPolicy whose rules do
    const desired = service({
      ports: [
        { name: 'http', port: 80 },
        { name: 'grpc', port: 9095 },
      ],
    });
    const live = service({
      ports: [
        { name: 'grpc', port: 9095, protocol: 'TCP' },
        { name: 'http', port: 80, protocol: 'TCP' },
      ],
    });
    const policy = (rules: unknown[]): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p' },
      spec: { ingress: rules },
    });
    const rules = [{ ports: [{ port: 3100 }] }, { ports: [{ port: 9095 }] }];
    // WHEN compared THEN both orders are drift (apply restores git's order): ports named by key, rules by git's index
    expect(compareObject(desired, live)).toEqual([
      { path: '/spec/ports', op: 'replace', desired: ['80/TCP', '9095/TCP'], live: ['9095/TCP', '80/TCP'] },
    ]);
    expect(compareObject(policy(rules), policy([...rules].reverse()))).toEqual([
      { path: '/spec/ingress', op: 'replace', desired: [0, 1], live: [1, 0] },
    ]);
  });
});

describe('byte fields compare by the bytes the API server stores', () => {
  const token = Buffer.from('x'.repeat(40) + 'token-value-that-wraps').toString('base64');

  it('ConfigMap binaryData wrapped with CRLF equals the same bytes on one line', () => {
    // GIVEN binaryData wrapped with \r\n in git and on one line live
    const configMap = (value: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'certs' },
      binaryData: { 'ca.der': value },
    });
    // WHEN compared THEN in sync
    expect(compareObject(configMap(`${token.slice(0, 20)}\r\n${token.slice(20)}`), configMap(token))).toEqual([]);
  });

  it('different bytes, and base64 the server would refuse, are drift, redacted', () => {
    // GIVEN a Secret whose value differs by one byte, and one whose base64 has a space
    const secret = (value: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: value } });
    const other = Buffer.from('x'.repeat(40) + 'token-value-that-wrapz').toString('base64');
    // WHEN compared THEN each is a redacted drift with no value
    expect(compareObject(secret(`${other.slice(0, 20)}\n${other.slice(20)}`), secret(token))).toEqual([
      { path: '/data/token', op: 'replace', redacted: true },
    ]);
    expect(compareObject(secret(`${token.slice(0, 20)} ${token.slice(20)}`), secret(token))).toEqual([
      { path: '/data/token', op: 'replace', redacted: true },
    ]);
  });
});

describe('manifests read as kubectl reads them', () => {
  it('merge keys and YAML 1.1 booleans and integers in a manifest equal what the server returns', () => {
    // GIVEN a manifest with an anchor merged into labels, `readOnly: yes` and `1_0` seconds
    const desired = one(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: tail',
        '  labels: &common {app.kubernetes.io/name: alloy, app.kubernetes.io/part-of: observability}',
        '  annotations:',
        '    <<: *common',
        '    example.com/role: tailer',
        'spec:',
        '  terminationGracePeriodSeconds: 1_0',
        '  containers:',
        '    - name: alloy',
        '      image: docker.io/grafana/alloy:v1.18.1',
        '      volumeMounts: [{name: logs, mountPath: /var/log, readOnly: yes}]',
        '  volumes: [{name: logs, hostPath: {path: /var/log}}]',
        '',
      ].join('\n'),
      'pod.yaml',
    );
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'tail',
        labels: { 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/part-of': 'observability' },
        annotations: { 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/part-of': 'observability', 'example.com/role': 'tailer' },
      },
      spec: {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'alloy',
            image: 'docker.io/grafana/alloy:v1.18.1',
            volumeMounts: [{ name: 'logs', mountPath: '/var/log', readOnly: true }],
          },
        ],
        volumes: [{ name: 'logs', hostPath: { path: '/var/log', type: '' } }],
      },
    };
    // WHEN compared THEN in sync
    expect(compareObject(desired, live)).toEqual([]);
  });
});

function hpa(target: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'loki-read', namespace: 'observability' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'loki-read' },
      maxReplicas: 5,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target } }],
    },
  };
}

describe('quantities compare by value where the schema says quantity', () => {
  it('HPA averageValue and value, PVC storage and emptyDir sizeLimit: equal values are in sync', () => {
    // GIVEN quantities written differently in git and live, in fields no list of names ever held
    const claim = (storage: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { resources: { requests: { storage } } },
    });
    const withEmptyDir = (sizeLimit: string): KubeObject => {
      const object = deployment();
      (object['spec'] as { template: { spec: Record<string, unknown> } }).template.spec['volumes'] = [
        { name: 'tmp', emptyDir: { sizeLimit } },
      ];
      return object;
    };
    // WHEN compared THEN each pair is in sync
    expect(compareObject(hpa({ type: 'AverageValue', averageValue: '500m' }), hpa({ type: 'AverageValue', averageValue: '0.5' }))).toEqual(
      [],
    );
    expect(compareObject(hpa({ type: 'Value', value: '1k' }), hpa({ type: 'Value', value: '1000' }))).toEqual([]);
    expect(compareObject(claim('1024Mi'), claim('1Gi'))).toEqual([]);
    expect(compareObject(withEmptyDir('0.5Gi'), withEmptyDir('512Mi'))).toEqual([]);
  });

  it('a different quantity is drift, and a string that is no quantity field compares as text', () => {
    // GIVEN a changed averageValue, and an annotation that happens to read like a quantity
    const annotated = (value: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', annotations: { 'example.com/cpu': value } },
      data: { cpu: value },
    });
    // WHEN compared THEN both are drift
    expect(
      compareObject(hpa({ type: 'AverageValue', averageValue: '500m' }), hpa({ type: 'AverageValue', averageValue: '0.6' })).map(
        (f) => f.path,
      ),
    ).toEqual(['/spec/metrics/0/pods/target/averageValue']);
    expect(compareObject(annotated('1000m'), annotated('1')).map((f) => f.path)).toEqual([
      '/data/cpu',
      '/metadata/annotations/example.com~1cpu',
    ]);
  });

  it("a custom kind's int-or-string quantity field compares by value once its CRD is known", () => {
    // GIVEN a CRD with a controller-gen quantity field, and a custom object written differently live
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'caches.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Cache', plural: 'caches' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      size: {
                        anyOf: [{ type: 'integer' }, { type: 'string' }],
                        pattern:
                          '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
                        'x-kubernetes-int-or-string': true,
                      },
                      name: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const cache = (size: string, name = 'a'): KubeObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Cache',
      metadata: { name: 'c', namespace: 'observability' },
      spec: { size, name },
    });
    // WHEN drift is detected with the CRD among the objects, and without it
    const withCrd = detectDrift([crd, cache('2Gi')], [crd, cache('2048Mi')]);
    const without = detectDrift([cache('2Gi')], [cache('2048Mi')]);
    // THEN only the schema makes them equal; a plain string field never compares by value
    expect(withCrd.modified).toEqual([]);
    expect(without.modified.map((m) => m.fields.map((f) => f.path))).toEqual([['/spec/size']]);
    expect(detectDrift([crd, cache('2Gi', '1k')], [crd, cache('2Gi', '1000')]).modified.map((m) => m.fields.map((f) => f.path))).toEqual([
      ['/spec/name'],
    ]);
  });
});

describe('server-side apply records own exactly the fields they list', () => {
  const withApplyEntry = (live: KubeObject, fieldsV1: Record<string, unknown>): KubeObject => {
    delete live.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    live.metadata['managedFields'] = [
      { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1 },
    ];
    return live;
  };

  it('f:spec as a leaf does not make the server defaults under spec applied by git', () => {
    // GIVEN an argocd-controller Apply entry owning spec and metadata.labels as leaves, with server defaults and a label added live
    const desired = deployment();
    const live = withApplyEntry(applied(desired), { 'f:metadata': { 'f:labels': {} }, 'f:spec': {} });
    (live.metadata.labels as Record<string, string>)['added-by-hand'] = 'yes';
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('a merge-keyed list owned as a leaf does not own the items injected into it', () => {
    // GIVEN an Apply entry owning the containers list as a leaf, and a sidecar injected live
    const desired = deployment();
    const live = withApplyEntry(applied(desired), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {} } } } });
    containers(live).push({ name: 'istio-proxy', image: 'istio/proxyv2:1.27' });
    // WHEN compared THEN the sidecar is not drift
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('a field the entry lists and git no longer has is still drift', () => {
    // GIVEN git dropping spec.paused that the Apply entry lists
    const desired = deployment();
    const live = applied(desired) as KubeObject & { spec: Record<string, unknown> };
    live.spec['paused'] = true;
    withApplyEntry(live, { 'f:spec': { 'f:paused': {} } });
    // WHEN compared THEN paused is drift
    expect(compareObject(desired, live)).toEqual([{ path: '/spec/paused', op: 'add', live: true }]);
  });
});

describe("Argo CD's jqPathExpressions, by real jq", () => {
  const app = (name: string): KubeObject => {
    const object = deployment();
    object.metadata.name = name;
    object.metadata.labels = { 'app.kubernetes.io/name': name };
    return object;
  };
  const drifted = (desired: KubeObject): KubeObject => {
    const live = applied(desired) as KubeObject & { spec: Record<string, unknown> };
    live.spec['replicas'] = 4;
    containers(live).push({ name: 'istio-proxy', image: 'istio/proxyv2:1.27' });
    return live;
  };

  it('select(…).path without a pipe and select(.name | startswith(…)) ignore exactly what they select', () => {
    // GIVEN grafana and loki scaled by hand, both with an injected istio sidecar, and an Application's two rules
    const grafana = app('grafana');
    const loki = app('loki');
    const ignoreDifferences = [
      {
        group: 'apps',
        kind: 'Deployment',
        jqPathExpressions: [
          'select(.metadata.labels["app.kubernetes.io/name"] == "grafana").spec.replicas',
          '.spec.template.spec.containers[] | select(.name | startswith("istio"))',
        ],
        application: 'dev-grafana',
        index: 0,
      },
    ];
    // WHEN drift is detected
    const report = detectDrift([grafana, loki], [drifted(grafana), drifted(loki)], { ignoreDifferences });
    // THEN only loki's replicas are drift; the sidecars are ignored everywhere; no warning
    expect(report.warnings).toEqual([]);
    expect(report.modified.map((m) => [m.object.name, m.fields.map((f) => f.path)])).toEqual([['loki', ['/spec/replicas']]]);
  });

  it("an Application's rules apply to the objects Argo CD tracks for it, not to another Application's", () => {
    // GIVEN grafana tracked by dev-grafana and loki by dev-loki, both scaled by hand, and dev-grafana's rule ignoring replicas
    const grafana = app('grafana');
    const loki = app('loki');
    const scaled = (desired: KubeObject, application: string): KubeObject => {
      const live = applied(desired, application) as KubeObject & { spec: Record<string, unknown> };
      live.spec['replicas'] = 4;
      return live;
    };
    const ignoreDifferences = [
      {
        group: 'apps',
        kind: 'Deployment',
        jsonPointers: ['/spec/replicas'],
        jqPathExpressions: ['.spec.replicas'],
        application: 'dev-grafana',
        index: 0,
      },
    ];
    // WHEN drift is detected
    const report = detectDrift([grafana, loki], [scaled(grafana, 'dev-grafana'), scaled(loki, 'dev-loki')], { ignoreDifferences });
    // THEN loki's replicas are still drift
    expect(report.modified.map((m) => [m.object.name, m.fields.map((f) => f.path)])).toEqual([['loki', ['/spec/replicas']]]);
  });

  it('a rule that runs past its time limit is a warning, and the environment is still compared', () => {
    // GIVEN an endless rule and a hand-scaled Deployment
    const grafana = app('grafana');
    const ignoreDifferences = [
      { kind: 'Deployment', group: 'apps', jqPathExpressions: ['until(false; .)'], application: 'dev-grafana', index: 2 },
    ];
    // WHEN drift is detected with a short limit
    const report = detectDrift([grafana], [drifted(grafana)], { ignoreDifferences, jqTimeoutMs: 200 });
    // THEN the warning names the Application, the rule and the object; replicas are still drift
    expect(report.warnings?.map((w) => [w.application, w.rule, w.object?.name, w.reason])).toEqual([
      ['dev-grafana', 'ignoreDifferences[2].jqPathExpressions[0]', 'grafana', 'timed out after 200 ms'],
    ]);
    expect(report.modified.map((m) => m.fields.map((f) => f.path))).toEqual([['/spec/replicas']]);
    // AND every report format says so
    const line = 'Application dev-grafana ignoreDifferences[2].jqPathExpressions[0]';
    expect(formatDriftText(report, 'dev')).toContain(`${line} until(false; .) on Deployment observability/grafana: timed out after 200 ms`);
    expect(formatDriftMarkdown(report, 'dev')).toContain(line);
    expect(JSON.stringify(driftJson(report))).toContain('"rule":"ignoreDifferences[2].jqPathExpressions[0]"');
  });

  it("a rule failing on a Secret never quotes jq's words, which may hold the value", () => {
    // GIVEN a rule that makes jq quote a Secret's base64 value in its error
    const value = Buffer.from('s3cr3t-password-value').toString('base64');
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'grafana-admin', namespace: 'observability' },
      data: { password: value },
    };
    const ignoreDifferences = [{ kind: 'Secret', jqPathExpressions: ['.data.password | tonumber'] }];
    // WHEN drift is detected
    const report = detectDrift([secret], [clone(secret)], { ignoreDifferences });
    // THEN the warning is there, without the value
    expect(report.warnings).toHaveLength(1);
    expect(JSON.stringify(report.warnings)).not.toContain(value);
    expect(formatDriftText(report, 'dev')).not.toContain(value);
  });
});
