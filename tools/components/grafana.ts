import type { V1Deployment, V1Ingress } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { image } from '../catalog/images.ts';
import { PORTS, lokiReadTarget } from '../catalog/flows.ts';
import { NAMESPACE } from '../catalog/names.ts';
import { SECRETS } from '../catalog/secrets.ts';
import { toYaml } from '../yaml.ts';
import {
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
import { alertRulesFile, notificationsFile, WEBHOOK_URL_ENV } from './grafana-content/alerts.ts';
import { DASHBOARDS_ROOT, dashboardConfigMapName, dashboardFiles, dashboardFolders, dashboardProviders } from './grafana-content/dashboards.ts';
import { LOKI_DATASOURCE_UID } from './grafana-content/queries.ts';

export { LOKI_DATASOURCE_UID };

const UID = 472;
const PROVISIONING = '/etc/grafana/provisioning';

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
    `provisioning = ${PROVISIONING}`,
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
  const folders = dashboardFolders().map((folder) => ({ folder, name: dashboardConfigMapName(folder), files: dashboardFiles(folder) }));
  const providers = dashboardProviders(folders.map((f) => f.folder));
  const notifications = notificationsFile(env);
  const alerting = { 'rules.yaml': alertRulesFile(env), ...(notifications ? { 'notifications.yaml': notifications } : {}) };
  const contactPoint = env.grafana.alerting.contactPoint;
  // Every provisioned file, so a change to any of them rolls the pod.
  const provisioned = [ini, sources, providers, ...Object.values(alerting), ...folders.flatMap((f) => Object.values(f.files))].join('\n');
  return [
    ...devSecret(env, 'grafanaAdmin', labels),
    ...(contactPoint ? devSecret(env, contactPoint.urlSecret, labels) : []),
    configMap('grafana-config', labels, { 'grafana.ini': ini }),
    configMap('grafana-datasources', labels, { 'datasources.yaml': sources }),
    configMap('grafana-dashboard-providers', labels, { 'dashboards.yaml': providers }),
    ...folders.map((f) => configMap(f.name, labels, f.files)),
    configMap('grafana-alerting', labels, alerting),
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
          metadata: { labels, annotations: configChecksum(provisioned) },
          spec: {
            ...podDefaults(PRIORITY_STANDARD),
            securityContext: restrictedPod(UID),
            containers: [
              {
                name: 'grafana',
                image: image('grafana'),
                // First: a strategic merge patch puts list entries the base lacks before the base's.
                env: [
                  ...(contactPoint ? [secretEnv(WEBHOOK_URL_ENV, SECRETS[contactPoint.urlSecret].name, 'url')] : []),
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
                  { name: 'datasources', mountPath: `${PROVISIONING}/datasources`, readOnly: true },
                  { name: 'dashboard-providers', mountPath: `${PROVISIONING}/dashboards`, readOnly: true },
                  { name: 'alerting', mountPath: `${PROVISIONING}/alerting`, readOnly: true },
                  ...folders.map((f) => ({ name: f.name, mountPath: `${DASHBOARDS_ROOT}/${f.folder.slug}`, readOnly: true })),
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'grafana-config' } },
              { name: 'datasources', configMap: { name: 'grafana-datasources' } },
              { name: 'dashboard-providers', configMap: { name: 'grafana-dashboard-providers' } },
              { name: 'alerting', configMap: { name: 'grafana-alerting' } },
              ...folders.map((f) => ({ name: f.name, configMap: { name: f.name } })),
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
