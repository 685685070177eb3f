import type { KubeObject } from '../kube/object.ts';
import { cidrContains, cidrStrictlyInside, parseAddress, parseCidr, type Cidr } from './network-address.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface EndpointPort {
  port: number;
  protocol: Protocol;
  name?: string;
}

/** A party to a connection. In-cluster pods have podLabels; host-networked or outside peers do not. */
export interface Endpoint {
  id: string;
  /** Absent for peers outside the cluster network (API server on the host network, internet). */
  namespace?: string;
  /** `kubernetes.io/metadata.name` is implied: the API server sets it on every namespace. */
  namespaceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
  /** A representative address, matched against `ipBlock` (cidr/except). */
  ip: string;
  /** The ports a connection TO this endpoint can target. */
  ports: EndpointPort[];
}

/** A NetworkPolicy the API server would refuse, or one this evaluator cannot read. */
export class NetworkPolicyError extends Error {
  override name = 'NetworkPolicyError';
}

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export interface Selector {
  matchLabels: Record<string, string>;
  matchExpressions: Requirement[];
}

type Peer = { pods?: Selector; namespaces?: Selector; ipBlock?: undefined } | { ipBlock: { cidr: Cidr; except: Cidr[] } };

interface PortMatch {
  protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named port of the destination. */
  port?: number | string;
  endPort?: number;
}

/** One ingress or egress rule; an absent list means "every peer" or "every port". */
interface Rule {
  peers?: Peer[];
  ports?: PortMatch[];
}

/** A NetworkPolicy reduced to what decides reachability. A direction it does not isolate is absent. */
export interface Policy {
  namespace: string;
  podSelector: Selector;
  ingress?: Rule[];
  egress?: Rule[];
}

type Fail = (field: string, problem: string) => NetworkPolicyError;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function list(value: unknown, field: string, fail: Fail): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fail(field, 'must be a list');
  return value;
}

function strings(value: unknown, field: string, fail: Fail): string[] {
  return list(value, field, fail).map((item, i) => {
    if (typeof item !== 'string') throw fail(`${field}[${i}]`, 'must be a string');
    return item;
  });
}

function parseSelector(value: unknown, field: string, fail: Fail): Selector {
  if (!isRecord(value)) throw fail(field, 'must be a label selector; write {} to select everything');
  const matchLabels: Record<string, string> = {};
  const labels = value['matchLabels'] ?? {};
  if (!isRecord(labels)) throw fail(`${field}.matchLabels`, 'must be a map of label to value');
  for (const [key, label] of Object.entries(labels)) {
    if (typeof label !== 'string') throw fail(`${field}.matchLabels.${key}`, 'must be a string; quote values like "true" or "1"');
    matchLabels[key] = label;
  }
  const matchExpressions = list(value['matchExpressions'], `${field}.matchExpressions`, fail).map((raw, i): Requirement => {
    const at = `${field}.matchExpressions[${i}]`;
    if (!isRecord(raw) || typeof raw['key'] !== 'string') throw fail(`${at}.key`, 'is required');
    const operator = raw['operator'];
    if (!OPERATORS.includes(operator as Operator))
      throw fail(`${at}.operator`, `"${String(operator)}" is not one of ${OPERATORS.join(', ')}`);
    const values = strings(raw['values'], `${at}.values`, fail);
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && values.length === 0) throw fail(`${at}.values`, `must not be empty for operator ${String(operator)}`);
    if (!needsValues && values.length > 0) throw fail(`${at}.values`, `must be empty for operator ${String(operator)}`);
    return { key: raw['key'], operator: operator as Operator, values };
  });
  return { matchLabels, matchExpressions };
}

function parseCidrField(value: unknown, field: string, fail: Fail): Cidr {
  const cidr = typeof value === 'string' ? parseCidr(value) : undefined;
  if (!cidr) throw fail(field, `"${String(value)}" is not a CIDR like 10.0.0.0/8`);
  return cidr;
}

function parsePeer(raw: unknown, field: string, fail: Fail): Peer {
  if (!isRecord(raw)) throw fail(field, 'must be an object');
  const { podSelector, namespaceSelector, ipBlock } = raw;
  if (ipBlock !== undefined && ipBlock !== null) {
    if (podSelector != null || namespaceSelector != null)
      throw fail(field, 'ipBlock cannot be combined with podSelector or namespaceSelector; use separate peers');
    if (!isRecord(ipBlock)) throw fail(`${field}.ipBlock`, 'must be an object with cidr and optional except');
    const cidr = parseCidrField(ipBlock['cidr'], `${field}.ipBlock.cidr`, fail);
    const except = list(ipBlock['except'], `${field}.ipBlock.except`, fail).map((text, i) => {
      const inner = parseCidrField(text, `${field}.ipBlock.except[${i}]`, fail);
      if (!cidrStrictlyInside(inner, cidr))
        throw fail(`${field}.ipBlock.except[${i}]`, `"${String(text)}" must be a strict subset of cidr "${String(ipBlock['cidr'])}"`);
      return inner;
    });
    return { ipBlock: { cidr, except } };
  }
  if (podSelector == null && namespaceSelector == null) throw fail(field, 'a peer needs podSelector, namespaceSelector or ipBlock');
  return {
    pods: podSelector == null ? undefined : parseSelector(podSelector, `${field}.podSelector`, fail),
    namespaces: namespaceSelector == null ? undefined : parseSelector(namespaceSelector, `${field}.namespaceSelector`, fail),
  };
}

function parsePort(raw: unknown, field: string, fail: Fail): PortMatch {
  if (!isRecord(raw)) throw fail(field, 'must be an object');
  const protocol = raw['protocol'] ?? 'TCP';
  if (!PROTOCOLS.includes(protocol as Protocol))
    throw fail(`${field}.protocol`, `"${String(protocol)}" is not one of ${PROTOCOLS.join(', ')}`);
  const { port, endPort } = raw;
  const match: PortMatch = { protocol: protocol as Protocol };
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw fail(`${field}.port`, `${port} is not a port between 1 and 65535`);
    match.port = port;
  } else if (typeof port === 'string') {
    if (!/[a-z]/.test(port))
      throw fail(`${field}.port`, `"${port}" is a string without letters, so not a port name; write the number unquoted`);
    match.port = port;
  } else if (port != null) {
    throw fail(`${field}.port`, 'must be a number or a port name');
  }
  if (endPort != null) {
    if (typeof match.port !== 'number') throw fail(`${field}.endPort`, 'needs a numeric port to start the range');
    if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < match.port || endPort > 65535) {
      throw fail(`${field}.endPort`, `${String(endPort)} must be a port from ${match.port} to 65535`);
    }
    match.endPort = endPort;
  }
  return match;
}

function parseRules(value: unknown, field: string, peersKey: 'from' | 'to', fail: Fail): Rule[] {
  return list(value, field, fail).map((raw, i): Rule => {
    const at = `${field}[${i}]`;
    if (!isRecord(raw)) throw fail(at, 'must be an object');
    const peers = list(raw[peersKey], `${at}.${peersKey}`, fail).map((peer, j) => parsePeer(peer, `${at}.${peersKey}[${j}]`, fail));
    const ports = list(raw['ports'], `${at}.ports`, fail).map((port, j) => parsePort(port, `${at}.ports[${j}]`, fail));
    return { peers: peers.length > 0 ? peers : undefined, ports: ports.length > 0 ? ports : undefined };
  });
}

/** The directions a policy isolates; unset `policyTypes` defaults as the API server does. */
function policyTypes(spec: Record<string, unknown>, fail: Fail): Set<'Ingress' | 'Egress'> {
  const declared = strings(spec['policyTypes'], 'spec.policyTypes', fail);
  if (declared.length === 0) {
    const egress = spec['egress'];
    return new Set(Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
  }
  for (const [i, type] of declared.entries()) {
    if (type !== 'Ingress' && type !== 'Egress') throw fail(`spec.policyTypes[${i}]`, `"${type}" is not Ingress or Egress`);
  }
  return new Set(declared as ('Ingress' | 'Egress')[]);
}

/** Reads a rendered NetworkPolicy; throws NetworkPolicyError naming the field the API server would refuse. */
export function parsePolicy(object: KubeObject, defaultNamespace: string): Policy {
  const namespace = object.metadata.namespace ?? defaultNamespace;
  const fail: Fail = (field, problem) => new NetworkPolicyError(`NetworkPolicy ${namespace}/${object.metadata.name} ${field}: ${problem}`);
  const spec = object['spec'] ?? {};
  if (!isRecord(spec)) throw fail('spec', 'must be an object');
  // Go decodes an absent podSelector to the empty selector, which selects every pod.
  const podSelector = parseSelector(spec['podSelector'] ?? {}, 'spec.podSelector', fail);
  const types = policyTypes(spec, fail);
  return {
    namespace,
    podSelector,
    ingress: types.has('Ingress') ? parseRules(spec['ingress'], 'spec.ingress', 'from', fail) : undefined,
    egress: types.has('Egress') ? parseRules(spec['egress'], 'spec.egress', 'to', fail) : undefined,
  };
}

export function selectorMatches(selector: Selector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  return selector.matchExpressions.every(({ key, operator, values }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
    }
  });
}

/** A pod on the pod network; anything else (host network, outside the cluster) no policy governs or selects. */
export function isPod(endpoint: Endpoint): endpoint is Endpoint & { namespace: string; podLabels: Record<string, string> } {
  return endpoint.namespace !== undefined && endpoint.podLabels !== undefined;
}

export function policySelects(policy: Policy, endpoint: Endpoint): boolean {
  return isPod(endpoint) && endpoint.namespace === policy.namespace && selectorMatches(policy.podSelector, endpoint.podLabels);
}

function peerMatches(peer: Peer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    const address = parseAddress(endpoint.ip);
    return (
      address !== undefined && cidrContains(peer.ipBlock.cidr, address) && !peer.ipBlock.except.some((cidr) => cidrContains(cidr, address))
    );
  }
  if (!isPod(endpoint)) return false;
  const namespaceLabels = { ...endpoint.namespaceLabels, 'kubernetes.io/metadata.name': endpoint.namespace };
  const inNamespace = peer.namespaces ? selectorMatches(peer.namespaces, namespaceLabels) : endpoint.namespace === policyNamespace;
  return inNamespace && (!peer.pods || selectorMatches(peer.pods, endpoint.podLabels));
}

function portMatches(match: PortMatch, port: EndpointPort): boolean {
  if (match.protocol !== port.protocol) return false;
  if (match.port === undefined) return true;
  if (typeof match.port === 'string') return port.name === match.port;
  return port.port >= match.port && port.port <= (match.endPort ?? match.port);
}

/**
 * Whether one rule of a policy in `policyNamespace` lets `peer` take part in a connection to `port`
 * of the destination (the selected pod for ingress, the peer itself for egress): named ports
 * resolve against the destination's port names.
 */
export function ruleAllows(rule: Rule, policyNamespace: string, peer: Endpoint, port: EndpointPort): boolean {
  const peerOk = !rule.peers || rule.peers.some((p) => peerMatches(p, policyNamespace, peer));
  return peerOk && (!rule.ports || rule.ports.some((m) => portMatches(m, port)));
}
