/**
 * Network changes as flows: the reachability matrix of an environment's rendered NetworkPolicies on
 * each side, evaluated by the network gate's own evaluator (tools/validate/network.ts, with the
 * gate's endpoints from tools/validate/network-endpoints.ts), and the flows that differ, each marked
 * against the catalog's intended flows (tools/catalog/flows.ts).
 */
import { intendedFlows } from '../catalog/flows.ts';
import type { Environment } from '../catalog/types.ts';
import { groupOf, type KubeObject } from '../kube/object.ts';
import { compareStrings } from '../kube/order.ts';
import { podSpecOf } from '../kube/pod.ts';
import { concreteIntendedFlows, networkEndpoints } from '../validate/network-endpoints.ts';
import { allowedFlows, describeFlow, NetworkPolicyError, type Flow } from '../validate/network.ts';
import { canonicalize } from '../yaml.ts';

/** One flow whose verdict changes: `allowed` is head's. */
export interface FlowChange extends Flow {
  change: 'allowed' | 'denied';
  /** Whether the catalog intends the flow. */
  intended: boolean;
  /** The catalog's reason, for an intended flow. */
  reason?: string;
}

export interface EnvironmentFlows {
  env: string;
  /** Sorted by from, to, port, protocol. */
  changes: FlowChange[];
  /** Why the flows could not be compared (a side's policy the evaluator refuses), when so. */
  error?: string;
}

const isNetworkPolicy = (object: KubeObject): boolean =>
  object.kind === 'NetworkPolicy' && groupOf(object.apiVersion) === 'networking.k8s.io';

/**
 * What the flow matrix depends on among `objects`: the NetworkPolicies, and each workload's pod
 * labels and container ports (the endpoints). Two sides with equal signatures allow the same flows.
 */
export function networkSignature(objects: readonly KubeObject[]): string {
  const parts = objects.flatMap((object) => {
    if (isNetworkPolicy(object))
      return [JSON.stringify(canonicalize({ policy: object.metadata.name, namespace: object.metadata.namespace, spec: object['spec'] }))];
    const workload = podSpecOf(object);
    if (!workload) return [];
    const ports = (workload.pod.containers ?? []).map((c) => c.ports ?? []);
    return [JSON.stringify(canonicalize({ workload: `${object.kind}/${object.metadata.name}`, labels: workload.labels, ports }))];
  });
  return parts.sort(compareStrings).join('\n');
}

const key = (flow: Flow): string => `${flow.from}\u0000${flow.to}\u0000${flow.port}\u0000${flow.protocol}`;

/** The catalog's reason for a concrete flow (`*` standing for every workload). */
function reasonOf(env: Environment, flow: Flow): string | undefined {
  return intendedFlows(env).find(
    (f) => (f.from === '*' || f.from === flow.from) && f.to === flow.to && f.port === flow.port && f.protocol === flow.protocol,
  )?.reason;
}

/**
 * The flows `head` allows that `base` did not, and those it no longer allows, for one environment
 * of the catalog, each side being every rendered object of that environment (all its apps).
 * A side whose policies the evaluator refuses gives an `error` and no changes.
 */
export function flowChanges(env: Environment, base: readonly KubeObject[], head: readonly KubeObject[]): EnvironmentFlows {
  let before: Flow[];
  let after: Flow[];
  try {
    before = allowedFlows([...base], networkEndpoints(env, base));
    after = allowedFlows([...head], networkEndpoints(env, head));
  } catch (error) {
    if (!(error instanceof NetworkPolicyError)) throw error;
    return { env: env.name, changes: [], error: error.message };
  }
  const intended = new Set(concreteIntendedFlows(env).map(key));
  const [had, has] = [new Set(before.map(key)), new Set(after.map(key))];
  const mark = (flow: Flow, change: FlowChange['change']): FlowChange => {
    const reason = intended.has(key(flow)) ? reasonOf(env, flow) : undefined;
    return { ...flow, change, intended: intended.has(key(flow)), ...(reason ? { reason } : {}) };
  };
  const changes = [
    ...after.filter((flow) => !had.has(key(flow))).map((flow) => mark(flow, 'allowed')),
    ...before.filter((flow) => !has.has(key(flow))).map((flow) => mark(flow, 'denied')),
  ];
  changes.sort(
    (a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to) || a.port - b.port || compareStrings(a.protocol, b.protocol),
  );
  return { env: env.name, changes };
}

/** True when a change breaks the catalog's intent: an intended flow denied, or an unintended one allowed. */
export function breaksIntent(change: FlowChange): boolean {
  return change.intended === (change.change === 'denied');
}

/** `loki-read → loki-backend:9095/TCP now denied (intended: Loki gRPC between targets)`. */
export function describeFlowChange(change: FlowChange): string {
  const verdict = change.change === 'allowed' ? 'newly allowed' : 'now denied';
  const intent = change.intended ? `intended${change.reason ? `: ${change.reason}` : ''}` : 'not intended by the catalog';
  return `${describeFlow(change)} ${verdict} (${intent})`;
}
