import { isIP } from 'node:net';
import { compareQuantities } from '../kube/quantity.ts';
import type { Environment, LokiTarget, Quantity, Resources } from './types.ts';
import { PORTS, lokiTargets } from './flows.ts';
import { COMPONENT_NAMES } from './waves.ts';

/** A catalog value that cannot be generated; the message names environment, component and field. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/** Label keys and values as the API server validates them (apimachinery `validation.IsQualifiedName`, `IsValidLabelValue`). */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * An IPv4 or IPv6 CIDR as a NetworkPolicy `ipBlock.cidr` takes it: an address Node's own parser
 * (`net.isIP`) accepts, a prefix within the family's bits. `999.18.0.0/99` is refused.
 */
function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const family = isIP(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

type Check = (ok: boolean, component: string, field: string, message: string) => void;

function checker(env: Environment, problems: string[]): Check {
  return (ok, component, field, message) => {
    if (!ok) problems.push(`${env.name}/${component}: ${field}: ${message}`);
  };
}

function wholeAtLeast(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

/** A quantity the overlays write as a size, count or limit: well-formed and above zero. */
function checkQuantity(check: Check, component: string, field: string, value: Quantity): void {
  if (!QUANTITY.test(value)) check(false, component, field, `"${value}" is not a Kubernetes quantity (e.g. 500m, 1Gi)`);
  else check(compareQuantities(value, '0') === 1, component, field, `"${value}" must be more than 0`);
}

function checkLabels(check: Check, component: string, field: string, labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    check(LABEL_KEY.test(key), component, `${field}.${key}`, `"${key}" is not a label key`);
    check(LABEL_VALUE.test(value), component, `${field}.${key}`, `"${value}" is not a label value (≤ 63 letters, digits, '-', '_', '.')`);
  }
}

function checkResources(check: Check, component: string, field: string, r: Resources): void {
  for (const side of ['requests', 'limits'] as const) {
    for (const key of ['cpu', 'memory'] as const) checkQuantity(check, component, `${field}.${side}.${key}`, r[side][key]);
  }
}

function checkEnvironment(env: Environment, problems: string[]): void {
  const check = checker(env, problems);
  check(DNS_LABEL.test(env.name), 'catalog', 'name', `"${env.name}" must be a DNS label (lowercase letters, digits, '-')`);
  check(env.targetRevision.trim() !== '', 'catalog', 'targetRevision', 'must name a git revision, e.g. main');
  check(
    isCidr(env.cluster.apiServerCidr),
    'platform',
    'cluster.apiServerCidr',
    `"${env.cluster.apiServerCidr}" is not a CIDR (address/prefix, e.g. 10.0.0.0/24)`,
  );
  check(env.cluster.name.trim() !== '', 'catalog', 'cluster.name', 'must name the Argo CD cluster (argocd cluster add, or in-cluster)');
  check(
    /^https:\/\/[^/\s]+/.test(env.cluster.server),
    'catalog',
    'cluster.server',
    `"${env.cluster.server}" must be the API server's https:// URL`,
  );
  if (env.storageClassName !== undefined)
    check(DNS_NAME.test(env.storageClassName), 'platform', 'storageClassName', `"${env.storageClassName}" is not a DNS name`);
  if (env.metrics) {
    for (const field of ['remoteWriteUrl', 'queryUrl'] as const) {
      const url = env.metrics[field];
      check(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), 'alloy', `metrics.${field}`, `"${url}" is not an http(s) URL`);
    }
    check(isCidr(env.metrics.cidr), 'alloy', 'metrics.cidr', `"${env.metrics.cidr}" is not a CIDR (address/prefix, e.g. 10.0.0.0/24)`);
  }
  const store = env.secretStore;
  check(
    (env.credentials === 'external-secrets') === (store !== undefined),
    'platform',
    'secretStore',
    env.credentials === 'external-secrets'
      ? 'credentials: external-secrets needs a secretStore (kind, name, keyPrefix, refreshInterval)'
      : `is only read with credentials: external-secrets, not ${env.credentials}`,
  );
  if (store) {
    check(DNS_NAME.test(store.name), 'platform', 'secretStore.name', `"${store.name}" is not a Kubernetes object name`);
    check(
      /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(store.refreshInterval),
      'platform',
      'secretStore.refreshInterval',
      `"${store.refreshInterval}" is not a Go duration (e.g. 1h)`,
    );
    check(
      store.keyPrefix.trim() !== '' && !store.keyPrefix.endsWith('/'),
      'platform',
      'secretStore.keyPrefix',
      'must be a non-empty path without a trailing "/"',
    );
  }
  const seen = new Set<string>();
  for (const name of env.components) {
    check(COMPONENT_NAMES.includes(name), name, 'components', `unknown component "${name}"; known: ${COMPONENT_NAMES.join(', ')}`);
    check(!seen.has(name), name, 'components', `"${name}" is listed twice`);
    seen.add(name);
  }
  check(env.components.includes('platform'), 'platform', 'components', 'every environment needs platform (namespace, RBAC, policies)');
  const hasMinio = env.components.includes('minio');
  check(
    hasMinio === (env.objectStore.kind === 'minio'),
    'minio',
    'objectStore.kind',
    hasMinio
      ? 'minio is deployed but objectStore.kind is not "minio"'
      : 'objectStore.kind is "minio" but the minio component is not deployed',
  );
  if (env.objectStore.kind === 'minio') {
    checkQuantity(check, 'minio', 'objectStore.volumeSize', env.objectStore.volumeSize);
    checkResources(check, 'minio', 'objectStore.resources', env.objectStore.resources);
    check(
      wholeAtLeast(env.objectStore.noncurrentVersionExpiryDays, 1),
      'minio',
      'objectStore.noncurrentVersionExpiryDays',
      'must be a whole number of days ≥ 1',
    );
  } else {
    check(
      /^[^/:\s]+(:\d+)?$/.test(env.objectStore.endpoint),
      'loki',
      'objectStore.endpoint',
      `"${env.objectStore.endpoint}" must be host[:port], no scheme`,
    );
    check(env.objectStore.region.trim() !== '', 'loki', 'objectStore.region', 'must name the S3 region (e.g. us-east-1)');
  }

  const loki = env.loki;
  const targets = lokiTargets(env);
  for (const target of Object.keys(loki.replicas) as LokiTarget[]) {
    check(
      targets.includes(target),
      'loki',
      `loki.replicas.${target}`,
      `not a target of ${loki.mode} mode (targets: ${targets.join(', ')})`,
    );
  }
  for (const target of targets) {
    const replicas = loki.replicas[target];
    check(wholeAtLeast(replicas, 1), 'loki', `loki.replicas.${target}`, `must be a whole number ≥ 1, got ${String(replicas)}`);
    const r = loki.resources[target];
    if (r) checkResources(check, 'loki', `loki.resources.${target}`, r);
    else check(false, 'loki', `loki.resources.${target}`, 'is missing');
  }
  const writers = loki.replicas[loki.mode === 'monolithic' ? 'all' : 'write'] ?? 0;
  check(
    wholeAtLeast(loki.replicationFactor, 1) && loki.replicationFactor <= Math.max(writers, 1),
    'loki',
    'loki.replicationFactor',
    `must be between 1 and the number of write replicas (${writers}), got ${loki.replicationFactor}`,
  );
  check(
    wholeAtLeast(loki.retentionHours, 24),
    'loki',
    'loki.retentionHours',
    `must be a whole number of hours ≥ 24 (Loki's index period), got ${loki.retentionHours}`,
  );
  checkQuantity(check, 'loki', 'loki.volumeSize', loki.volumeSize);

  check(wholeAtLeast(env.grafana.replicas, 0), 'grafana', 'grafana.replicas', `must be a whole number ≥ 0, got ${env.grafana.replicas}`);
  check(
    env.grafana.replicas <= 1,
    'grafana',
    'grafana.replicas',
    'more than 1 needs a shared SQL database; with SQLite Grafana runs one replica (docs/adr/0005-grafana-single-replica.md)',
  );
  checkQuantity(check, 'grafana', 'grafana.volumeSize', env.grafana.volumeSize);
  checkResources(check, 'grafana', 'grafana.resources', env.grafana.resources);
  checkResources(check, 'alloy', 'alloy.resources', env.alloy.resources);
  checkResources(check, 'platform', 'limits.containerDefaults', env.limits.containerDefaults);
  const quota = env.limits.quota;
  for (const field of ['requestsCpu', 'requestsMemory', 'limitsCpu', 'limitsMemory', 'requestsStorage'] as const)
    checkQuantity(check, 'platform', `limits.quota.${field}`, quota[field]);
  for (const field of ['pods', 'persistentVolumeClaims'] as const) {
    check(wholeAtLeast(quota[field], 1), 'platform', `limits.quota.${field}`, `must be a whole number ≥ 1, got ${quota[field]}`);
  }
  const threshold = env.grafana.alerting.errorLinesPerSecond;
  check(
    Number.isFinite(threshold) && threshold > 0,
    'grafana',
    'grafana.alerting.errorLinesPerSecond',
    `must be a number of lines per second above 0, got ${threshold}`,
  );
  const contactPoint = env.grafana.alerting.contactPoint;
  if (contactPoint) check(contactPoint.name.trim() !== '', 'grafana', 'grafana.alerting.contactPoint.name', 'must name the contact point');

  check(DNS_NAME.test(env.ingress.className), 'platform', 'ingress.className', `"${env.ingress.className}" is not an IngressClass name`);
  check(
    DNS_LABEL.test(env.ingress.controllerNamespace),
    'platform',
    'ingress.controllerNamespace',
    `"${env.ingress.controllerNamespace}" is not a namespace name (DNS label)`,
  );
  checkLabels(check, 'platform', 'ingress.controllerPodLabels', env.ingress.controllerPodLabels);

  for (const field of ['grafanaHost', 'minioConsoleHost'] as const) {
    check(DNS_NAME.test(env.ingress[field]), 'platform', `ingress.${field}`, `"${env.ingress[field]}" is not a DNS name`);
  }
  check(
    env.ingress.grafanaHost !== env.ingress.minioConsoleHost,
    'platform',
    'ingress.minioConsoleHost',
    'must differ from ingress.grafanaHost',
  );
  const tls = env.ingress.tls;
  if (tls.mode === 'cert-manager')
    check(DNS_NAME.test(tls.issuer.name), 'platform', 'ingress.tls.issuer.name', `"${tls.issuer.name}" is not a Kubernetes object name`);
  if (tls.mode === 'secret')
    check(DNS_NAME.test(tls.secretName), 'platform', 'ingress.tls.secretName', `"${tls.secretName}" is not a Kubernetes object name`);
  if (tls.mode === 'none') {
    check(
      tls.exception.name.trim() !== '' && tls.exception.reason.trim() !== '',
      'platform',
      'ingress.tls.exception',
      'plain HTTP needs a named exception and its reason',
    );
  }
}

/** Throws one CatalogError listing every problem, first line first; nothing is generated from a bad catalog. */
export function validateCatalog(environments: readonly Environment[]): void {
  const problems: string[] = [];
  const portOwners = new Map<number, string>();
  for (const [name, port] of Object.entries(PORTS)) {
    const owner = portOwners.get(port);
    if (owner) problems.push(`catalog: PORTS.${name}: port ${port} is already PORTS.${owner}`);
    portOwners.set(port, name);
  }
  const names = new Set<string>();
  for (const env of environments) {
    if (names.has(env.name)) problems.push(`${env.name}: name: two environments are named "${env.name}"`);
    names.add(env.name);
    checkEnvironment(env, problems);
  }
  if (environments.length === 0) problems.push('catalog: environments: none declared');
  if (problems.length > 0) {
    const more =
      problems.length > 1
        ? `\n${problems
            .slice(1)
            .map((p) => `  also: ${p}`)
            .join('\n')}`
        : '';
    throw new CatalogError(`invalid catalog: ${problems[0]}${more}`);
  }
}
