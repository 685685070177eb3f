import { createHash } from 'node:crypto';
import type {
  V1Container,
  V1EnvVar,
  V1PodSecurityContext,
  V1PodSpec,
  V1Probe,
  V1SecurityContext,
  V1Service,
  V1ServicePort,
  V1PersistentVolumeClaim,
  V1ConfigMap,
  V1PodDisruptionBudget,
  V1ServiceAccount,
  V1Ingress,
} from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import { PART_OF_LABEL, selectorLabels } from '../kube/labels.ts';
import type { Environment, Quantity, Resources } from '../catalog/types.ts';
import { NAMESPACE, PART_OF } from '../catalog/names.ts';
import { CERT_MANAGER_ISSUER_ANNOTATION, tlsSecretName } from '../catalog/tls.ts';

/** Labels every generated object carries; `part-of` is what the drift reader's label selector lists. */
export function standardLabels(name: string, component?: string): Record<string, string> {
  return { ...selectorLabels(name, component), [PART_OF_LABEL]: PART_OF };
}

/** Metadata as generated objects carry it: assignable both to client-node's V1ObjectMeta and to KubeObject's. */
export type Meta = { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };

export function meta(
  name: string,
  labels: Record<string, string>,
  extra: { annotations?: Record<string, string>; clusterScoped?: boolean } = {},
): Meta {
  return {
    name,
    ...(extra.clusterScoped ? {} : { namespace: NAMESPACE }),
    labels,
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  };
}

/** A typed client-node model as the plain object the generator serializes. */
export function object<T extends { apiVersion?: string; kind?: string; metadata?: object }>(value: T): KubeObject {
  return value as unknown as KubeObject;
}

/** The seed's container controls: non-root, read-only root filesystem, no capabilities, no escalation. */
export function restrictedContainer(): V1SecurityContext {
  return {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedPod(uid: number): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function resources(r: Resources): NonNullable<V1Container['resources']> {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}

export function httpProbe(path: string, port: string, timing: Partial<V1Probe> = {}): V1Probe {
  return { httpGet: { path, port }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, ...timing };
}

export function secretEnv(name: string, secret: string, key: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/**
 * Pod spec fields every workload shares: its own ServiceAccount (named like the workload, see
 * `workloadServiceAccount`), no API token unless it needs one, the stack's priority.
 */
export function podDefaults(
  priorityClassName: string,
  serviceAccountName: string,
): Pick<V1PodSpec, 'automountServiceAccountToken' | 'priorityClassName' | 'enableServiceLinks' | 'serviceAccountName'> {
  return { serviceAccountName, automountServiceAccountToken: false, enableServiceLinks: false, priorityClassName };
}

/** A workload's own identity; without `token` no API token is mounted into its pods (docs/adr/0011-rbac-per-workload.md). */
export function workloadServiceAccount(name: string, labels: Record<string, string>, token = false): KubeObject {
  return object<V1ServiceAccount>({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(name, labels),
    automountServiceAccountToken: token,
  });
}

export function service(
  name: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  ports: V1ServicePort[],
  options: { headless?: boolean; publishNotReadyAddresses?: boolean } = {},
): KubeObject {
  const spec: NonNullable<V1Service['spec']> = {
    type: 'ClusterIP',
    ...(options.headless ? { clusterIP: 'None' } : {}),
    ...(options.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    selector,
    ports: ports.map((port) => ({ protocol: 'TCP', ...port })),
  };
  return object<V1Service>({ apiVersion: 'v1', kind: 'Service', metadata: meta(name, labels), spec });
}

export function persistentVolumeClaim(env: Environment, name: string, labels: Record<string, string>, size: Quantity): KubeObject {
  return object<V1PersistentVolumeClaim>({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(name, labels),
    spec: claimSpec(env, size),
  });
}

export function claimSpec(env: Environment, size: Quantity): NonNullable<V1PersistentVolumeClaim['spec']> {
  return {
    accessModes: ['ReadWriteOnce'],
    ...(env.storageClassName ? { storageClassName: env.storageClassName } : {}),
    resources: { requests: { storage: size } },
  };
}

export function configMap(name: string, labels: Record<string, string>, data: Record<string, string>): KubeObject {
  return object<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, labels), data });
}

export function disruptionBudget(name: string, labels: Record<string, string>, selector: Record<string, string>): KubeObject {
  return object<V1PodDisruptionBudget>({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(name, labels),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  });
}

/** Argo CD orders resources inside one Application by this annotation (lower first). */
export function syncWave(wave: number): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': String(wave) };
}

/** A checksum annotation makes pods roll when their configuration text changes. */
export function configChecksum(text: string): Record<string, string> {
  return { 'checksum/config': createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

/**
 * An Ingress for one host and one Service port, terminating TLS as the environment says: a `tls`
 * section with cert-manager's issuer annotation, or with the environment's own Secret; none only
 * under the environment's named exception (tools/catalog/tls.ts, docs/adr/0012-ingress-tls.md).
 */
export function ingress(
  env: Environment,
  name: string,
  labels: Record<string, string>,
  host: string,
  backend: { service: string; port: string },
): KubeObject {
  const tls = env.ingress.tls;
  const secretName = tlsSecretName(env, name);
  const annotations = tls.mode === 'cert-manager' ? { [CERT_MANAGER_ISSUER_ANNOTATION[tls.issuer.kind]]: tls.issuer.name } : undefined;
  return object<V1Ingress>({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(name, labels, annotations ? { annotations } : {}),
    spec: {
      ingressClassName: env.ingress.className,
      ...(secretName ? { tls: [{ hosts: [host], secretName }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend.service, port: { name: backend.port } } } }],
          },
        },
      ],
    },
  });
}
