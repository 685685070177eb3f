/**
 * Values the API server assigns on create and keeps on update when the request leaves them empty,
 * so that re-applying a manifest without them changes nothing. Facts from kubernetes
 * `pkg/registry/core/service/storage/storage.go` (v1.34), `patchAllocatedValues` with
 * `needsClusterIP`, `needsNodePort` and `needsHCNodePort`, run by `beginUpdate` on every update:
 * - `spec.clusterIP` "" and an empty `spec.clusterIPs` keep the allocated addresses, unless either
 *   side is `type: ExternalName`;
 * - a port's `nodePort` 0 (or absent) keeps the old port of the same name, unless another port of
 *   the request already uses that number; only when both sides are NodePort, or LoadBalancer with
 *   `allocateLoadBalancerNodePorts` not false;
 * - `spec.healthCheckNodePort` 0 keeps the old one when both sides are LoadBalancer with
 *   `externalTrafficPolicy: Local`.
 */
import { groupOf, type KubeObject } from './object.ts';

type Spec = Record<string, unknown>;
type Port = Record<string, unknown>;

function specOf(object: KubeObject): Spec {
  const spec = object['spec'];
  return typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as Spec) : {};
}

/** `spec.type`, defaulted as the API server defaults it. */
function serviceType(spec: Spec): string {
  return typeof spec['type'] === 'string' && spec['type'] !== '' ? spec['type'] : 'ClusterIP';
}

function needsClusterIP(spec: Spec): boolean {
  return serviceType(spec) !== 'ExternalName';
}

function needsNodePort(spec: Spec): boolean {
  const type = serviceType(spec);
  return type === 'NodePort' || (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
}

function needsHealthCheckNodePort(spec: Spec): boolean {
  return serviceType(spec) === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local';
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === 0 || (Array.isArray(value) && value.length === 0);
}

function portsOf(spec: Spec): Port[] {
  return Array.isArray(spec['ports'])
    ? spec['ports'].filter((port): port is Port => typeof port === 'object' && port !== null && !Array.isArray(port))
    : [];
}

function nodePortsUsed(ports: readonly Port[]): Set<number> {
  return new Set(ports.map((port) => port['nodePort']).filter((value): value is number => typeof value === 'number' && value !== 0));
}

/**
 * The desired manifest as the API server stores it on update over `live`: a Service's allocated
 * addresses and ports filled in where the manifest leaves them empty. Other kinds, and Services with
 * nothing to keep, are returned as they are; the inputs are never mutated.
 */
export function withServerAssigned(desired: KubeObject, live: KubeObject): KubeObject {
  if (desired.kind !== 'Service' || groupOf(desired.apiVersion) !== '') return desired;
  const next = specOf(desired);
  const old = specOf(live);
  const spec: Spec = { ...next };
  if (needsClusterIP(old) && needsClusterIP(next)) {
    if (isEmpty(next['clusterIP']) && !isEmpty(old['clusterIP'])) spec['clusterIP'] = old['clusterIP'];
    if (isEmpty(next['clusterIPs']) && !isEmpty(old['clusterIPs'])) spec['clusterIPs'] = old['clusterIPs'];
  }
  if (needsNodePort(old) && needsNodePort(next)) {
    const oldPorts = portsOf(old);
    const newPorts = portsOf(next);
    const newUsed = nodePortsUsed(newPorts);
    const used = new Set([...nodePortsUsed(oldPorts)].filter((port) => newUsed.has(port)));
    const byName = new Map(oldPorts.map((port) => [String(port['name'] ?? ''), port['nodePort']]));
    if (Array.isArray(next['ports'])) {
      spec['ports'] = next['ports'].map((port: unknown) => {
        if (typeof port !== 'object' || port === null || !isEmpty((port as Port)['nodePort'])) return port;
        const kept = byName.get(String((port as Port)['name'] ?? ''));
        return typeof kept === 'number' && kept !== 0 && !used.has(kept) ? { ...(port as Port), nodePort: kept } : port;
      });
    }
  }
  if (
    needsHealthCheckNodePort(old) &&
    needsHealthCheckNodePort(next) &&
    isEmpty(next['healthCheckNodePort']) &&
    !isEmpty(old['healthCheckNodePort'])
  ) {
    spec['healthCheckNodePort'] = old['healthCheckNodePort'];
  }
  return { ...desired, spec };
}
