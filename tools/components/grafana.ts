import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import { selectorLabels } from '../kube/labels.ts';
import type { Environment } from '../catalog/types.ts';
import { HEALTH } from '../catalog/health.ts';
import { image } from '../catalog/images.ts';
import { PORTS, lokiReadTarget } from '../catalog/flows.ts';
import { NAMESPACE } from '../catalog/names.ts';
import { SECRETS } from '../catalog/secrets.ts';
import { externalUrl } from '../catalog/tls.ts';
import { toYaml } from '../yaml.ts';
import {
  configChecksum,
  configMap,
  httpProbe,
  ingress,
  meta,
  object,
  persistentVolumeClaim,
  podDefaults,
  resources,
  restrictedContainer,
  restrictedPod,
  secretEnv,
  service,
  standardLabels,
  workloadServiceAccount,
} from './common.ts';
import { credentialObjects, restartOnRotation } from './credentials.ts';
import { PRIORITY_STANDARD } from './platform.ts';
import { alertRulesFile, notificationsFile, WEBHOOK_URL_ENV } from './grafana-content/alerts.ts';
import {
  DASHBOARDS_ROOT,
  dashboardConfigMapName,
  dashboardFiles,
  dashboardFolders,
  dashboardProviders,
} from './grafana-content/dashboards.ts';
import { LOKI_DATASOURCE_UID } from './grafana-content/queries.ts';

const UID = 472;
/** uid of the provisioned Prometheus data source, when the environment has a metrics store. */
const PROMETHEUS_DATASOURCE_UID = 'prometheus';
const PROVISIONING = '/etc/grafana/provisioning';

function lokiQueryUrl(env: Environment): string {
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
        // No ruler management: Grafana expects the ruler API at the query URL, and the read path runs
        // no ruler (grafana.com docs, alerting/alerting-rules/create-mimir-loki-managed-rule). Alerts are Grafana-managed.
        jsonData: { maxLines: 1000, timeout: 60, manageAlerts: false },
      },
      // Grafana's Prometheus connector, on the store Alloy writes the stack's metrics to (ADR 14).
      ...(env.metrics
        ? [
            {
              name: 'Prometheus',
              uid: PROMETHEUS_DATASOURCE_UID,
              type: 'prometheus',
              access: 'proxy',
              url: env.metrics.queryUrl,
              isDefault: false,
              editable: false,
              jsonData: { httpMethod: 'POST', timeInterval: '60s' },
            },
          ]
        : []),
    ],
  });
}

function grafanaIni(env: Environment): string {
  return [
    '[server]',
    `root_url = ${externalUrl(env, env.ingress.grafanaHost)}/`,
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

/** Every file Grafana is provisioned with, each ConfigMap's data: its ini, data sources, dashboard providers and folders, and alerting. */
interface Provisioning {
  ini: string;
  sources: string;
  providers: string;
  folders: { folder: ReturnType<typeof dashboardFolders>[number]; name: string; files: Record<string, string> }[];
  alerting: Record<string, string>;
}

function provisioning(env: Environment): Provisioning {
  const folders = dashboardFolders().map((folder) => ({ folder, name: dashboardConfigMapName(folder), files: dashboardFiles(folder) }));
  const notifications = notificationsFile(env);
  return {
    ini: grafanaIni(env),
    sources: datasources(env),
    providers: dashboardProviders(folders.map((f) => f.folder)),
    folders,
    alerting: { 'rules.yaml': alertRulesFile(env), ...(notifications ? { 'notifications.yaml': notifications } : {}) },
  };
}

/** One ConfigMap per provisioning directory (and per dashboard folder). */
function provisioningConfigMaps(labels: Record<string, string>, files: Provisioning): KubeObject[] {
  return [
    configMap('grafana-config', labels, { 'grafana.ini': files.ini }),
    configMap('grafana-datasources', labels, { 'datasources.yaml': files.sources }),
    configMap('grafana-dashboard-providers', labels, { 'dashboards.yaml': files.providers }),
    ...files.folders.map((f) => configMap(f.name, labels, f.files)),
    configMap('grafana-alerting', labels, files.alerting),
  ];
}

/** The Grafana container: credentials from Secrets, the provisioning directories mounted read-only. */
function grafanaContainer(env: Environment, folders: Provisioning['folders']): V1Container {
  const contactPoint = env.grafana.alerting.contactPoint;
  return {
    name: 'grafana',
    image: image('grafana'),
    // First: a strategic merge patch puts list entries the base lacks before the base's.
    env: [
      ...(contactPoint ? [secretEnv(WEBHOOK_URL_ENV, SECRETS[contactPoint.urlSecret].name, 'url')] : []),
      secretEnv('GF_SECURITY_ADMIN_USER', SECRETS.grafanaAdmin.name, 'admin-user'),
      secretEnv('GF_SECURITY_ADMIN_PASSWORD', SECRETS.grafanaAdmin.name, 'admin-password'),
    ],
    ports: [{ name: 'grafana', containerPort: PORTS.grafanaHttp, protocol: 'TCP' }],
    // Readiness asks the database too (/api/health); liveness only the web server (/healthz): tools/catalog/health.ts.
    readinessProbe: httpProbe(HEALTH.grafana.readiness, 'grafana'),
    livenessProbe: httpProbe(HEALTH.grafana.liveness, 'grafana', { initialDelaySeconds: 60, failureThreshold: 10 }),
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
  };
}

/** Grafana's Deployment, rolled when any provisioned file or a credential read at start changes. */
function grafanaDeployment(
  env: Environment,
  labels: Record<string, string>,
  selector: Record<string, string>,
  files: Provisioning,
): KubeObject {
  const contactPoint = env.grafana.alerting.contactPoint;
  // The webhook URL is read into the provisioned contact point at start; the admin password only seeds
  // the admin user on first start (a restart does not change it: README, "Rotating credentials").
  const rotation = restartOnRotation(env, contactPoint ? [contactPoint.urlSecret] : []);
  // Every provisioned file, so a change to any of them rolls the pod.
  const provisioned = [
    files.ini,
    files.sources,
    files.providers,
    ...Object.values(files.alerting),
    ...files.folders.flatMap((f) => Object.values(f.files)),
  ].join('\n');
  const folders = files.folders;
  return object<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('grafana', labels, rotation.workload ? { annotations: rotation.workload } : {}),
    spec: {
      replicas: env.grafana.replicas,
      // SQLite on a ReadWriteOnce volume: one pod at a time (docs/adr/0005-grafana-single-replica.md).
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, annotations: { ...configChecksum(provisioned), ...rotation.pod } },
        spec: {
          ...podDefaults(PRIORITY_STANDARD, 'grafana'),
          securityContext: restrictedPod(UID),
          containers: [grafanaContainer(env, folders)],
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
  });
}

/** Wave 3: Grafana with Loki provisioned as its datasource, behind the `grafana.local` Ingress. */
export function grafana(env: Environment): KubeObject[] {
  const labels = standardLabels('grafana');
  const selector = selectorLabels('grafana');
  const files = provisioning(env);
  const contactPoint = env.grafana.alerting.contactPoint;
  return [
    workloadServiceAccount('grafana', labels),
    ...credentialObjects(env, 'grafanaAdmin', labels),
    ...(contactPoint ? credentialObjects(env, contactPoint.urlSecret, labels) : []),
    ...provisioningConfigMaps(labels, files),
    persistentVolumeClaim(env, 'grafana-data', labels, env.grafana.volumeSize),
    grafanaDeployment(env, labels, selector, files),
    service('grafana', labels, selector, [{ name: 'http', port: PORTS.grafanaHttp, targetPort: 'grafana' }]),
    ingress(env, 'grafana', labels, env.ingress.grafanaHost, { service: 'grafana', port: 'http' }),
  ];
}
