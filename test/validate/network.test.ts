import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tools/kube/object.ts';
import { byKey } from '../../tools/kube/order.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import {
  allowedFlows,
  compareFlows,
  EndpointError,
  formatMatrix,
  matrixJson,
  networkFindings,
  type Endpoint,
  type Flow,
  type Protocol,
} from '../../tools/validate/network.ts';

// The prod shape of the stack: Loki split into read / write / backend, MinIO with its bucket Job.
const NAME = 'app.kubernetes.io/name';
const COMPONENT = 'app.kubernetes.io/component';
const WORKLOADS = ['minio', 'minio-bucket-setup', 'loki-read', 'loki-write', 'loki-backend', 'alloy', 'grafana'] as const;

const pod = (id: string, namespace: string, podLabels: Record<string, string>, ip: string, ports: Endpoint['ports']): Endpoint => ({
  id,
  namespace,
  podLabels,
  ip,
  ports,
});
const lokiPorts: Endpoint['ports'] = [
  { port: 3100, protocol: 'TCP', name: 'http-metrics' },
  { port: 9095, protocol: 'TCP', name: 'grpc' },
  { port: 7946, protocol: 'TCP', name: 'tcp-memberlist' },
];

function stackEndpoints(): Endpoint[] {
  return [
    pod('minio', 'observability', { [NAME]: 'minio', [COMPONENT]: 'server' }, '10.244.1.10', [
      { port: 9000, protocol: 'TCP', name: 'api' },
      { port: 9001, protocol: 'TCP', name: 'console' },
    ]),
    pod('minio-bucket-setup', 'observability', { [NAME]: 'minio', [COMPONENT]: 'bucket-setup' }, '10.244.1.11', []),
    pod('loki-read', 'observability', { [NAME]: 'loki', [COMPONENT]: 'read' }, '10.244.2.10', lokiPorts),
    pod('loki-write', 'observability', { [NAME]: 'loki', [COMPONENT]: 'write' }, '10.244.2.11', lokiPorts),
    pod('loki-backend', 'observability', { [NAME]: 'loki', [COMPONENT]: 'backend' }, '10.244.2.12', lokiPorts),
    pod('alloy', 'observability', { [NAME]: 'alloy' }, '10.244.3.10', [{ port: 12345, protocol: 'TCP', name: 'http-metrics' }]),
    pod('grafana', 'observability', { [NAME]: 'grafana' }, '10.244.3.11', [{ port: 3000, protocol: 'TCP', name: 'grafana' }]),
    pod('ingress-controller', 'ingress-nginx', { [NAME]: 'ingress-nginx', [COMPONENT]: 'controller' }, '10.244.4.10', [
      { port: 80, protocol: 'TCP', name: 'http' },
      { port: 443, protocol: 'TCP', name: 'https' },
    ]),
    pod('ingress-default-backend', 'ingress-nginx', { [NAME]: 'default-backend' }, '10.244.4.11', [
      { port: 8080, protocol: 'TCP', name: 'http' },
    ]),
    pod('dns', 'kube-system', { 'k8s-app': 'kube-dns' }, '10.244.0.10', [
      { port: 53, protocol: 'UDP', name: 'dns' },
      { port: 53, protocol: 'TCP', name: 'dns-tcp' },
      { port: 9153, protocol: 'TCP', name: 'metrics' },
    ]),
    pod('metrics-server', 'kube-system', { 'k8s-app': 'metrics-server' }, '10.244.0.20', [{ port: 10250, protocol: 'TCP', name: 'https' }]),
    {
      id: 'kube-apiserver',
      ip: '172.18.0.2',
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 6443, protocol: 'TCP' },
      ],
    },
    {
      id: 'internet',
      ip: '93.184.215.14',
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 80, protocol: 'TCP' },
      ],
    },
  ];
}

const networkPolicy = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'observability', labels: { [NAME]: 'observability-network' } },
  spec,
});
const labels = (matchLabels: Record<string, string>) => ({ matchLabels });
const tcp = (...ports: (number | string)[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const LOKI_TARGETS = {
  matchLabels: { [NAME]: 'loki' },
  matchExpressions: [{ key: COMPONENT, operator: 'In', values: ['read', 'write', 'backend'] }],
};
const INGRESS_CONTROLLER = {
  namespaceSelector: labels({ 'kubernetes.io/metadata.name': 'ingress-nginx' }),
  podSelector: labels({ [NAME]: 'ingress-nginx' }),
};

/** Default deny plus the allow policies, written the way the platform app renders them. */
function stackPolicies(): KubeObject[] {
  return [
    networkPolicy('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('allow-egress-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: labels({ 'kubernetes.io/metadata.name': 'kube-system' }), podSelector: labels({ 'k8s-app': 'kube-dns' }) },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    networkPolicy('allow-ingress-grafana', {
      podSelector: labels({ [NAME]: 'grafana' }),
      policyTypes: ['Ingress'],
      ingress: [{ from: [INGRESS_CONTROLLER], ports: tcp(3000) }],
    }),
    networkPolicy('allow-egress-grafana', {
      podSelector: labels({ [NAME]: 'grafana' }),
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: labels({ [NAME]: 'loki', [COMPONENT]: 'read' }) }], ports: tcp(3100) },
        // Only Grafana reaches the internet: its alert webhook (docs/adr/0016-internet-egress-only-where-needed.md).
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: tcp(443) },
      ],
    }),
    networkPolicy('allow-egress-alloy', {
      podSelector: labels({ [NAME]: 'alloy' }),
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '172.18.0.0/16' } }], ports: tcp(443, 6443) },
        { to: [{ podSelector: labels({ [NAME]: 'loki', [COMPONENT]: 'write' }) }], ports: tcp(3100) },
      ],
    }),
    networkPolicy('allow-ingress-loki-read', {
      podSelector: labels({ [NAME]: 'loki', [COMPONENT]: 'read' }),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: labels({ [NAME]: 'grafana' }) }], ports: tcp(3100) }],
    }),
    networkPolicy('allow-ingress-loki-write', {
      podSelector: labels({ [NAME]: 'loki', [COMPONENT]: 'write' }),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: labels({ [NAME]: 'alloy' }) }], ports: tcp(3100) }],
    }),
    // No policyTypes: Ingress always, and Egress because the policy has egress rules.
    networkPolicy('allow-loki-cluster', {
      podSelector: LOKI_TARGETS,
      ingress: [{ from: [{ podSelector: LOKI_TARGETS }], ports: tcp(7946, 9095) }],
      egress: [{ to: [{ podSelector: LOKI_TARGETS }], ports: tcp(7946, 9095) }],
    }),
    networkPolicy('allow-egress-loki', {
      podSelector: labels({ [NAME]: 'loki' }),
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: labels({ [NAME]: 'minio', [COMPONENT]: 'server' }) }], ports: tcp(9000) }],
    }),
    networkPolicy('allow-ingress-minio', {
      podSelector: labels({ [NAME]: 'minio', [COMPONENT]: 'server' }),
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: labels({ [NAME]: 'loki' }) }, { podSelector: labels({ [NAME]: 'minio', [COMPONENT]: 'bucket-setup' }) }],
          ports: tcp(9000),
        },
        { from: [INGRESS_CONTROLLER], ports: tcp(9001) },
      ],
    }),
    networkPolicy('allow-egress-minio-bucket-setup', {
      podSelector: labels({ [NAME]: 'minio', [COMPONENT]: 'bucket-setup' }),
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: labels({ [NAME]: 'minio', [COMPONENT]: 'server' }) }], ports: tcp(9000) }],
    }),
  ];
}

/** The intended flows, spelled out one by one as the design lists them. */
function intendedFlows(): Flow[] {
  const flows: Flow[] = [];
  const add = (from: string, to: string, port: number, protocol: Protocol = 'TCP'): void => {
    flows.push({ from, to, port, protocol });
  };
  for (const workload of WORKLOADS) {
    add(workload, 'dns', 53, 'UDP');
    add(workload, 'dns', 53, 'TCP');
  }
  add('grafana', 'internet', 443);
  add('ingress-controller', 'grafana', 3000);
  add('ingress-controller', 'minio', 9001);
  add('grafana', 'loki-read', 3100);
  add('alloy', 'kube-apiserver', 443);
  add('alloy', 'kube-apiserver', 6443);
  add('alloy', 'loki-write', 3100);
  add('minio-bucket-setup', 'minio', 9000);
  for (const from of ['loki-read', 'loki-write', 'loki-backend']) {
    add(from, 'minio', 9000);
    for (const to of ['loki-read', 'loki-write', 'loki-backend']) {
      add(from, to, 7946);
      add(from, to, 9095);
    }
  }
  return flows;
}

/** The stack's policies with one of them changed in place. */
function changed(name: string, change: (spec: Record<string, any>) => void): KubeObject[] {
  const policies = structuredClone(stackPolicies());
  const target = policies.find((p) => p.metadata.name === name);
  if (!target) throw new Error(`no NetworkPolicy ${name} in the test stack`);
  change(target['spec'] as Record<string, any>);
  return policies;
}

const rulesAndMessages = (allowed: Flow[]): string[] => networkFindings(allowed, intendedFlows(), { env: 'prod' }).map(formatFinding);
const key = (f: Flow): string => `${f.from} → ${f.to}:${f.port}/${f.protocol}`;
/** The documented order of flows: from, to, port number, protocol. */
const orderKey = (f: Flow): string => [f.from, f.to, String(f.port).padStart(5, '0'), f.protocol].join(' ');
const inOrder = (flows: Flow[]): Flow[] => [...flows].sort(byKey(orderKey));

describe('allowedFlows on the stack', () => {
  it('allows exactly the intended flows', () => {
    // GIVEN the stack's default deny and allow policies, and its workloads and peers
    const policies = stackPolicies();

    // WHEN they are evaluated into flows
    const allowed = allowedFlows(policies, stackEndpoints());

    // THEN the flows are the intended ones, each once and in order, and there is nothing to report
    expect(allowed).toEqual(inOrder(intendedFlows()));
    expect(new Set(allowed.map(key)).size).toBe(intendedFlows().length);
    expect(compareFlows(allowed, intendedFlows())).toEqual({ missing: [], unintended: [] });
    expect(networkFindings(allowed, intendedFlows(), { env: 'prod' })).toEqual([]);
  });

  it('formats the matrix as the reviewed golden text', async () => {
    // GIVEN the stack's allowed flows
    const endpoints = stackEndpoints();
    const allowed = allowedFlows(stackPolicies(), endpoints);

    // WHEN formatted as a matrix, twice
    const text = formatMatrix(allowed, endpoints);

    // THEN it is the golden text, byte for byte the same on every run and for any input order
    await expect(text).toMatchFileSnapshot('__golden__/matrix.txt');
    expect(formatMatrix([...allowed].reverse(), endpoints)).toBe(text);
  });

  it('says so when no flow is allowed', () => {
    // GIVEN two endpoints and no allowed flow
    const endpoints = stackEndpoints().filter((e) => e.id === 'grafana' || e.id === 'internet');

    // WHEN formatted
    const text = formatMatrix([], endpoints);

    // THEN there is no table, and both endpoints are named as having no flow either way
    expect(text.split('\n').slice(2)).toEqual([
      '(no flow is allowed)',
      '',
      'No flow from: grafana, internet',
      'No flow to: grafana, internet',
      '',
    ]);
  });

  it('gives the same flows as nested JSON', () => {
    // GIVEN the stack's allowed flows
    const allowed = allowedFlows(stackPolicies(), stackEndpoints());

    // WHEN turned into the JSON matrix
    const json = matrixJson(allowed) as Record<string, Record<string, { port: number; protocol: Protocol }[]>>;

    // THEN it holds every flow once, under its source and destination, and survives a JSON round trip
    const back = Object.entries(json).flatMap(([from, row]) =>
      Object.entries(row).flatMap(([to, ports]) => ports.map((p) => ({ from, to, ...p }))),
    );
    expect(back).toEqual(allowed);
    expect(json['alloy']?.['kube-apiserver']).toEqual([
      { port: 443, protocol: 'TCP' },
      { port: 6443, protocol: 'TCP' },
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('networkFindings when a policy changes', () => {
  it('reports every pod losing DNS when the DNS egress rule is removed', () => {
    // GIVEN the stack without its DNS egress rule
    const policies = changed('allow-egress-dns', (spec) => spec['egress'].splice(0, 1));

    // WHEN evaluated and compared with the intended flows
    const findings = networkFindings(allowedFlows(policies, stackEndpoints()), intendedFlows(), { env: 'prod', component: 'platform' });

    // THEN each workload's DNS flows, on UDP and TCP, are missing, and nothing else is reported
    expect(findings.map((f) => [f.rule, f.severity, f.env, f.component])).toEqual(
      Array.from({ length: WORKLOADS.length * 2 }, () => ['network/missing-flow', 'error', 'prod', 'platform']),
    );
    expect(findings.map((f) => f.message.split(' is ')[0]).sort()).toEqual(
      WORKLOADS.flatMap((w) => [`${w} → dns:53/TCP`, `${w} → dns:53/UDP`]).sort(),
    );
    expect(formatFinding(findings[0] as (typeof findings)[0])).toMatch(
      /^error network\/missing-flow: prod\/platform: alloy → dns:53\/TCP is intended but/,
    );
  });

  it('reports unintended flows when a rule loses its ports', () => {
    // GIVEN the DNS egress rule and the ingress controller's MinIO rule without `ports`
    const policies = changed('allow-egress-dns', (spec) => delete spec['egress'][0].ports);
    const minio = changed('allow-ingress-minio', (spec) => delete spec['ingress'][1].ports);

    // WHEN each is evaluated
    const dnsFindings = rulesAndMessages(allowedFlows(policies, stackEndpoints()));
    const minioFindings = rulesAndMessages(allowedFlows(minio, stackEndpoints()));

    // THEN every pod may reach CoreDNS's metrics port, and the ingress controller MinIO's API
    expect(dnsFindings).toEqual(
      WORKLOADS.map((w) => `${w} → dns:9153/TCP`)
        .sort()
        .map((flow) => expect.stringContaining(`error network/unintended-flow: prod: ${flow} is allowed`)),
    );
    expect(minioFindings).toEqual([
      expect.stringContaining(
        'network/unintended-flow: prod: ingress-controller → minio:9000/TCP is allowed by the NetworkPolicies but not intended',
      ),
    ]);
  });

  it('reports unintended flows when namespaceSelector and podSelector are split into two peers (OR)', () => {
    // GIVEN Grafana's ingress rule with the namespace and the pod selector as separate peers
    const policies = changed('allow-ingress-grafana', (spec) => {
      spec['ingress'][0].from = [
        { namespaceSelector: INGRESS_CONTROLLER.namespaceSelector },
        { podSelector: INGRESS_CONTROLLER.podSelector },
      ];
    });

    // WHEN evaluated
    const findings = rulesAndMessages(allowedFlows(policies, stackEndpoints()));

    // THEN any pod of the ingress-nginx namespace may now reach Grafana
    expect(findings).toEqual([expect.stringContaining('network/unintended-flow: prod: ingress-default-backend → grafana:3000/TCP')]);
  });

  it('keeps namespaceSelector and podSelector in one peer as AND: a kube-system pod that is not DNS is not reached', () => {
    // GIVEN the DNS rule opened to every port, so only the peer decides
    const policies = changed('allow-egress-dns', (spec) => delete spec['egress'][0].ports);

    // WHEN evaluated
    const allowed = allowedFlows(policies, stackEndpoints());

    // THEN CoreDNS is reachable on every port, metrics-server in the same namespace on none
    expect(allowed.filter((f) => f.from === 'grafana' && f.to === 'dns').map(key)).toEqual([
      'grafana → dns:53/TCP',
      'grafana → dns:53/UDP',
      'grafana → dns:9153/TCP',
    ]);
    expect(allowed.filter((f) => f.to === 'metrics-server')).toEqual([]);
  });
});

describe('allowedFlows semantics', () => {
  it('resolves named ports against the destination, protocol included', () => {
    // GIVEN Grafana's ingress by port name, and DNS egress by name with and without the right protocol
    const named = changed('allow-ingress-grafana', (spec) => (spec['ingress'][0].ports = tcp('grafana')));
    const unknownName = changed('allow-ingress-grafana', (spec) => (spec['ingress'][0].ports = tcp('http')));
    const dnsByName = changed(
      'allow-egress-dns',
      (spec) => (spec['egress'][0].ports = [{ protocol: 'UDP', port: 'dns' }, { port: 'dns-tcp' }]),
    );
    const dnsWrongProtocol = changed('allow-egress-dns', (spec) => (spec['egress'][0].ports = [{ port: 'dns' }, { port: 'dns-tcp' }]));

    // WHEN each is evaluated
    const [byName, byUnknown, byDnsName, byWrongProtocol] = [named, unknownName, dnsByName, dnsWrongProtocol].map((p) =>
      allowedFlows(p, stackEndpoints()),
    );

    // THEN a name the destination carries matches its port; an unknown name, or the right name on the wrong protocol, matches nothing
    expect(rulesAndMessages(byName ?? [])).toEqual([]);
    expect(rulesAndMessages(byDnsName ?? [])).toEqual([]);
    expect(rulesAndMessages(byUnknown ?? [])).toEqual([
      expect.stringContaining('network/missing-flow: prod: ingress-controller → grafana:3000/TCP'),
    ]);
    expect(rulesAndMessages(byWrongProtocol ?? [])).toEqual(
      [...WORKLOADS].sort().map((w) => expect.stringContaining(`missing-flow: prod: ${w} → dns:53/UDP`)),
    );
    expect((byWrongProtocol ?? []).filter((f) => f.to === 'dns').map((f) => f.protocol)).toEqual(WORKLOADS.map(() => 'TCP'));
  });

  it('matches endPort ranges inclusively', () => {
    // GIVEN Loki's cluster rules written as the range 7946–9095, and as 3100–9095
    const range = (port: number, endPort: number) => (spec: Record<string, any>) => {
      spec['ingress'][0].ports = [{ port, endPort }];
      spec['egress'][0].ports = [{ port, endPort }];
    };

    // WHEN each is evaluated
    const exact = allowedFlows(changed('allow-loki-cluster', range(7946, 9095)), stackEndpoints());
    const wide = allowedFlows(changed('allow-loki-cluster', range(3100, 9095)), stackEndpoints());

    // THEN 7946–9095 covers exactly Loki's two cluster ports (both ends included); 3100–9095 adds HTTP between every pair of targets
    expect(rulesAndMessages(exact)).toEqual([]);
    const loki = ['loki-backend', 'loki-read', 'loki-write'];
    const extra = loki.flatMap((from) => loki.map((to) => `${from} → ${to}:3100/TCP`));
    expect(rulesAndMessages(wide)).toEqual(extra.map((f) => expect.stringContaining(`unintended-flow: prod: ${f} is allowed`)));
  });

  it('evaluates matchExpressions (In) in pod selectors', () => {
    // GIVEN Loki's cluster policy selecting only read and write
    const policies = changed('allow-loki-cluster', (spec) => {
      const readWrite = {
        matchLabels: { [NAME]: 'loki' },
        matchExpressions: [{ key: COMPONENT, operator: 'In', values: ['read', 'write'] }],
      };
      spec['podSelector'] = readWrite;
      spec['ingress'][0].from = [{ podSelector: readWrite }];
      spec['egress'][0].to = [{ podSelector: readWrite }];
    });

    // WHEN evaluated
    const findings = networkFindings(allowedFlows(policies, stackEndpoints()), intendedFlows(), { env: 'prod' });

    // THEN every cluster flow to or from the backend is missing, and only those
    expect(findings.every((f) => f.rule === 'network/missing-flow')).toBe(true);
    expect(findings.map((f) => f.message.split(' is ')[0])).toEqual(
      inOrder(
        intendedFlows().filter(
          (f) => (f.from === 'loki-backend' || f.to === 'loki-backend') && f.from.startsWith('loki') && f.to.startsWith('loki'),
        ),
      ).map(key),
    );
  });

  it('defaults policyTypes: Ingress always, Egress only when the policy has egress rules', () => {
    // GIVEN only policies without policyTypes: Alloy's with egress rules, Grafana's with ingress rules only, MinIO's with `egress: []`
    const policies = [
      networkPolicy('alloy', {
        podSelector: labels({ [NAME]: 'alloy' }),
        egress: [{ to: [{ podSelector: labels({ [NAME]: 'loki' }) }], ports: tcp(3100) }],
      }),
      networkPolicy('grafana', { podSelector: labels({ [NAME]: 'grafana' }), ingress: [{ from: [INGRESS_CONTROLLER], ports: tcp(3000) }] }),
      networkPolicy('minio', { podSelector: labels({ [NAME]: 'minio', [COMPONENT]: 'server' }), egress: [] }),
    ];

    // WHEN evaluated
    const allowed = allowedFlows(policies, stackEndpoints());
    const from = (id: string) => allowed.filter((f) => f.from === id).map((f) => `${f.to}:${f.port}`);
    const to = (id: string) => allowed.filter((f) => f.to === id).map((f) => f.from);

    // THEN Alloy is isolated both ways: it reaches only Loki's HTTP and nobody reaches it
    expect(from('alloy')).toEqual(['loki-backend:3100', 'loki-read:3100', 'loki-write:3100']);
    expect(to('alloy')).toEqual([]);
    // Grafana's egress stays open (to the internet on 80, say), its ingress only from the controller
    expect(from('grafana')).toContain('internet:80');
    expect(to('grafana')).toEqual(['ingress-controller']);
    // MinIO with `egress: []` and no policyTypes is isolated for ingress only
    expect(from('minio')).toContain('kube-apiserver:6443');
    expect(to('minio')).toEqual([]);
  });

  it('leaves a pod that no policy selects open both ways', () => {
    // GIVEN the allow policies without the two that select every pod, and a debug pod none of them selects
    const policies = stackPolicies().filter((p) => !['default-deny-all', 'allow-egress-dns'].includes(p.metadata.name));
    const debug = pod('debug', 'observability', { app: 'debug' }, '10.244.9.9', [{ port: 8080, protocol: 'TCP' }]);
    const endpoints = [...stackEndpoints(), debug];

    // WHEN evaluated, and again with the default deny back
    const open = allowedFlows(policies, endpoints);
    const denied = allowedFlows([...policies, ...stackPolicies().filter((p) => p.metadata.name === 'default-deny-all')], endpoints);

    // THEN the debug pod reaches every port of everyone whose ingress is open, and everyone whose egress is open reaches it
    const openFrom = open.filter((f) => f.from === 'debug').map((f) => `${f.to}:${f.port}/${f.protocol}`);
    expect(openFrom).toEqual(
      expect.arrayContaining([
        'dns:53/UDP',
        'dns:9153/TCP',
        'metrics-server:10250/TCP',
        'internet:80/TCP',
        'kube-apiserver:6443/TCP',
        'debug:8080/TCP',
      ]),
    );
    expect(openFrom.filter((f) => f.startsWith('loki') || f.startsWith('minio:') || f.startsWith('grafana'))).toEqual([]);
    expect(open.filter((f) => f.to === 'debug').map((f) => f.from)).toEqual([
      'debug',
      'dns',
      'ingress-controller',
      'ingress-default-backend',
      'internet',
      'kube-apiserver',
      'metrics-server',
      'minio',
    ]);
    expect(denied.filter((f) => f.from === 'debug' || f.to === 'debug')).toEqual([]);
  });

  it("matches ipBlock by address: a public API server address falls under Grafana's internet rule", () => {
    // GIVEN a managed cluster whose API server has a public address, and Alloy's ipBlock pointed at it
    const endpoints = stackEndpoints().map((e) => (e.id === 'kube-apiserver' ? { ...e, ip: '34.118.224.1' } : e));
    const policies = changed('allow-egress-alloy', (spec) => (spec['egress'][0].to = [{ ipBlock: { cidr: '34.118.224.1/32' } }]));

    // WHEN evaluated
    const findings = rulesAndMessages(allowedFlows(policies, endpoints));

    // THEN Grafana, the one workload with an "internet" rule, reaches the API server on 443 through it, but not on 6443
    expect(findings).toEqual([expect.stringContaining('unintended-flow: prod: grafana → kube-apiserver:443/TCP')]);
  });

  it('does not let selectors match a host-networked peer', () => {
    // GIVEN an ingress controller on the host network: no pod labels, a node address
    const endpoints = stackEndpoints().map((e) =>
      e.id === 'ingress-controller' ? { id: e.id, namespace: 'ingress-nginx', ip: '172.18.0.3', ports: e.ports } : e,
    );

    // WHEN the stack's policies are evaluated
    const findings = rulesAndMessages(allowedFlows(stackPolicies(), endpoints));

    // THEN the controller can reach neither Grafana nor the MinIO console, while Alloy's API server
    // ipBlock (the whole node network) now reaches the controller's node address on 443
    expect(findings).toEqual([
      expect.stringContaining('missing-flow: prod: ingress-controller → grafana:3000/TCP'),
      expect.stringContaining('missing-flow: prod: ingress-controller → minio:9001/TCP'),
      expect.stringContaining('unintended-flow: prod: alloy → ingress-controller:443/TCP'),
    ]);
  });

  it('applies a policy only in its own namespace, defaulting a missing one', () => {
    // GIVEN the policies without metadata.namespace, and a deny-all in ingress-nginx
    const unnamespaced = stackPolicies().map((p) => ({ ...p, metadata: { name: p.metadata.name } }));
    const denyIngressNginx = {
      ...networkPolicy('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      metadata: { name: 'deny-all', namespace: 'ingress-nginx' },
    };
    const inMonitoring = stackEndpoints().map((e) => (e.namespace === 'observability' ? { ...e, namespace: 'monitoring' } : e));

    // WHEN evaluated with the default namespace, with the stack moved to another one, and with the foreign deny-all added
    const defaulted = allowedFlows(unnamespaced, stackEndpoints());
    const moved = allowedFlows(unnamespaced, inMonitoring, { defaultNamespace: 'monitoring' });
    const foreign = allowedFlows([...stackPolicies(), denyIngressNginx], stackEndpoints());

    // THEN a missing namespace is the default one; the foreign policy cuts only the ingress controller's own traffic
    expect(defaulted).toEqual(allowedFlows(stackPolicies(), stackEndpoints()));
    expect(moved).toEqual(allowedFlows(stackPolicies(), stackEndpoints()));
    expect(rulesAndMessages(foreign)).toEqual([
      expect.stringContaining('missing-flow: prod: ingress-controller → grafana:3000/TCP'),
      expect.stringContaining('missing-flow: prod: ingress-controller → minio:9001/TCP'),
    ]);
  });

  it('lists flows of the namespaces asked for, and between two outside parties none', () => {
    // GIVEN the stack's policies
    const policies = stackPolicies();

    // WHEN evaluated for the stack's namespace alone, then for ingress-nginx too
    const stackOnly = allowedFlows(policies, stackEndpoints());
    const withIngress = allowedFlows(policies, stackEndpoints(), { namespaces: ['observability', 'ingress-nginx'] });

    // THEN the internet reaching the controller (no policy there) is listed only in the second
    const internetToController = { from: 'internet', to: 'ingress-controller', port: 443, protocol: 'TCP' };
    expect(stackOnly).not.toContainEqual(internetToController);
    expect(withIngress).toContainEqual(internetToController);
    expect(withIngress.filter((f) => f.from === 'dns' && f.to === 'metrics-server')).toEqual([]);
  });

  it('ignores objects that are not NetworkPolicies', () => {
    // GIVEN the policies among other rendered objects
    const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'grafana', namespace: 'observability' }, spec: {} };

    // WHEN evaluated
    const allowed = allowedFlows([service, ...stackPolicies()], stackEndpoints());

    // THEN the result is that of the policies alone
    expect(allowed).toEqual(allowedFlows(stackPolicies(), stackEndpoints()));
  });

  it('refuses an endpoint list with a duplicate id or an address that is not one', () => {
    // GIVEN endpoints with a repeated id, and one with a host name for an address
    const twice = [...stackEndpoints(), pod('grafana', 'observability', {}, '10.244.3.12', [])];
    const named = stackEndpoints().map((e) => (e.id === 'internet' ? { ...e, ip: 'example.com' } : e));

    // WHEN / THEN each is refused with the endpoint and field named
    expect(() => allowedFlows(stackPolicies(), twice)).toThrow(EndpointError);
    expect(() => allowedFlows(stackPolicies(), twice)).toThrow(/^endpoint grafana id: appears twice/);
    expect(() => allowedFlows(stackPolicies(), named)).toThrow(/^endpoint internet ip: "example.com" is not an IPv4 or IPv6 address/);
  });
});

describe('compareFlows', () => {
  it('returns sorted, distinct differences both ways', () => {
    // GIVEN allowed and intended lists that overlap, out of order and with a repeat
    const a: Flow = { from: 'alloy', to: 'loki-write', port: 3100, protocol: 'TCP' };
    const b: Flow = { from: 'grafana', to: 'loki-read', port: 3100, protocol: 'TCP' };
    const c: Flow = { from: 'alloy', to: 'dns', port: 53, protocol: 'UDP' };
    const d: Flow = { from: 'alloy', to: 'dns', port: 53, protocol: 'TCP' };

    // WHEN compared
    const result = compareFlows([b, a, b], [d, c, a]);

    // THEN what only intended has is missing, what only allowed has is unintended
    expect(result).toEqual({ missing: [d, c], unintended: [b] });
  });
});
