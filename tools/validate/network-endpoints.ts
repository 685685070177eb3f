import type { Environment } from '../catalog/types.ts';
import { PORTS, externalPeers, intendedFlows, urlPort, workloads, type ExternalPeer } from '../catalog/flows.ts';
import { NAMESPACE } from '../catalog/names.ts';
import type { KubeObject } from '../kube/object.ts';
import { podSpecOf } from '../kube/pod.ts';
import type { Endpoint, EndpointPort, Flow } from './network.ts';

interface PodTemplate {
  labels: Record<string, string>;
  ports: EndpointPort[];
}

function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects.flatMap((o) => {
    const spec = podSpecOf(o);
    if (!spec || o.metadata.namespace !== NAMESPACE) return [];
    const ports = (spec.pod.containers ?? []).flatMap((c) =>
      (c.ports ?? []).map((p) => ({
        port: p.containerPort,
        protocol: (p.protocol ?? 'TCP') as EndpointPort['protocol'],
        ...(p.name ? { name: p.name } : {}),
      })),
    );
    return [{ labels: spec.labels, ports }];
  });
}

/** First usable address of an IPv4 CIDR: a representative API server endpoint. */
function firstHost(cidr: string): string {
  const [address] = cidr.split('/');
  const octets = (address ?? '0.0.0.0').split('.').map(Number);
  octets[3] = (octets[3] ?? 0) + 1;
  return octets.join('.');
}

/** Representatives of the world outside the namespace, each with the ports a connection to it may try. */
function externalEndpoint(env: Environment, peer: ExternalPeer | 'cluster-pod'): Endpoint {
  switch (peer) {
    case 'ingress-controller':
      return {
        id: peer,
        namespace: env.ingress.controllerNamespace,
        podLabels: env.ingress.controllerPodLabels,
        ip: '10.244.100.10',
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, protocol: 'TCP' },
        ],
      };
    case 'dns':
      return {
        id: peer,
        namespace: 'kube-system',
        podLabels: { 'k8s-app': 'kube-dns' },
        ip: '10.244.100.53',
        ports: [
          { port: PORTS.dns, protocol: 'UDP' },
          { port: PORTS.dns, protocol: 'TCP' },
          { port: 9153, protocol: 'TCP', name: 'metrics' },
        ],
      };
    case 'kube-apiserver':
      return {
        id: peer,
        ip: firstHost(env.cluster.apiServerCidr),
        ports: [
          { port: PORTS.https, protocol: 'TCP' },
          { port: PORTS.apiServer, protocol: 'TCP' },
        ],
      };
    case 'internet':
      return {
        id: peer,
        ip: '203.0.113.10',
        ports: [
          { port: PORTS.https, protocol: 'TCP' },
          { port: 80, protocol: 'TCP' },
          { port: PORTS.apiServer, protocol: 'TCP' },
        ],
      };
    case 'metrics-store': {
      // Both URLs' ports, and 80/443 so that a rule wider than intended shows.
      const ports = new Set([
        80,
        PORTS.https,
        ...(env.metrics ? [urlPort(env.metrics.remoteWriteUrl), urlPort(env.metrics.queryUrl)] : []),
      ]);
      return {
        id: peer,
        ip: firstHost(env.metrics?.cidr ?? '192.0.2.0/24'),
        ports: [...ports].sort((a, b) => a - b).map((port) => ({ port, protocol: 'TCP' as const })),
      };
    }
    case 'cluster-pod':
      // Any other workload of the cluster: nothing may reach it, and it may reach nothing of ours.
      return {
        id: peer,
        namespace: 'default',
        podLabels: { app: 'unrelated' },
        ip: '10.244.200.20',
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, protocol: 'TCP' },
          { port: 8080, protocol: 'TCP' },
        ],
      };
  }
}

/** Every party of the environment's reachability matrix: the stack's workloads as rendered, and the outside. */
export function networkEndpoints(env: Environment, rendered: readonly KubeObject[]): Endpoint[] {
  const templates = podTemplates(rendered);
  const inside = workloads(env).map((w, i): Endpoint => {
    const template = templates.find((t) => Object.entries(w.selector).every(([k, v]) => t.labels[k] === v));
    return {
      id: w.id,
      namespace: NAMESPACE,
      podLabels: template?.labels ?? w.selector,
      ip: `10.244.0.${i + 10}`,
      ports: template?.ports ?? [],
    };
  });
  // The internet also answers on every port a flow intends to reach there (an external S3 endpoint's, say).
  const outside = externalPeers(env)
    .map((p) => externalEndpoint(env, p))
    .map((e) => {
      if (e.id !== 'internet') return e;
      const extra = intendedFlows(env).filter(
        (f) => f.to === 'internet' && !e.ports.some((p) => p.port === f.port && p.protocol === f.protocol),
      );
      return { ...e, ports: [...e.ports, ...extra.map((f) => ({ port: f.port, protocol: f.protocol }))] };
    });
  return [...inside, ...outside, externalEndpoint(env, 'cluster-pod')];
}

/** The catalog's intended flows with `*` spelled out as every workload. */
export function concreteIntendedFlows(env: Environment): Flow[] {
  const ids = workloads(env).map((w) => w.id);
  return intendedFlows(env).flatMap((f) =>
    (f.from === '*' ? ids : [f.from]).map((from) => ({ from, to: f.to, port: f.port, protocol: f.protocol })),
  );
}
