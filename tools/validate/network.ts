import { groupOf, type KubeObject } from '../kube/object.ts';
import { NAMESPACE } from '../catalog/names.ts';
import type { Finding } from './finding.ts';
import { parseAddress } from './network-address.ts';
import {
  isPod,
  parsePolicy,
  policySelects,
  ruleAllows,
  type Endpoint,
  type EndpointPort,
  type Policy,
  type Protocol,
} from './network-policy.ts';
import { compareStrings } from '../kube/order.ts';

export { NetworkPolicyError, type Endpoint, type EndpointPort, type Protocol } from './network-policy.ts';

/** One allowed (or intended) connection: `from` opens it to `port`/`protocol` of `to`. */
export interface Flow {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
}

export interface EvaluationOptions {
  /** Namespace of a rendered NetworkPolicy without `metadata.namespace`; `observability` unless given. */
  defaultNamespace?: string;
  /** Namespaces whose pods' flows are listed; `[defaultNamespace]` unless given. */
  namespaces?: string[];
}

/** `from → to` cells of the matrix: the ports `from` may open on `to`, sorted. */
export type FlowMatrix = Record<string, Record<string, { port: number; protocol: Protocol }[]>>;

/** An endpoint list the evaluation cannot use: a duplicate id, an address or a port that is not one. */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function checkEndpoints(endpoints: readonly Endpoint[]): void {
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.id)) throw new EndpointError(`endpoint ${endpoint.id} id: appears twice; give each endpoint its own id`);
    seen.add(endpoint.id);
    if (!parseAddress(endpoint.ip)) throw new EndpointError(`endpoint ${endpoint.id} ip: "${endpoint.ip}" is not an IPv4 or IPv6 address`);
    for (const [i, port] of endpoint.ports.entries()) {
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
        throw new EndpointError(`endpoint ${endpoint.id} ports[${i}].port: ${port.port} is not a port between 1 and 65535`);
      }
      if (!PROTOCOLS.includes(port.protocol))
        throw new EndpointError(`endpoint ${endpoint.id} ports[${i}].protocol: "${String(port.protocol)}" is not TCP, UDP or SCTP`);
    }
  }
}

const isNetworkPolicy = (object: KubeObject): boolean =>
  object.kind === 'NetworkPolicy' && groupOf(object.apiVersion) === 'networking.k8s.io';

/**
 * Whether `subject`'s side lets the connection through in one direction: `egress` with `peer` as the
 * destination, `ingress` with `peer` as the source. A side no policy isolates lets everything through.
 */
function sideAllows(
  policies: readonly Policy[],
  direction: 'ingress' | 'egress',
  subject: Endpoint,
  peer: Endpoint,
  port: EndpointPort,
): boolean {
  let isolated = false;
  for (const policy of policies) {
    const rules = policy[direction];
    if (!rules || !policySelects(policy, subject)) continue;
    isolated = true;
    if (rules.some((rule) => ruleAllows(rule, policy.namespace, peer, port))) return true;
  }
  return !isolated;
}

const flowKey = (flow: Flow): string => `${flow.from}\u0000${flow.to}\u0000${flow.port}\u0000${flow.protocol}`;

function compareFlowOrder(a: Flow, b: Flow): number {
  return compareStrings(a.from, b.from) || compareStrings(a.to, b.to) || a.port - b.port || compareStrings(a.protocol, b.protocol);
}

/** Distinct flows in a fixed order: from, to, port, protocol. */
function sortedFlows(flows: Iterable<Flow>): Flow[] {
  const unique = new Map<string, Flow>();
  for (const flow of flows) {
    const copy = { from: flow.from, to: flow.to, port: flow.port, protocol: flow.protocol };
    unique.set(flowKey(copy), copy);
  }
  return [...unique.values()].sort(compareFlowOrder);
}

/**
 * Every (from, to, port, protocol) the NetworkPolicies among `objects` allow between the endpoints,
 * a connection from an endpoint to itself included (pods of one workload talking to each other).
 * Objects of other kinds are ignored. A flow is listed only when at least one end is a pod in one of
 * `options.namespaces`: traffic between two parties outside the stack is not the stack's to check.
 */
export function allowedFlows(objects: KubeObject[], endpoints: Endpoint[], options: EvaluationOptions = {}): Flow[] {
  checkEndpoints(endpoints);
  const defaultNamespace = options.defaultNamespace ?? NAMESPACE;
  const policies = objects.filter(isNetworkPolicy).map((object) => parsePolicy(object, defaultNamespace));
  const listed = new Set(options.namespaces ?? [defaultNamespace]);
  const inScope = (endpoint: Endpoint): boolean => isPod(endpoint) && listed.has(endpoint.namespace);
  const flows: Flow[] = [];
  for (const from of endpoints) {
    for (const to of endpoints) {
      if (!inScope(from) && !inScope(to)) continue;
      for (const port of to.ports) {
        if (sideAllows(policies, 'egress', from, to, port) && sideAllows(policies, 'ingress', to, from, port)) {
          flows.push({ from: from.id, to: to.id, port: port.port, protocol: port.protocol });
        }
      }
    }
  }
  return sortedFlows(flows);
}

/** Intended flows the policies do not allow, and allowed flows nobody intended; each sorted. */
export function compareFlows(allowed: Flow[], intended: Flow[]): { missing: Flow[]; unintended: Flow[] } {
  const allowedKeys = new Set(allowed.map(flowKey));
  const intendedKeys = new Set(intended.map(flowKey));
  return {
    missing: sortedFlows(intended.filter((f) => !allowedKeys.has(flowKey(f)))),
    unintended: sortedFlows(allowed.filter((f) => !intendedKeys.has(flowKey(f)))),
  };
}

/** `alloy → loki-write:3100/TCP` */
export function describeFlow(flow: Flow): string {
  return `${flow.from} → ${flow.to}:${flow.port}/${flow.protocol}`;
}

/** `network/missing-flow` and `network/unintended-flow` findings, both errors: the policies must allow exactly the intended flows. */
export function networkFindings(allowed: Flow[], intended: Flow[], context: { env: string; component?: string }): Finding[] {
  const { missing, unintended } = compareFlows(allowed, intended);
  const where = context.component === undefined ? { env: context.env } : { env: context.env, component: context.component };
  return [
    ...missing.map((flow): Finding => ({
      rule: 'network/missing-flow',
      severity: 'error',
      ...where,
      message: `${describeFlow(flow)} is intended but the NetworkPolicies do not allow it; allow it in the egress rules of ${flow.from} and the ingress rules of ${flow.to}`,
    })),
    ...unintended.map((flow): Finding => ({
      rule: 'network/unintended-flow',
      severity: 'error',
      ...where,
      message: `${describeFlow(flow)} is allowed by the NetworkPolicies but not intended; narrow the rule that allows it, or declare the flow in the catalog (tools/catalog/flows.ts)`,
    })),
  ];
}

/** `3100` for TCP, `53/UDP` otherwise: most flows are TCP. */
const portLabel = (flow: Flow): string => (flow.protocol === 'TCP' ? `${flow.port}` : `${flow.port}/${flow.protocol}`);

/**
 * The allowed flows as a text table: one row per source, one column per destination, in the order
 * of `endpoints` (ids the endpoints do not name follow, sorted); a cell lists the ports, `·` none.
 * Endpoints with no flow from (or to) them are named below the table instead of filling it with dots.
 */
export function formatMatrix(allowed: Flow[], endpoints: Endpoint[]): string {
  const flows = sortedFlows(allowed);
  const known = endpoints.map((e) => e.id);
  const ids = [...known, ...[...new Set(flows.flatMap((f) => [f.from, f.to]))].filter((id) => !known.includes(id)).sort()];
  const cells = new Map<string, string[]>();
  for (const flow of flows) {
    const key = `${flow.from}\u0000${flow.to}`;
    cells.set(key, [...(cells.get(key) ?? []), portLabel(flow)]);
  }
  const rows = ids.filter((id) => flows.some((f) => f.from === id));
  const columns = ids.filter((id) => flows.some((f) => f.to === id));
  const table = [
    ['from \\ to', ...columns],
    ...rows.map((from) => [from, ...columns.map((to) => cells.get(`${from}\u0000${to}`)?.join(',') ?? '·')]),
  ];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  const lines = table.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const none = (ids: string[]): string => (ids.length > 0 ? ids.join(', ') : '(none)');
  return (
    [
      'Allowed flows: rows connect to columns on the listed ports (TCP unless marked /UDP or /SCTP).',
      '',
      ...(flows.length > 0 ? lines : ['(no flow is allowed)']),
      '',
      `No flow from: ${none(ids.filter((id) => !rows.includes(id)))}`,
      `No flow to: ${none(ids.filter((id) => !columns.includes(id)))}`,
    ].join('\n') + '\n'
  );
}

/** The allowed flows as nested JSON: `{ from: { to: [{ port, protocol }] } }`, keys and ports sorted. */
export function matrixJson(allowed: Flow[]): FlowMatrix {
  const matrix: FlowMatrix = {};
  for (const flow of sortedFlows(allowed)) {
    const row = (matrix[flow.from] ??= {});
    (row[flow.to] ??= []).push({ port: flow.port, protocol: flow.protocol });
  }
  return matrix;
}
