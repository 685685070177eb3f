/** Test objects: desired manifests, and what an API server returns for them after Argo CD applied them. */
import type { KubeObject } from '../../tools/kube/object.ts';

/** The API server's canonical form of the quantities used here (it stores `0.5` as `500m`). */
const CANONICAL: Record<string, string> = { '0.5': '500m', '1024Mi': '1Gi' };

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A Deployment as kustomize renders it from git. */
export function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'grafana', namespace: 'observability', labels: { 'app.kubernetes.io/name': 'grafana' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'grafana' } },
        spec: {
          containers: [
            {
              name: 'grafana',
              image: 'docker.io/grafana/grafana:13.2.0',
              env: [
                { name: 'GF_LOG_MODE', value: 'console' },
                { name: 'GF_PATHS_DATA', value: '/var/lib/grafana' },
              ],
              ports: [{ name: 'grafana', containerPort: 3000 }],
              resources: { requests: { cpu: 0.5, memory: '1024Mi' }, limits: { cpu: 1, memory: '2Gi' } },
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/grafana' },
                { name: 'tmp', mountPath: '/tmp', readOnly: false },
              ],
            },
            {
              name: 'sidecar',
              image: 'docker.io/library/busybox:1.37',
              args: ['sleep', 'infinity'],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/**
 * What the API server returns for `desired` after Argo CD applied it (client-side apply):
 * defaults in the spec and inside list items, canonical quantities, bookkeeping metadata, status.
 */
export function applied(desired: KubeObject, app = 'dev-grafana'): KubeObject {
  const live = clone(desired) as KubeObject & { spec?: Record<string, unknown> };
  live.metadata = {
    ...live.metadata,
    uid: '3f1c7a52-0000-4000-8000-000000000001',
    resourceVersion: '4711',
    generation: 3,
    creationTimestamp: '2026-01-02T03:04:05Z',
    labels: { ...live.metadata.labels, 'app.kubernetes.io/instance': app },
    annotations: {
      ...live.metadata.annotations,
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(desired),
      'deployment.kubernetes.io/revision': '7',
    },
    managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }],
  };
  const template = (live.spec?.['template'] as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (template) {
    Object.assign(template, {
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
    });
    for (const container of template['containers'] as Record<string, unknown>[]) {
      Object.assign(container, {
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      });
      for (const port of (container['ports'] ?? []) as Record<string, unknown>[]) port['protocol'] ??= 'TCP';
      const resources = (container['resources'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
      for (const values of [resources['requests'], resources['limits']]) {
        for (const [name, value] of Object.entries(values ?? {})) if (values) values[name] = CANONICAL[String(value)] ?? String(value);
      }
      for (const mount of (container['volumeMounts'] ?? []) as Record<string, unknown>[])
        if (mount['readOnly'] === false) delete mount['readOnly'];
    }
    for (const volume of (template['volumes'] ?? []) as Record<string, unknown>[]) {
      if (volume['emptyDir']) volume['emptyDir'] = {};
    }
    Object.assign(live.spec ?? {}, {
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
  }
  live['status'] = { observedGeneration: 3, replicas: 2, readyReplicas: 2 };
  return live;
}

export function containers(object: KubeObject): Record<string, unknown>[] {
  const spec = object['spec'] as { template: { spec: { containers: Record<string, unknown>[] } } };
  return spec.template.spec.containers;
}

/** A CustomResourceDefinition of `group`/v1 `kind` whose schema gives `spec` these properties (apiextensions.k8s.io/v1). */
export function customResourceDefinition(group: string, kind: string, spec: Record<string, unknown>): KubeObject {
  const openAPIV3Schema = { type: 'object', properties: { spec: { type: 'object', properties: spec } } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.toLowerCase()}s.${group}` },
    spec: { group, names: { kind }, versions: [{ name: 'v1', schema: { openAPIV3Schema } }] },
  };
}
