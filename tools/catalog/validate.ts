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
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

type Check = (ok: boolean, component: string, field: string, message: string) => void;

function checker(env: Environment, problems: string[]): Check {
  return (ok, component, field, message) => {
    if (!ok) problems.push(`${env.name}/${component}: ${field}: ${message}`);
  };
}

function wholeAtLeast(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

function checkQuantity(check: Check, component: string, field: string, value: Quantity): void {
  check(QUANTITY.test(value), component, field, `"${value}" is not a Kubernetes quantity (e.g. 500m, 1Gi)`);
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
  check(CIDR.test(env.cluster.apiServerCidr), 'platform', 'cluster.apiServerCidr', `"${env.cluster.apiServerCidr}" is not an IPv4 CIDR`);
  if (env.metrics) {
    for (const field of ['remoteWriteUrl', 'queryUrl'] as const) {
      const url = env.metrics[field];
      check(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), 'alloy', `metrics.${field}`, `"${url}" is not an http(s) URL`);
    }
    check(CIDR.test(env.metrics.cidr), 'alloy', 'metrics.cidr', `"${env.metrics.cidr}" is not an IPv4 CIDR`);
  }
  const store = env.secretStore;
  check(
    (env.credentials === 'external-secrets') === (store !== undefined),
    'platform',
    'secretStore',
    env.credentials === 'external-secrets' ? 'credentials: external-secrets needs a secretStore (kind, name, keyPrefix, refreshInterval)' : `is only read with credentials: external-secrets, not ${env.credentials}`,
  );
  if (store) {
    check(DNS_NAME.test(store.name), 'platform', 'secretStore.name', `"${store.name}" is not a Kubernetes object name`);
    check(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(store.refreshInterval), 'platform', 'secretStore.refreshInterval', `"${store.refreshInterval}" is not a Go duration (e.g. 1h)`);
    check(store.keyPrefix.trim() !== '' && !store.keyPrefix.endsWith('/'), 'platform', 'secretStore.keyPrefix', 'must be a non-empty path without a trailing "/"');
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
    hasMinio ? 'minio is deployed but objectStore.kind is not "minio"' : 'objectStore.kind is "minio" but the minio component is not deployed',
  );
  if (env.objectStore.kind === 'minio') {
    checkQuantity(check, 'minio', 'objectStore.volumeSize', env.objectStore.volumeSize);
    checkResources(check, 'minio', 'objectStore.resources', env.objectStore.resources);
    check(wholeAtLeast(env.objectStore.noncurrentVersionExpiryDays, 1), 'minio', 'objectStore.noncurrentVersionExpiryDays', 'must be a whole number of days ≥ 1');
  } else {
    check(/^[^/:]+(:\d+)?$/.test(env.objectStore.endpoint), 'loki', 'objectStore.endpoint', `"${env.objectStore.endpoint}" must be host[:port], no scheme`);
  }

  const loki = env.loki;
  const targets = lokiTargets(env);
  for (const target of Object.keys(loki.replicas) as LokiTarget[]) {
    check(targets.includes(target), 'loki', `loki.replicas.${target}`, `not a target of ${loki.mode} mode (targets: ${targets.join(', ')})`);
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
  check(wholeAtLeast(loki.retentionHours, 24), 'loki', 'loki.retentionHours', `must be a whole number of hours ≥ 24 (Loki's index period), got ${loki.retentionHours}`);
  checkQuantity(check, 'loki', 'loki.volumeSize', loki.volumeSize);

  check(wholeAtLeast(env.grafana.replicas, 0), 'grafana', 'grafana.replicas', `must be a whole number ≥ 0, got ${env.grafana.replicas}`);
  check(env.grafana.replicas <= 1, 'grafana', 'grafana.replicas', 'more than 1 needs a shared SQL database; with SQLite Grafana runs one replica (docs/adr/0005-grafana-single-replica.md)');
  checkQuantity(check, 'grafana', 'grafana.volumeSize', env.grafana.volumeSize);
  checkResources(check, 'grafana', 'grafana.resources', env.grafana.resources);
  checkResources(check, 'alloy', 'alloy.resources', env.alloy.resources);
  checkResources(check, 'platform', 'limits.containerDefaults', env.limits.containerDefaults);

  for (const field of ['grafanaHost', 'minioConsoleHost'] as const) {
    check(DNS_NAME.test(env.ingress[field]), 'platform', `ingress.${field}`, `"${env.ingress[field]}" is not a DNS name`);
  }
  check(env.ingress.grafanaHost !== env.ingress.minioConsoleHost, 'platform', 'ingress.minioConsoleHost', 'must differ from ingress.grafanaHost');
  const tls = env.ingress.tls;
  if (tls.mode === 'cert-manager') check(DNS_NAME.test(tls.issuer.name), 'platform', 'ingress.tls.issuer.name', `"${tls.issuer.name}" is not a Kubernetes object name`);
  if (tls.mode === 'secret') check(DNS_NAME.test(tls.secretName), 'platform', 'ingress.tls.secretName', `"${tls.secretName}" is not a Kubernetes object name`);
  if (tls.mode === 'none') {
    check(tls.exception.name.trim() !== '' && tls.exception.reason.trim() !== '', 'platform', 'ingress.tls.exception', 'plain HTTP needs a named exception and its reason');
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
    const more = problems.length > 1 ? `\n${problems.slice(1).map((p) => `  also: ${p}`).join('\n')}` : '';
    throw new CatalogError(`invalid catalog: ${problems[0]}${more}`);
  }
}
