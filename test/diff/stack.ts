import type { KubeObject } from '../../tools/kube/object.ts';
import type { RenderedApp, RenderedTree } from '../../tools/render/tree.ts';

/** Small, realistic objects of the observability stack, to build base and head trees from. */

const NS = 'observability';

function labels(name: string, component?: string): Record<string, string> {
  return {
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'observability-stack',
  };
}

export function namespace(): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'app.kubernetes.io/part-of': 'observability-stack' } } };
}

export function lokiStatefulSet(target: string, options: { image?: string; replicas?: number; storage?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `loki-${target}`, namespace: NS, labels: labels('loki', target) },
    spec: {
      podManagementPolicy: 'Parallel',
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { 'app.kubernetes.io/component': target, 'app.kubernetes.io/name': 'loki' } },
      serviceName: `loki-${target}-headless`,
      template: {
        metadata: { labels: labels('loki', target) },
        spec: {
          containers: [
            {
              name: 'loki',
              image: options.image ?? 'docker.io/grafana/loki:3.7.6',
              args: ['-config.file=/etc/loki/config.yaml', '-config.expand-env=true', `-target=${target}`],
              ports: [{ containerPort: 3100, name: 'http-metrics', protocol: 'TCP' }],
              resources: { limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '250m', memory: '512Mi' } },
              volumeMounts: [{ mountPath: '/var/loki', name: 'data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: labels('loki', target) },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: options.storage ?? '50Gi' } } },
        },
      ],
    },
  };
}

export function grafanaDeployment(options: { image?: string; replicas?: number; sidecar?: string } = {}): KubeObject {
  const containers: unknown[] = [
    {
      name: 'grafana',
      image: options.image ?? 'docker.io/grafana/grafana:12.3.1',
      env: [{ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { key: 'admin-password', name: 'grafana-admin' } } }],
      ports: [{ containerPort: 3000, name: 'http', protocol: 'TCP' }],
    },
  ];
  if (options.sidecar) containers.push({ name: 'dashboards', image: options.sidecar });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'grafana', namespace: NS, labels: labels('grafana') },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
      strategy: { type: 'Recreate' },
      template: { metadata: { labels: labels('grafana') }, spec: { containers } },
    },
  };
}

export function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, labels: labels(name) },
    spec: {
      ports: [{ name: 'http', port: 3000, protocol: 'TCP', targetPort: 'http' }],
      selector: { 'app.kubernetes.io/name': name },
      type: 'ClusterIP',
      ...spec,
    },
  };
}

export function claim(name: string, storage: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS, labels: labels('grafana') },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...extra },
  };
}

export function secret(name: string, stringData: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS, labels: labels('minio'), annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
    stringData,
    type: 'Opaque',
    ...extra,
  };
}

export function configMap(name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: labels(name) }, data, ...extra };
}

export function bucketJob(command: string, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'minio-make-bucket', namespace: NS, labels: labels('minio', 'bucket'), annotations },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: labels('minio', 'bucket') },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [{ name: 'mc', image: 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z', command: ['/bin/sh', '-c', command] }],
        },
      },
    },
  };
}

export function app(env: string, component: string, objects: KubeObject[]): RenderedApp {
  return { env, component, dir: `overlays/${env}/${component}`, objects };
}

export function tree(...apps: RenderedApp[]): RenderedTree {
  return { apps };
}

/** A base tree shaped like the real stack: both environments, every component. */
export function stackTree(env: string): RenderedApp[] {
  return [
    app(env, 'grafana', [service('grafana'), claim('grafana-data', '10Gi'), grafanaDeployment()]),
    app(env, 'loki', [service('loki-write'), lokiStatefulSet('write'), lokiStatefulSet('backend')]),
    app(env, 'minio', [secret('minio-credentials', { 'root-user': `${env}-minio-admin`, 'root-password': `${env}-only-minio-password` })]),
    app(env, 'platform', [namespace()]),
  ];
}
