import type { V1PodSpec } from '@kubernetes/client-node';
import { describeObject, type KubeObject } from '../kube/object.ts';
import { containersOf, podSpecOf, pointer } from '../kube/pod.ts';
import { isSecret, withStoredBytes } from '../kube/stored-bytes.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';
import { escapePathComponent } from 'fast-json-patch';

/** What may be referenced without being rendered: provided out of band, or by Kubernetes itself. */
export interface ExternalRefs {
  secrets: readonly string[];
  serviceAccounts: readonly string[];
}

interface Workload {
  app: RenderedApp;
  owner: KubeObject;
  labels: Record<string, string>;
  pod: V1PodSpec;
  path: string;
}

function workloads(apps: readonly RenderedApp[]): Workload[] {
  return apps.flatMap((app) =>
    app.objects.flatMap((owner) => {
      const spec = podSpecOf(owner);
      return spec ? [{ app, owner, labels: spec.labels, pod: spec.pod, path: pointer(spec.path) }] : [];
    }),
  );
}

const SERVICE_URL = /\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)\b/g;

/**
 * Objects that name each other must agree across one environment: Services select pods and target
 * their ports; referenced ConfigMaps, Secrets, PVCs, ServiceAccounts and PriorityClasses exist (or are
 * declared external); Service addresses written inside configuration files point at real Services and ports.
 */
export function wiringFindings(apps: readonly RenderedApp[], external: ExternalRefs): Finding[] {
  const findings: Finding[] = [];
  const all = apps.flatMap((app) => app.objects.map((object) => ({ app, object })));
  const names = (kind: string): Set<string> => new Set(all.filter((e) => e.object.kind === kind).map((e) => e.object.metadata.name));
  const [configMaps, secrets, claims, accounts, priorities] = [
    'ConfigMap',
    'Secret',
    'PersistentVolumeClaim',
    'ServiceAccount',
    'PriorityClass',
  ].map(names) as [Set<string>, Set<string>, Set<string>, Set<string>, Set<string>];
  for (const s of external.secrets) secrets.add(s);
  // The keys each rendered Secret will hold; absent when they cannot be known (an ExternalSecret's dataFrom).
  const secretKeys = new Map<string, Set<string> | undefined>();
  for (const { object } of all.filter((e) => isSecret(e.object))) {
    secretKeys.set(object.metadata.name, new Set(Object.keys((withStoredBytes(object)['data'] as object | undefined) ?? {})));
  }
  // The External Secrets Operator creates each ExternalSecret's target Secret (named like it unless target.name says otherwise).
  for (const { object } of all.filter((e) => e.object.kind === 'ExternalSecret')) {
    const spec = object['spec'] as { target?: { name?: string }; data?: { secretKey: string }[]; dataFrom?: unknown[] } | undefined;
    const name = spec?.target?.name ?? object.metadata.name;
    secrets.add(name);
    secretKeys.set(name, spec?.dataFrom?.length ? undefined : new Set((spec?.data ?? []).map((d) => d.secretKey)));
  }
  for (const a of ['default', ...external.serviceAccounts]) accounts.add(a);
  const pods = workloads(apps);

  for (const w of pods) {
    const at = { env: w.app.env, component: w.app.component, object: describeObject(w.owner) };
    const missing = (kind: string, name: string, path: string): void => {
      findings.push({
        rule: 'wiring/missing-reference',
        severity: 'error',
        ...at,
        path: `${w.path}${path}`,
        message: `${kind} ${name} is neither rendered nor declared external`,
      });
    };
    const vct = new Set(
      ((w.owner['spec'] as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []).map(
        (t) => t.metadata.name,
      ),
    );
    (w.pod.volumes ?? []).forEach((v, i) => {
      const configMap = v.configMap?.name;
      const secret = v.secret?.secretName;
      const claim = v.persistentVolumeClaim?.claimName;
      if (configMap && !configMaps.has(configMap)) missing('ConfigMap', configMap, `/volumes/${i}/configMap/name`);
      if (secret && !secrets.has(secret)) missing('Secret', secret, `/volumes/${i}/secret/secretName`);
      if (claim && !claims.has(claim)) missing('PersistentVolumeClaim', claim, `/volumes/${i}/persistentVolumeClaim/claimName`);
    });
    const volumes = new Set([...(w.pod.volumes ?? []).map((v) => v.name), ...vct]);
    for (const { list: field, index: ci, container: c } of containersOf(w.pod, ['containers', 'initContainers'])) {
      (c.env ?? []).forEach((e, ei) => {
        const secret = e.valueFrom?.secretKeyRef?.name;
        const config = e.valueFrom?.configMapKeyRef?.name;
        if (secret && !secrets.has(secret)) missing('Secret', secret, `/${field}/${ci}/env/${ei}/valueFrom/secretKeyRef/name`);
        const key = e.valueFrom?.secretKeyRef?.key;
        const keys = secret ? secretKeys.get(secret) : undefined;
        if (key && keys && !keys.has(key) && !e.valueFrom?.secretKeyRef?.optional) {
          findings.push({
            rule: 'wiring/missing-secret-key',
            severity: 'error',
            ...at,
            path: `${w.path}/${field}/${ci}/env/${ei}/valueFrom/secretKeyRef/key`,
            message: `Secret ${secret ?? ''} as rendered (Secret or ExternalSecret) has no key ${key}`,
          });
        }
        if (config && !configMaps.has(config)) missing('ConfigMap', config, `/${field}/${ci}/env/${ei}/valueFrom/configMapKeyRef/name`);
      });
      (c.volumeMounts ?? []).forEach((m, mi) => {
        if (!volumes.has(m.name)) missing('volume', m.name, `/${field}/${ci}/volumeMounts/${mi}/name`);
      });
    }
    if (w.pod.serviceAccountName && !accounts.has(w.pod.serviceAccountName))
      missing('ServiceAccount', w.pod.serviceAccountName, '/serviceAccountName');
    if (w.pod.priorityClassName && !priorities.has(w.pod.priorityClassName))
      missing('PriorityClass', w.pod.priorityClassName, '/priorityClassName');
  }

  const services = all.filter((e) => e.object.kind === 'Service');
  const portsOf = new Map<string, { numbers: Set<number>; names: Set<string> }>();
  for (const { app, object } of services) {
    const spec = object['spec'] as {
      selector?: Record<string, string>;
      ports?: { name?: string; port: number; targetPort?: number | string }[];
    };
    const at = { env: app.env, component: app.component, object: describeObject(object) };
    portsOf.set(`${object.metadata.name}.${object.metadata.namespace ?? ''}`, {
      numbers: new Set((spec.ports ?? []).map((p) => p.port)),
      names: new Set((spec.ports ?? []).flatMap((p) => (p.name ? [p.name] : []))),
    });
    const selector = spec.selector ?? {};
    const selected = pods.filter(
      (w) =>
        (w.owner.metadata.namespace ?? '') === (object.metadata.namespace ?? '') &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => w.labels[k] === v),
    );
    if (selected.length === 0) {
      findings.push({
        rule: 'wiring/service-selects-nothing',
        severity: 'error',
        ...at,
        path: '/spec/selector',
        message: `selector ${JSON.stringify(selector)} matches no pod template`,
      });
      continue;
    }
    (spec.ports ?? []).forEach((port, i) => {
      const target = port.targetPort ?? port.port;
      for (const w of selected) {
        const has = (w.pod.containers ?? []).some((c) =>
          (c.ports ?? []).some((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target)),
        );
        if (!has)
          findings.push({
            rule: 'wiring/service-port',
            severity: 'error',
            ...at,
            path: `/spec/ports/${i}/targetPort`,
            message: `targets ${String(target)}, which ${describeObject(w.owner)} does not expose`,
          });
      }
    });
  }

  for (const { app, object } of all.filter((e) => e.object.kind === 'ConfigMap')) {
    for (const [key, text] of Object.entries((object['data'] as Record<string, string> | undefined) ?? {})) {
      for (const match of text.matchAll(SERVICE_URL)) {
        const [address, service, , namespace, port] = match as unknown as [string, string, string, string, string];
        const ports = portsOf.get(`${service}.${namespace}`);
        const where = { env: app.env, component: app.component, object: describeObject(object), path: `/data/${escapePathComponent(key)}` };
        if (!ports)
          findings.push({
            rule: 'wiring/config-url',
            severity: 'error',
            ...where,
            message: `${address}: no Service ${namespace}/${service} is rendered`,
          });
        else if (!ports.numbers.has(Number(port)))
          findings.push({
            rule: 'wiring/config-url',
            severity: 'error',
            ...where,
            message: `${address}: Service ${namespace}/${service} has no port ${port}`,
          });
      }
    }
  }
  return findings;
}
