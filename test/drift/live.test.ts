import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeObject, type KubeObject } from '../../tools/kube/object.ts';
import { KubeConfigError, loadKubeConfig } from '../../tools/drift/kubeconfig.ts';
import { listTargetsFor, readLive, type ListTarget } from '../../tools/drift/live.ts';
import { FakeKubeApiServer, parseLabelSelector, type RecordedRequest } from '../fixtures/kube-api-server.ts';

const TOKEN = 'drift-reader-token-0123456789';
const SELECTOR = 'app.kubernetes.io/part-of=observability';
const PART_OF = { 'app.kubernetes.io/part-of': 'observability' };
// Far below the fake server's hang (60 s), far above a loaded machine's answer time: a slow CI box must not look like a hung server.
const TIMEOUT_MS = 5_000;

function object(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  labels: Record<string, string> = PART_OF,
  fields: Record<string, unknown> = {},
): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), labels }, ...fields };
}

const grafana = object(
  'apps/v1',
  'Deployment',
  'grafana',
  'observability',
  { ...PART_OF, 'app.kubernetes.io/name': 'grafana' },
  {
    spec: { replicas: 1, futureField: 'unknown to client-node models' },
    status: { readyReplicas: 1 },
  },
);

const BULK = 1_200;
const bulkNames = Array.from({ length: BULK }, (_, i) => `cm-${String(i).padStart(4, '0')}`);

const SEED: KubeObject[] = [
  grafana,
  object('apps/v1', 'Deployment', 'loki-gateway', 'observability'),
  object('apps/v1', 'Deployment', 'debug-shell', 'observability', { team: 'sre' }),
  object('apps/v1', 'Deployment', 'coredns', 'kube-system'),
  object('apps/v1', 'StatefulSet', 'minio', 'observability'),
  object('apps/v1', 'StatefulSet', 'loki', 'observability'),
  object('v1', 'Service', 'loki', 'observability'),
  object('v1', 'Service', 'grafana', 'observability'),
  object('v1', 'Secret', 'grafana-admin', 'observability', PART_OF, { data: { password: 'aHVudGVyMg==' } }),
  object('networking.k8s.io/v1', 'NetworkPolicy', 'default-deny', 'observability'),
  object('networking.k8s.io/v1', 'Ingress', 'grafana', 'observability'),
  object('policy/v1', 'PodDisruptionBudget', 'loki', 'observability'),
  object('scheduling.k8s.io/v1', 'PriorityClass', 'observability-high', undefined, PART_OF, { value: 1000 }),
  object('scheduling.k8s.io/v1', 'PriorityClass', 'system-cluster-critical', undefined, {}, { value: 2000000000 }),
  object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'drift-reader', undefined),
  object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'admin', undefined, {}),
  object('argoproj.io/v1alpha1', 'Application', 'dev-loki', 'argocd'),
  ...bulkNames.map((name) => object('v1', 'ConfigMap', name, 'bulk')),
  ...Array.from({ length: 30 }, (_, i) => object('v1', 'ConfigMap', `unrelated-${i}`, 'bulk', { team: 'sre' })),
];

const deployments: ListTarget = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'observability' };

let directory: string;

async function writeKubeconfig(name: string, text: string): Promise<string> {
  const file = join(directory, name);
  await writeFile(file, text);
  return file;
}

function listRequests(requests: readonly RecordedRequest[], path: string): RecordedRequest[] {
  return requests.filter((request) => request.path === path);
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'drift-live-test-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readLive against a Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let url: string;
  let kubeconfig: string;

  beforeAll(async () => {
    // GIVEN an API server holding the stack, unrelated objects and 1,230 ConfigMaps, with faults on some resources
    server = new FakeKubeApiServer({
      objects: SEED,
      token: TOKEN,
      faults: [
        { resource: 'secrets', namespace: 'observability', status: 403 },
        { resource: 'networkpolicies', group: 'networking.k8s.io', status: 500 },
        { resource: 'ingresses', group: 'networking.k8s.io', status: 404 },
        { resource: 'poddisruptionbudgets', group: 'policy', delayMs: 60_000 },
      ],
    });
    url = await server.start();
    kubeconfig = await writeKubeconfig('fake.yaml', server.kubeconfigYaml(TOKEN));
  });

  afterAll(async () => {
    await server.stop();
  });

  it('returns exactly the label-selected objects of each kind and namespace, with apiVersion and kind filled in', async () => {
    // GIVEN targets of namespaced and cluster-scoped kinds, in no particular order
    const targets: ListTarget[] = [
      { apiVersion: 'v1', kind: 'Service', namespace: 'observability' },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' },
      deployments,
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'observability' },
    ];

    // WHEN the live state is read through the kubeconfig
    const live = await readLive(loadKubeConfig({ kubeconfig }), targets, { labelSelector: SELECTOR, timeoutMs: TIMEOUT_MS });

    // THEN only the selected objects of those namespaces come back, sorted by kind, namespace and name
    expect(live.failures).toEqual([]);
    expect(live.objects.map(describeObject)).toEqual([
      'Application argocd/dev-loki',
      'ClusterRole drift-reader',
      'Deployment observability/grafana',
      'Deployment observability/loki-gateway',
      'PriorityClass observability-high',
      'Service observability/grafana',
      'Service observability/loki',
      'StatefulSet observability/loki',
      'StatefulSet observability/minio',
    ]);
    // AND each carries its target's apiVersion and kind, which the LIST items lacked
    for (const item of live.objects) {
      const target = targets.find((candidate) => candidate.kind === item.kind);
      expect(item.apiVersion).toBe(target?.apiVersion);
      expect(item.metadata.labels).toMatchObject(PART_OF);
    }
    // AND an object is the server's JSON as sent: fields unknown to client-node's models and timestamps as strings
    expect(live.objects.find((item) => item.kind === 'Deployment' && item.metadata.name === 'grafana')).toEqual({
      ...grafana,
      metadata: {
        ...grafana.metadata,
        uid: expect.any(String),
        resourceVersion: expect.any(String),
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
    });
  });

  it('reads more than 1,000 objects across pages by following continue', async () => {
    // GIVEN a page size far below the number of selected ConfigMaps
    const before = server.requests.length;

    // WHEN the ConfigMaps of namespace bulk are read
    const live = await readLive(loadKubeConfig({ kubeconfig }), [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'bulk' }], {
      labelSelector: SELECTOR,
      pageSize: 100,
      timeoutMs: TIMEOUT_MS,
    });

    // THEN every selected ConfigMap is read once, and none of the unrelated ones
    expect(live.failures).toEqual([]);
    expect(live.objects.map((item) => item.metadata.name)).toEqual(bulkNames);
    expect(live.objects.every((item) => item.apiVersion === 'v1' && item.kind === 'ConfigMap')).toBe(true);
    // AND the server saw one chain of 12 LISTs: the first without continue, each next one with the token it was given
    const lists = listRequests(server.requests.slice(before), '/api/v1/namespaces/bulk/configmaps');
    expect(lists).toHaveLength(BULK / 100);
    expect(lists[0]?.query).toEqual({ labelSelector: SELECTOR, limit: '100' });
    for (const request of lists.slice(1)) {
      expect(request.query).toEqual({ labelSelector: SELECTOR, limit: '100', continue: expect.stringMatching(/.+/) });
    }
    expect(new Set(lists.slice(1).map((request) => request.query['continue'])).size).toBe(lists.length - 1);
  });

  it('makes one LIST chain per target, one discovery per group version, and no GET of an object', async () => {
    // GIVEN a server that answers a GET of a single object (so the log would show one)
    const get = await fetch(`${url}/apis/apps/v1/namespaces/observability/deployments/grafana`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(((await get.json()) as KubeObject).metadata.name).toBe('grafana');
    const before = server.requests.length;

    // WHEN five targets over three group versions are read
    const targets: ListTarget[] = [
      deployments,
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'observability' },
      { apiVersion: 'v1', kind: 'Service', namespace: 'observability' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
    ];
    await readLive(loadKubeConfig({ kubeconfig }), targets, { labelSelector: SELECTOR, timeoutMs: TIMEOUT_MS });

    // THEN the log holds exactly one discovery per group version and one LIST per target, all GETs of collections
    const requests = server.requests.slice(before);
    expect(requests.every((request) => request.method === 'GET')).toBe(true);
    expect(requests.map((request) => request.path).sort()).toEqual(
      [
        '/api/v1',
        '/apis/apps/v1',
        '/apis/rbac.authorization.k8s.io/v1',
        '/api/v1/namespaces/observability/services',
        '/apis/apps/v1/namespaces/kube-system/deployments',
        '/apis/apps/v1/namespaces/observability/deployments',
        '/apis/apps/v1/namespaces/observability/statefulsets',
        '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      ].sort(),
    );
    expect(requests.filter((request) => request.query['labelSelector'] === SELECTOR)).toHaveLength(targets.length);
  });

  it('reports 403, 404, 500 and a timeout per target while still reading the others', async () => {
    // GIVEN targets the server refuses, does not serve, fails on, or answers too late, around one it serves
    const targets: ListTarget[] = [
      { apiVersion: 'v1', kind: 'Secret', namespace: 'observability' },
      deployments,
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'observability' },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'observability' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'observability' },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', namespace: 'observability' },
      { apiVersion: 'apps/v1', kind: 'Rollout', namespace: 'observability' },
    ];

    // WHEN they are read with a short request timeout
    const live = await readLive(loadKubeConfig({ kubeconfig }), targets, { labelSelector: SELECTOR, timeoutMs: TIMEOUT_MS });

    // THEN each failing target has its status and a one-line reason, in target order
    expect(live.failures).toEqual([
      {
        target: targets[0],
        status: 403,
        reason: '403 Forbidden: the drift reader may not list Secret (v1) in namespace observability; grant get and list on it in its Role',
      },
      { target: targets[2], status: 500, reason: '500 Internal Server Error: Internal error occurred: etcdserver: request timed out' },
      { target: targets[3], reason: `timeout after ${TIMEOUT_MS / 1000}s` },
      { target: targets[4], status: 404, reason: '404: Ingress (networking.k8s.io/v1) is not served by this cluster' },
      { target: targets[5], status: 404, reason: '404: ServiceMonitor (monitoring.coreos.com/v1) is not served by this cluster' },
      {
        target: targets[6],
        status: 404,
        reason: '404: Rollout (apps/v1) is not served by this cluster (discovery of apps/v1 lists no kind Rollout)',
      },
    ]);
    expect(live.failures.every((failure) => !failure.reason.includes('\n'))).toBe(true);
    // AND the target the server serves is read in full
    expect(live.objects.map(describeObject)).toEqual(['Deployment observability/grafana', 'Deployment observability/loki-gateway']);
  });

  it('reports 401 for every target when the token is refused, without showing any token', async () => {
    // GIVEN a kubeconfig whose token the server does not accept
    const wrongToken = 'stale-token-9876543210';
    const stale = await writeKubeconfig('stale.yaml', server.kubeconfigYaml(wrongToken));

    // WHEN two targets are read
    const live = await readLive(
      loadKubeConfig({ kubeconfig: stale }),
      [deployments, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' }],
      {
        timeoutMs: TIMEOUT_MS,
      },
    );

    // THEN both fail with 401 and a hint at the credentials, and neither token appears
    const host = new URL(url).host;
    expect(live.objects).toEqual([]);
    expect(live.failures.map(({ status, reason }) => ({ status, reason }))).toEqual([
      { status: 401, reason: `401 Unauthorized: check the kubeconfig's credentials for ${host}` },
      { status: 401, reason: `401 Unauthorized: check the kubeconfig's credentials for ${host}` },
    ]);
    expect(JSON.stringify(live)).not.toContain(wrongToken);
    expect(JSON.stringify(live)).not.toContain(TOKEN);
  });

  it('switches to the context it is given', async () => {
    // GIVEN the kubeconfig's second context, whose user the server does not know
    // WHEN it is selected and read through
    const live = await readLive(loadKubeConfig({ kubeconfig, context: 'other' }), [deployments], { timeoutMs: TIMEOUT_MS });

    // THEN the requests carried that context's credentials
    expect(live.failures.map((failure) => failure.status)).toEqual([401]);
  });
});

describe('readLive concurrency', () => {
  const namespaces = ['ns-a', 'ns-b', 'ns-c', 'ns-d'];
  const targets: ListTarget[] = namespaces.map((namespace) => ({ apiVersion: 'v1', kind: 'ServiceAccount', namespace }));
  const accounts = namespaces.map((namespace) => object('v1', 'ServiceAccount', 'reader', namespace));

  it('has four targets in flight at once by default', async () => {
    // GIVEN a server that answers the ServiceAccount LISTs only once four of them are waiting
    const server = new FakeKubeApiServer({ objects: accounts, faults: [{ resource: 'serviceaccounts', barrier: 4 }] });
    await server.start();
    const kubeconfig = await writeKubeconfig('barrier.yaml', server.kubeconfigYaml(TOKEN));

    // WHEN four targets are read with the default concurrency
    const live = await readLive(loadKubeConfig({ kubeconfig }), targets, { timeoutMs: 5_000 });
    await server.stop();

    // THEN all four were answered, so all four LISTs were open together
    expect(live.failures).toEqual([]);
    expect(live.objects.map(describeObject)).toEqual(namespaces.map((namespace) => `ServiceAccount ${namespace}/reader`));
    expect(server.maxInFlight).toBe(4);
  });

  it('keeps to the concurrency it is given', async () => {
    // GIVEN the same server without the barrier
    const server = new FakeKubeApiServer({ objects: accounts });
    await server.start();
    const kubeconfig = await writeKubeconfig('sequential.yaml', server.kubeconfigYaml(TOKEN));

    // WHEN the targets are read one at a time
    const live = await readLive(loadKubeConfig({ kubeconfig }), targets, { concurrency: 1, timeoutMs: TIMEOUT_MS });
    await server.stop();

    // THEN every object is read and the server never had two requests open
    expect(live.objects).toHaveLength(namespaces.length);
    expect(server.maxInFlight).toBe(1);
  });
});

describe('readLive against a server that does not answer', () => {
  it('turns a hang in discovery into a timeout per target, with one discovery per group version', async () => {
    // GIVEN a server whose discovery never answers in time
    const server = new FakeKubeApiServer({ discoveryDelayMs: 60_000 });
    await server.start();
    const kubeconfig = await writeKubeconfig('hung.yaml', server.kubeconfigYaml(TOKEN));

    // WHEN two kinds of one group version and one of another are read
    const targets: ListTarget[] = [
      deployments,
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'observability' },
      { apiVersion: 'v1', kind: 'Service', namespace: 'observability' },
    ];
    const live = await readLive(loadKubeConfig({ kubeconfig }), targets, { timeoutMs: TIMEOUT_MS });
    await server.stop();

    // THEN each target fails with the timeout and the request that ran out of time, and discovery was not repeated
    expect(live.failures).toEqual([
      { target: targets[0], reason: `timeout after ${TIMEOUT_MS / 1000}s (discovery of apps/v1)` },
      { target: targets[1], reason: `timeout after ${TIMEOUT_MS / 1000}s (discovery of apps/v1)` },
      { target: targets[2], reason: `timeout after ${TIMEOUT_MS / 1000}s (discovery of v1)` },
    ]);
    expect(server.requests.map((request) => request.path).sort()).toEqual(['/api/v1', '/apis/apps/v1']);
  });

  it('reports a refused connection per target', async () => {
    // GIVEN a kubeconfig for a server that has stopped listening
    const server = new FakeKubeApiServer();
    const url = await server.start();
    const kubeconfig = await writeKubeconfig('gone.yaml', server.kubeconfigYaml(TOKEN));
    await server.stop();

    // WHEN a target is read
    const live = await readLive(loadKubeConfig({ kubeconfig }), [deployments], { timeoutMs: TIMEOUT_MS });

    // THEN it fails with a network reason naming the server, and no status
    expect(live.failures).toHaveLength(1);
    expect(live.failures[0]?.status).toBeUndefined();
    expect(live.failures[0]?.reason).toMatch(new RegExp(`^connection refused by ${new URL(url).host}`));
  });
});

describe('loadKubeConfig', () => {
  let server: FakeKubeApiServer;
  let url: string;
  let kubeconfig: string;

  beforeAll(async () => {
    server = new FakeKubeApiServer();
    url = await server.start();
    kubeconfig = await writeKubeconfig('contexts.yaml', server.kubeconfigYaml(TOKEN));
  });

  afterAll(async () => {
    await server.stop();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses an unknown context with a typed error naming it and the available ones', () => {
    // WHEN a context the kubeconfig does not define is asked for
    const load = () => loadKubeConfig({ kubeconfig, context: 'prod' });

    // THEN the error says which, and what there is
    expect(load).toThrow(KubeConfigError);
    expect(load).toThrow(`kubeconfig ${kubeconfig}: context "prod" not found; available contexts: "fake", "other"`);
  });

  it('names a missing file', () => {
    const missing = join(directory, 'missing.yaml');
    expect(() => loadKubeConfig({ kubeconfig: missing })).toThrow(`kubeconfig ${missing}: cannot be loaded: file not found`);
  });

  it('reports invalid YAML by line without quoting the file', async () => {
    // GIVEN a broken kubeconfig that holds a token
    const broken = await writeKubeconfig('broken.yaml', `users:\n- name: a\n  user:\n    token: ${TOKEN}\n   bad: [\n`);

    // WHEN it is loaded
    let error: unknown;
    try {
      loadKubeConfig({ kubeconfig: broken });
    } catch (caught) {
      error = caught;
    }

    // THEN the error is typed, names the file and a line, and carries no token, not even in a cause
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^kubeconfig ${broken}: invalid YAML at line \\d+`));
    expect((error as Error).message).not.toContain(TOKEN);
    expect((error as Error).cause).toBeUndefined();
  });

  it('follows KUBECONFIG when no file is given', () => {
    // GIVEN KUBECONFIG naming the kubeconfig
    vi.stubEnv('KUBECONFIG', kubeconfig);

    // WHEN loading by the default rules
    const loaded = loadKubeConfig({});

    // THEN its current context and cluster are in use
    expect(loaded.getCurrentContext()).toBe('fake');
    expect(loaded.getCurrentCluster()?.server).toBe(url);
  });

  it.skipIf(existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token'))(
    'refuses to fall back to localhost when nothing is configured',
    async () => {
      // GIVEN no KUBECONFIG and a home without ~/.kube/config
      vi.stubEnv('KUBECONFIG', '');
      vi.stubEnv('HOME', await mkdtemp(join(directory, 'home-')));

      // WHEN loading by the default rules
      // THEN a typed error says where a kubeconfig is looked for
      expect(() => loadKubeConfig({})).toThrow(KubeConfigError);
      expect(() => loadKubeConfig({})).toThrow(/none found: set KUBECONFIG, create ~\/.kube\/config/);
    },
  );
});

describe('listTargetsFor', () => {
  it('gives the distinct kinds and namespaces of the desired objects, cluster-scoped without a namespace, sorted', () => {
    // GIVEN desired objects repeating kinds across namespaces, and a cluster-scoped kind
    const desired = [
      object('v1', 'Service', 'loki', 'observability'),
      object('apps/v1', 'StatefulSet', 'loki', 'observability'),
      object('v1', 'Service', 'grafana', 'observability'),
      object('scheduling.k8s.io/v1', 'PriorityClass', 'observability-high', undefined),
      object('v1', 'Service', 'argocd-server', 'argocd'),
      object('apps/v1', 'StatefulSet', 'minio', 'observability'),
    ];

    // WHEN the targets are derived
    // THEN each (apiVersion, kind, namespace) appears once, sorted by kind, apiVersion and namespace
    expect(listTargetsFor(desired)).toEqual([
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' },
      { apiVersion: 'v1', kind: 'Service', namespace: 'argocd' },
      { apiVersion: 'v1', kind: 'Service', namespace: 'observability' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'observability' },
    ]);
  });
});

describe('the fake API server label selectors', () => {
  const labels = { app: 'loki', tier: 'backend', legacy: '' };

  it.each([
    ['app=loki', true],
    ['app==loki', true],
    ['app!=loki', false],
    ['app!=grafana', true],
    ['missing!=x', true],
    ['app in (loki, grafana)', true],
    ['app notin (loki)', false],
    ['missing notin (loki)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=loki,tier in (backend),!missing', true],
    ['app=loki,tier=frontend', false],
    ['', true],
  ])('%j matches %s', (selector, expected) => {
    // WHEN a selector is parsed and applied to one label set
    // THEN it matches as the API server's would
    expect(parseLabelSelector(selector).every((requirement) => requirement(labels))).toBe(expected);
  });

  it('rejects a malformed selector', () => {
    expect(() => parseLabelSelector('app=(loki')).toThrow(/unable to parse requirement/);
  });
});
