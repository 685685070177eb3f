import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tools/kube/object.ts';
import { NetworkPolicyError, parsePolicy, ruleAllows, selectorMatches, type Endpoint } from '../../tools/validate/network-policy.ts';

const networkPolicy = (spec: unknown, namespace?: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: namespace ? { name: 'allow-loki', namespace } : { name: 'allow-loki' },
  spec,
});

describe('selectorMatches', () => {
  const loki = { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/component': 'write' };
  const expression = (operator: string, values: string[] = []) => ({
    matchLabels: {},
    matchExpressions: [{ key: 'app.kubernetes.io/component', operator: operator as 'In', values }],
  });

  it.each<
    [string, ReturnType<typeof expression> | { matchLabels: Record<string, string>; matchExpressions: [] }, Record<string, string>, boolean]
  >([
    ['the empty selector matches everything', { matchLabels: {}, matchExpressions: [] }, {}, true],
    [
      'matchLabels needs every label',
      { matchLabels: { 'app.kubernetes.io/name': 'loki', tier: 'logs' }, matchExpressions: [] },
      loki,
      false,
    ],
    ['In with the value', expression('In', ['read', 'write']), loki, true],
    ['In without the value', expression('In', ['read', 'backend']), loki, false],
    ['In without the key', expression('In', ['write']), { 'app.kubernetes.io/name': 'loki' }, false],
    ['NotIn with another value', expression('NotIn', ['read']), loki, true],
    ['NotIn with the value', expression('NotIn', ['write']), loki, false],
    ['NotIn without the key', expression('NotIn', ['write']), {}, true],
    ['Exists with the key', expression('Exists'), loki, true],
    ['Exists without the key', expression('Exists'), {}, false],
    ['DoesNotExist with the key', expression('DoesNotExist'), loki, false],
    ['DoesNotExist without the key', expression('DoesNotExist'), {}, true],
  ])('%s', (_, selector, labels, expected) => {
    // GIVEN a selector and a pod's labels / WHEN matched / THEN the result follows label selector semantics
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  it('ANDs matchLabels with matchExpressions', () => {
    // GIVEN a selector whose labels match and whose expression does not
    const selector = {
      matchLabels: { 'app.kubernetes.io/name': 'loki' },
      matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In' as const, values: ['read'] }],
    };

    // WHEN matched against a write pod and a read pod / THEN only the read pod matches
    expect(selectorMatches(selector, loki)).toBe(false);
    expect(selectorMatches(selector, { ...loki, 'app.kubernetes.io/component': 'read' })).toBe(true);
  });
});

describe('parsePolicy', () => {
  it('defaults the namespace and policyTypes as the API server does', () => {
    // GIVEN policies without namespace or policyTypes: one with ingress only, one with egress, one with `egress: []`
    const ingressOnly = parsePolicy(networkPolicy({ podSelector: {}, ingress: [{}] }), 'observability');
    const withEgress = parsePolicy(networkPolicy({ podSelector: {}, egress: [{}] }, 'kube-system'), 'observability');
    const emptyEgress = parsePolicy(networkPolicy({ podSelector: {}, egress: [] }), 'observability');

    // WHEN read / THEN Ingress is always isolated, Egress only with egress rules; rules without peers or ports allow all
    expect(ingressOnly).toEqual({
      namespace: 'observability',
      podSelector: { matchLabels: {}, matchExpressions: [] },
      ingress: [{ peers: undefined, ports: undefined }],
      egress: undefined,
    });
    expect([withEgress.namespace, withEgress.ingress, withEgress.egress]).toEqual([
      'kube-system',
      [],
      [{ peers: undefined, ports: undefined }],
    ]);
    expect([emptyEgress.ingress, emptyEgress.egress]).toEqual([[], undefined]);
  });

  it('lets a rule without peers or ports allow every peer on every port', () => {
    // GIVEN a rule with neither `from` nor `ports`, and the internet on port 80
    const policy = parsePolicy(networkPolicy({ podSelector: {}, ingress: [{ from: [], ports: [] }] }), 'observability');
    const internet: Endpoint = { id: 'internet', ip: '93.184.215.14', ports: [{ port: 80, protocol: 'TCP' }] };

    // WHEN the rule is asked about the internet connecting on 80/TCP and 53/SCTP
    const rule = policy.ingress?.[0];

    // THEN both are allowed
    expect(rule && ruleAllows(rule, 'observability', internet, { port: 80, protocol: 'TCP' })).toBe(true);
    expect(rule && ruleAllows(rule, 'observability', internet, { port: 53, protocol: 'SCTP' })).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a peer with nothing in it',
      { podSelector: {}, ingress: [{ from: [{}] }] },
      /^NetworkPolicy observability\/allow-loki spec\.ingress\[0\]\.from\[0\]: a peer needs podSelector, namespaceSelector or ipBlock/,
    ],
    [
      'ipBlock with a selector',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' }, podSelector: {} }] }] },
      /spec\.egress\[0\]\.to\[0\]: ipBlock cannot be combined/,
    ],
    [
      'a CIDR that is not one',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }] },
      /spec\.egress\[0\]\.to\[0\]\.ipBlock\.cidr: "10\.0\.0\.0" is not a CIDR/,
    ],
    [
      'an except outside the cidr',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] },
      /ipBlock\.except\[0\]: "192\.168\.0\.0\/16" must be a strict subset of cidr "10\.0\.0\.0\/8"/,
    ],
    [
      'endPort with a named port',
      { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 9000 }] }] },
      /spec\.ingress\[0\]\.ports\[0\]\.endPort: needs a numeric port/,
    ],
    [
      'endPort below port',
      { podSelector: {}, ingress: [{ ports: [{ port: 9095, endPort: 7946 }] }] },
      /ports\[0\]\.endPort: 7946 must be a port from 9095 to 65535/,
    ],
    [
      'a quoted port number',
      { podSelector: {}, ingress: [{ ports: [{ port: '3100' }] }] },
      /ports\[0\]\.port: "3100" is a string without letters.*unquoted/,
    ],
    [
      'an unknown protocol',
      { podSelector: {}, ingress: [{ ports: [{ protocol: 'tcp', port: 3100 }] }] },
      /ports\[0\]\.protocol: "tcp" is not one of TCP, UDP, SCTP/,
    ],
    [
      'an unknown operator',
      { podSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] } },
      /spec\.podSelector\.matchExpressions\[0\]\.operator: "Equals" is not one of/,
    ],
    [
      'In without values',
      { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
      /matchExpressions\[0\]\.values: must not be empty for operator In/,
    ],
    [
      'Exists with values',
      { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] } },
      /matchExpressions\[0\]\.values: must be empty for operator Exists/,
    ],
    [
      'an unquoted boolean label',
      { podSelector: { matchLabels: { enabled: true } } },
      /spec\.podSelector\.matchLabels\.enabled: must be a string; quote/,
    ],
    ['a misspelt policy type', { podSelector: {}, policyTypes: ['ingress'] }, /spec\.policyTypes\[0\]: "ingress" is not Ingress or Egress/],
  ])('refuses %s, naming the policy and the field', (_, spec, message) => {
    // GIVEN a policy the API server would refuse / WHEN read / THEN a NetworkPolicyError names where and why
    expect(() => parsePolicy(networkPolicy(spec), 'observability')).toThrow(NetworkPolicyError);
    expect(() => parsePolicy(networkPolicy(spec), 'observability')).toThrow(message);
  });
});
