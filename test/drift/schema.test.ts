/**
 * Drift read with the kind's schema (tools/kube/api-fields.ts): the order of an atomic list counts,
 * as server-side apply puts back git's list in git's order; a set's order does not; a false, 0 or
 * "" git sets in a pointer field (or a map entry, or a custom resource) is a value the server keeps,
 * so another manager removing it is drift, while a zero of a non-pointer field is stored as absent.
 */
import { describe, expect, it } from 'vitest';
import { compareObject } from '../../tools/drift/compare.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { applied, clone, containers, customResourceDefinition, deployment } from './support.ts';

type Body = Record<string, any>;

function object(apiVersion: string, kind: string, body: Body, metadata: Body = {}): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'observability', ...metadata }, ...body };
}

const RULES = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { nonResourceURLs: ['/metrics'], verbs: ['get'] },
];

function policy(egress: Body[]): KubeObject {
  return object('networking.k8s.io/v1', 'NetworkPolicy', { spec: { podSelector: {}, policyTypes: ['Egress'], egress } });
}

const DNS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const MINIO = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'minio' } } };

describe("atomic lists: their order is drift, since apply restores git's order", () => {
  it("ClusterRole rules in another order are one order drift, named by git's indices", () => {
    // GIVEN a ClusterRole whose rules another manager rotated
    const desired = object('rbac.authorization.k8s.io/v1', 'ClusterRole', { rules: RULES }, { namespace: undefined });
    const live = clone(desired) as Body;
    live['rules'].push(live['rules'].shift());
    // WHEN compared THEN the list's order is the one drift
    expect(compareObject(desired, live as KubeObject)).toEqual([{ path: '/rules', op: 'replace', desired: [0, 1, 2], live: [1, 2, 0] }]);
  });

  it("a Role's rules, NetworkPolicy peers and ports and an egress rule list: each reorder is drift at its own list", () => {
    // GIVEN a Role with swapped rules and a NetworkPolicy with swapped peers, ports and rules
    const role = object('rbac.authorization.k8s.io/v1', 'Role', { rules: RULES.slice(0, 2) });
    const liveRole = clone(role) as Body;
    liveRole['rules'].reverse();
    const desired = policy([
      {
        to: [DNS, MINIO],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      { ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    const peers = clone(desired) as Body;
    peers['spec'].egress[0].to.reverse();
    const ports = clone(desired) as Body;
    ports['spec'].egress[0].ports.reverse();
    const rules = clone(desired) as Body;
    rules['spec'].egress.reverse();
    // WHEN compared THEN each is drift at the list that moved
    expect(compareObject(role, liveRole as KubeObject)).toEqual([{ path: '/rules', op: 'replace', desired: [0, 1], live: [1, 0] }]);
    expect(compareObject(desired, peers as KubeObject)).toEqual([
      { path: '/spec/egress/0/to', op: 'replace', desired: [0, 1], live: [1, 0] },
    ]);
    expect(compareObject(desired, ports as KubeObject)).toEqual([
      { path: '/spec/egress/0/ports', op: 'replace', desired: [0, 1], live: [1, 0] },
    ]);
    expect(compareObject(desired, rules as KubeObject)).toEqual([{ path: '/spec/egress', op: 'replace', desired: [0, 1], live: [1, 0] }]);
  });

  it("a container's envFrom and args in another order are drift", () => {
    // GIVEN a Deployment whose envFrom and args come back reversed
    const desired = deployment();
    containers(desired)[0]!['envFrom'] = [{ configMapRef: { name: 'a' } }, { secretRef: { name: 'b' } }];
    const live = applied(desired);
    (containers(live)[0]!['envFrom'] as unknown[]).reverse();
    (containers(live)[1]!['args'] as unknown[]).reverse();
    // WHEN compared THEN both lists are drift (envFrom's order as one drift, args item by item)
    expect(compareObject(desired, live).map((f) => f.path)).toEqual([
      '/spec/template/spec/containers/0/envFrom',
      '/spec/template/spec/containers/1/args/0',
      '/spec/template/spec/containers/1/args/1',
    ]);
  });

  it("a custom resource's list is atomic without a CRD, and keyed by the list-map keys its CRD declares", () => {
    // GIVEN an ExternalSecret whose data entries come back swapped, with and without a CRD that keys them
    const data = [
      { secretKey: 'user', remoteRef: { key: 'minio', property: 'user' } },
      { secretKey: 'password', remoteRef: { key: 'minio', property: 'password' } },
    ];
    const desired = object('external-secrets.io/v1', 'ExternalSecret', {
      spec: { secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, data },
    });
    const live = clone(desired) as Body;
    live['spec'].data.reverse();
    const keyed = customResourceDefinition('external-secrets.io', 'ExternalSecret', {
      data: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['secretKey'], items: { type: 'object' } },
    });
    // WHEN compared without the CRD, and with one that makes data a map list
    // THEN the order is drift both times: named by index, then by key
    expect(compareObject(desired, live as KubeObject)).toEqual([{ path: '/spec/data', op: 'replace', desired: [0, 1], live: [1, 0] }]);
    expect(compareObject(desired, live as KubeObject, { customResourceDefinitions: [keyed] })).toEqual([
      { path: '/spec/data', op: 'replace', desired: ['user', 'password'], live: ['password', 'user'] },
    ]);
  });

  it('a changed item of a reordered atomic list is reported at its git index, with the order', () => {
    // GIVEN rules rotated live and the (git) second rule's verbs changed
    const desired = object('rbac.authorization.k8s.io/v1', 'ClusterRole', { rules: RULES }, { namespace: undefined });
    const live = clone(desired) as Body;
    live['rules'].push(live['rules'].shift());
    live['rules'][0].verbs = ['get', 'list'];
    // WHEN compared THEN the value and the order are both drift
    expect(compareObject(desired, live as KubeObject)).toEqual([
      { path: '/rules', op: 'replace', desired: [0, 1, 2], live: [1, 2, 0] },
      { path: '/rules/1/verbs/1', op: 'add', live: 'list' },
    ]);
  });

  it("sets stay unordered: finalizers and a CSIDriver's volumeLifecycleModes in another order are in sync", () => {
    // GIVEN two x-kubernetes-list-type: set lists come back reversed
    const pvc = object(
      'v1',
      'PersistentVolumeClaim',
      { spec: { resources: { requests: { storage: '1Gi' } } } },
      { finalizers: ['a.example.com/x', 'b.example.com/y'] },
    );
    const livePvc = clone(pvc);
    (livePvc.metadata['finalizers'] as string[]).reverse();
    const driver = object(
      'storage.k8s.io/v1',
      'CSIDriver',
      { spec: { volumeLifecycleModes: ['Persistent', 'Ephemeral'] } },
      { namespace: undefined },
    );
    const liveDriver = clone(driver) as Body;
    liveDriver['spec'].volumeLifecycleModes.reverse();
    // WHEN compared THEN nothing differs
    expect(compareObject(pvc, livePvc)).toEqual([]);
    expect(compareObject(driver, liveDriver as KubeObject)).toEqual([]);
  });

  it('Endpoints subsets, addresses and ports in another order stay in sync: Argo CD sorts them on both sides', () => {
    // GIVEN Endpoints with two subsets, each with addresses and ports, all reversed live
    const subset = (n: number): Body => ({
      addresses: [{ ip: `10.0.${n}.1` }, { ip: `10.0.${n}.2` }],
      notReadyAddresses: [{ ip: `10.0.${n}.8` }, { ip: `10.0.${n}.9` }],
      ports: [
        { name: 'a', port: 80, protocol: 'TCP' },
        { name: 'b', port: 81, protocol: 'TCP' },
      ],
    });
    const desired = object('v1', 'Endpoints', { subsets: [subset(1), subset(2)] });
    const live = clone(desired) as Body;
    live['subsets'].reverse();
    for (const s of live['subsets']) for (const list of ['addresses', 'notReadyAddresses', 'ports']) s[list].reverse();
    // WHEN compared THEN nothing differs
    expect(compareObject(desired, live as KubeObject)).toEqual([]);
  });
});

describe('zeros: a pointer field keeps false, 0 and "", a non-pointer field does not', () => {
  function podWith(securityContext: Body, spec: Body = {}): KubeObject {
    const desired = deployment();
    containers(desired)[0]!['securityContext'] = securityContext;
    Object.assign((desired['spec'] as Body)['template'].spec, spec);
    return desired;
  }

  it('securityContext.allowPrivilegeEscalation: false removed by another manager is drift', () => {
    // GIVEN git setting allowPrivilegeEscalation false and a live container without it
    const desired = podWith({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    const live = applied(desired);
    delete (containers(live)[0]!['securityContext'] as Body)['allowPrivilegeEscalation'];
    // WHEN compared THEN the removal is drift
    expect(compareObject(desired, live)).toEqual([
      { path: '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation', op: 'remove', desired: false },
    ]);
  });

  it('siblings: runAsUser 0, runAsNonRoot false, automountServiceAccountToken false and an empty pointer struct removed are drift', () => {
    // GIVEN zeros in pointer fields of a pod template and of a ServiceAccount, each removed live
    const desired = podWith(
      { runAsUser: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
      { automountServiceAccountToken: false, securityContext: { runAsGroup: 0 } },
    );
    const live = applied(desired);
    const sc = containers(live)[0]!['securityContext'] as Body;
    delete sc['runAsUser'];
    delete sc['runAsNonRoot'];
    const podSpec = (live['spec'] as Body)['template'].spec;
    delete podSpec['automountServiceAccountToken'];
    podSpec['securityContext'] = {};
    const account = object('v1', 'ServiceAccount', { automountServiceAccountToken: false });
    const liveAccount = clone(account) as Body;
    delete liveAccount['automountServiceAccountToken'];
    // WHEN compared THEN each removal is drift
    expect(compareObject(desired, live).map((f) => `${f.op} ${f.path}`)).toEqual([
      'remove /spec/template/spec/automountServiceAccountToken',
      'remove /spec/template/spec/containers/0/securityContext/runAsNonRoot',
      'remove /spec/template/spec/containers/0/securityContext/runAsUser',
      'remove /spec/template/spec/securityContext/runAsGroup',
    ]);
    expect(compareObject(account, liveAccount as KubeObject)).toEqual([
      { path: '/automountServiceAccountToken', op: 'remove', desired: false },
    ]);
  });

  it('a label or ConfigMap key whose value is "" and a custom resource\'s false, removed live, are drift', () => {
    // GIVEN an empty label, an empty ConfigMap value and a custom resource's false, each gone live
    const config = object('v1', 'ConfigMap', { data: { empty: '', full: 'x' } }, { labels: { 'example.com/flag': '' } });
    const liveConfig = clone(config) as Body;
    delete liveConfig['data'].empty;
    delete liveConfig['metadata'].labels;
    const custom = object('example.com/v1', 'Widget', { spec: { enabled: false, size: 0 } });
    const liveCustom = clone(custom) as Body;
    delete liveCustom['spec'].enabled;
    // WHEN compared THEN each is drift
    expect(compareObject(config, liveConfig as KubeObject).map((f) => `${f.op} ${f.path}`)).toEqual([
      'remove /data/empty',
      'remove /metadata/labels/example.com~1flag',
    ]);
    expect(compareObject(custom, liveCustom as KubeObject)).toEqual([{ path: '/spec/enabled', op: 'remove', desired: false }]);
  });

  it("zeros of non-pointer fields the server stores as absent stay in sync: hostNetwork, a mount's readOnly, minReadySeconds, an empty list", () => {
    // GIVEN git writing zeros into non-pointer fields, and a live object without them
    const desired = podWith({}, { hostNetwork: false, tolerations: [] });
    (desired['spec'] as Body)['minReadySeconds'] = 0;
    const live = applied(desired);
    const podSpec = (live['spec'] as Body)['template'].spec;
    delete podSpec['hostNetwork'];
    delete podSpec['tolerations'];
    delete (live['spec'] as Body)['minReadySeconds'];
    // WHEN compared THEN nothing differs (the volumeMount readOnly: false is dropped by applied())
    expect(compareObject(desired, live)).toEqual([]);
  });

  it('a Secret key that is "" in git and null live is in sync: the server prints the empty bytes it stored as null', () => {
    // GIVEN a Secret with an empty value that comes back null, and one whose key is gone
    const secret = object('v1', 'Secret', { data: { empty: '' } });
    const live = clone(secret) as Body;
    live['data'].empty = null;
    const gone = clone(secret) as Body;
    gone['data'] = { other: 'eA==' };
    // WHEN compared THEN the null is in sync and the missing key is drift
    expect(compareObject(secret, live as KubeObject)).toEqual([]);
    expect(compareObject(secret, gone as KubeObject).map((f) => `${f.op} ${f.path}`)).toContain('remove /data/empty');
  });
});
