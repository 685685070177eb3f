import type { V1NetworkPolicyPeer, V1NetworkPolicyPort } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { PRIVATE_RANGES, intendedFlows, workloads, type IntendedFlow, type Workload } from '../catalog/flows.ts';
import { meta, standardLabels } from './common.ts';

/** How a NetworkPolicy names each peer of the catalog's flows. */
function peerFor(env: Environment, id: string, byId: Map<string, Workload>): V1NetworkPolicyPeer {
  const workload = byId.get(id);
  if (workload) return { podSelector: { matchLabels: workload.selector } };
  switch (id) {
    case 'ingress-controller':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': env.ingress.controllerNamespace } },
        podSelector: { matchLabels: env.ingress.controllerPodLabels },
      };
    case 'dns':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      };
    case 'kube-apiserver':
      return { ipBlock: { cidr: env.cluster.apiServerCidr } };
    case 'internet':
      return { ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES] } };
    case 'metrics-store':
      if (env.metrics) return { ipBlock: { cidr: env.metrics.cidr } };
      throw new Error(`${env.name}/platform NetworkPolicy: a flow names the metrics store, but the environment has no metrics`);
    default:
      throw new Error(`${env.name}/platform NetworkPolicy: flow names an unknown peer "${id}"`);
  }
}

/** Peers and ports of one rule; written as `from` or `to` (client-node's model spells `from` as `_from`). */
interface Rule {
  peers: V1NetworkPolicyPeer[];
  ports: V1NetworkPolicyPort[];
}

const portKey = (ports: V1NetworkPolicyPort[]): string => ports.map((p) => `${p.protocol}/${p.port}`).join(',');

/** Rules for one side of one workload: peers that share the same ports share one rule. */
function rules(env: Environment, flows: IntendedFlow[], peerOf: (f: IntendedFlow) => string, byId: Map<string, Workload>): Rule[] {
  const portsByPeer = new Map<string, V1NetworkPolicyPort[]>();
  for (const flow of flows) {
    const ports = portsByPeer.get(peerOf(flow)) ?? [];
    if (!ports.some((p) => p.port === flow.port && p.protocol === flow.protocol)) ports.push({ protocol: flow.protocol, port: flow.port });
    portsByPeer.set(peerOf(flow), ports);
  }
  const peersByPorts = new Map<string, { ports: V1NetworkPolicyPort[]; peers: string[] }>();
  for (const [peer, ports] of portsByPeer) {
    const key = portKey(ports);
    const group = peersByPorts.get(key) ?? { ports, peers: [] };
    group.peers.push(peer);
    peersByPorts.set(key, group);
  }
  return [...peersByPorts.values()].map((group) => ({ peers: group.peers.map((p) => peerFor(env, p, byId)), ports: group.ports }));
}

function policy(name: string, podSelector: Record<string, string> | undefined, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(name, standardLabels('observability-network')),
    spec: { podSelector: podSelector ? { matchLabels: podSelector } : {}, ...spec },
  };
}

/**
 * Default deny plus one allow policy per direction and workload, generated from the catalog's
 * intended flows; `validate` evaluates the rendered result back into flows and compares.
 */
export function networkPolicies(env: Environment): KubeObject[] {
  const flows = intendedFlows(env);
  const all = workloads(env);
  const byId = new Map(all.map((w) => [w.id, w]));
  const objects: KubeObject[] = [policy('default-deny-all', undefined, { policyTypes: ['Ingress', 'Egress'] })];
  const everyone = flows.filter((f) => f.from === '*');
  const egressAll = rules(env, everyone, (f) => f.to, byId).map((r) => ({ to: r.peers, ports: r.ports }));
  objects.push(policy('allow-egress-dns', undefined, { policyTypes: ['Egress'], egress: egressAll }));
  for (const workload of all) {
    const inbound = flows.filter((f) => f.to === workload.id);
    if (inbound.length > 0) {
      const ingress = rules(env, inbound, (f) => f.from, byId).map((r) => ({ from: r.peers, ports: r.ports }));
      objects.push(policy(`allow-ingress-${workload.id}`, workload.selector, { policyTypes: ['Ingress'], ingress }));
    }
    const outbound = flows.filter((f) => f.from === workload.id);
    if (outbound.length > 0) {
      const egress = rules(env, outbound, (f) => f.to, byId).map((r) => ({ to: r.peers, ports: r.ports }));
      objects.push(policy(`allow-egress-${workload.id}`, workload.selector, { policyTypes: ['Egress'], egress }));
    }
  }
  return objects;
}
