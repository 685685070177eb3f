import type { V1Deployment, V1Ingress } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { image } from '../catalog/images.ts';
import { PORTS, lokiReadTarget } from '../catalog/flows.ts';
import { SECRETS } from '../catalog/secrets.ts';
import { toYaml } from '../yaml.ts';
import {
  NAMESPACE,
  configChecksum,
  configMap,
  httpProbe,
  meta,
  object,
  persistentVolumeClaim,
  podDefaults,
  resources,
  restrictedContainer,
  restrictedPod,
  secretEnv,
  selectorLabels,
  service,
  standardLabels,
} from './common.ts';
import { devSecret } from './minio.ts';
import { PRIORITY_STANDARD } from './platform.ts';

const UID = 472;
export const LOKI_DATASOURCE_UID = 'loki';

export function lokiQueryUrl(env: Environment): string {
  return `http://${lokiReadTarget(env)}.${NAMESPACE}.svc.cluster.local:${PORTS.lokiHttp}`;
}

export function datasources(env: Environment): string {
  return toYaml({
    apiVersion: 1,
    datasources: [
      {
        name: 'Loki',
        uid: LOKI_DATASOURCE_UID,
        type: 'loki',
        access: 'proxy',
        url: lokiQueryUrl(env),
        isDefault: true,
        editable: false,
        jsonData: { maxLines: 1000, timeout: 60 },
      },
    ],
  });
}

function grafanaIni(env: Environment): string {
  return [
    '[server]',
    `root_url = http://${env.ingress.grafanaHost}/`,
    '',
    '[paths]',
    'data = /var/lib/grafana',
    'provisioning = /etc/grafana/provisioning',
    '',
    '[log]',
    'mode = console',
    '',
    '[analytics]',
    'reporting_enabled = false',
    'check_for_updates = false',
    '',
  ].join('\n');
}

/** Wave 3: Grafana with Loki provisioned as its datasource, behind the `grafana.local` Ingress. */
export function grafana(env: Environment): KubeObject[] {
  const labels = standardLabels('grafana');
  const selector = selectorLabels('grafana');
  const ini = grafanaIni(env);
  const sources = datasources(env);
  return [
    ...devSecret(env, 'grafanaAdmin', labels),
    configMap('grafana-config', labels, { 'grafana.ini': ini }),
    configMap('grafana-datasources', labels, { 'datasources.yaml': sources }),
    persistentVolumeClaim(env, 'grafana-data', labels, env.grafana.volumeSize),
    object<V1Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('grafana', labels),
      spec: {
        replicas: env.grafana.replicas,
        // SQLite on a ReadWriteOnce volume: one pod at a time (docs/adr/0005-grafana-single-replica.md).
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: configChecksum(ini + sources) },
          spec: {
            ...podDefaults(PRIORITY_STANDARD),
            securityContext: restrictedPod(UID),
            containers: [
              {
                name: 'grafana',
                image: image('grafana'),
                env: [
                  secretEnv('GF_SECURITY_ADMIN_USER', SECRETS.grafanaAdmin.name, 'admin-user'),
                  secretEnv('GF_SECURITY_ADMIN_PASSWORD', SECRETS.grafanaAdmin.name, 'admin-password'),
                ],
                ports: [{ name: 'grafana', containerPort: PORTS.grafanaHttp, protocol: 'TCP' }],
                readinessProbe: httpProbe('/api/health', 'grafana'),
                livenessProbe: httpProbe('/api/health', 'grafana', { initialDelaySeconds: 60, failureThreshold: 10 }),
                resources: resources(env.grafana.resources),
                securityContext: restrictedContainer(),
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini', readOnly: true },
                  { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true },
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'grafana-config' } },
              { name: 'datasources', configMap: { name: 'grafana-datasources' } },
              { name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    }),
    service('grafana', labels, selector, [{ name: 'http', port: PORTS.grafanaHttp, targetPort: 'grafana' }]),
    object<V1Ingress>({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('grafana', labels),
      spec: {
        ingressClassName: env.ingress.className,
        rules: [
          {
            host: env.ingress.grafanaHost,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { name: 'http' } } } }] },
          },
        ],
      },
    }),
  ];
}
