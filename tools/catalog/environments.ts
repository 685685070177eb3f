import { NAME_LABEL } from '../kube/labels.ts';
import type { Environment } from './types.ts';

/**
 * The profile the Kustomize bases are generated from: one replica of everything, monolithic Loki,
 * no credentials in git. Each environment below is this profile plus its own values, and its
 * overlay holds exactly the difference.
 */
export const baseline: Environment = {
  name: 'base',
  cluster: { name: 'in-cluster', server: 'https://kubernetes.default.svc', apiServerCidr: '10.0.0.0/24' },
  targetRevision: 'main',
  components: ['platform', 'minio', 'loki', 'alloy', 'grafana'],
  credentials: 'external',
  disruptionBudgets: false,
  objectStore: {
    kind: 'minio',
    volumeSize: '10Gi',
    noncurrentVersionExpiryDays: 1,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  },
  loki: {
    mode: 'monolithic',
    replicas: { all: 1 },
    replicationFactor: 1,
    retentionHours: 7 * 24,
    volumeSize: '10Gi',
    resources: { all: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
  },
  grafana: {
    replicas: 1,
    volumeSize: '1Gi',
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    alerting: { errorLinesPerSecond: 1 },
  },
  alloy: {
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  },
  ingress: {
    className: 'nginx',
    grafanaHost: 'grafana.local',
    minioConsoleHost: 'minio.local',
    // A CA issuer: `.local` hosts cannot pass an ACME challenge (README, "TLS").
    tls: { mode: 'cert-manager', issuer: { kind: 'ClusterIssuer', name: 'observability-ca' } },
    controllerNamespace: 'ingress-nginx',
    controllerPodLabels: { [NAME_LABEL]: 'ingress-nginx' },
  },
  limits: {
    quota: {
      requestsCpu: '4',
      requestsMemory: '8Gi',
      limitsCpu: '8',
      limitsMemory: '16Gi',
      pods: 30,
      persistentVolumeClaims: 10,
      requestsStorage: '100Gi',
    },
    containerDefaults: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
  },
};

/** A kind or k3d cluster on a laptop: small, short retention, dev credentials in git. */
export const dev: Environment = {
  ...baseline,
  name: 'dev',
  cluster: { name: 'dev', server: 'https://kubernetes.default.svc', apiServerCidr: '172.18.0.0/16' },
  credentials: 'inline-dev',
  ingress: {
    ...baseline.ingress,
    tls: {
      mode: 'none',
      exception: {
        name: 'laptop-dev',
        reason: 'a kind or k3d cluster on a laptop: no certificate issuer, hosts resolve to 127.0.0.1 only',
      },
    },
  },
  loki: { ...baseline.loki, retentionHours: 72, volumeSize: '5Gi' },
  objectStore: { ...(baseline.objectStore as Extract<Environment['objectStore'], { kind: 'minio' }>), volumeSize: '5Gi' },
};

const lokiWriteResources = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } };

/**
 * Production: Loki split into read / write / backend, more replicas, 30 days, credentials from the
 * secret manager through the External Secrets Operator, rotated Secrets restarting their readers (Reloader).
 */
export const prod: Environment = {
  ...baseline,
  name: 'prod',
  cluster: { name: 'prod', server: 'https://prod.k8s.example.internal:6443', apiServerCidr: '10.0.0.0/24' },
  credentials: 'external-secrets',
  secretStore: { kind: 'ClusterSecretStore', name: 'secret-manager', keyPrefix: 'observability/prod', refreshInterval: '1h' },
  reloader: true,
  disruptionBudgets: true,
  objectStore: {
    kind: 'minio',
    volumeSize: '200Gi',
    noncurrentVersionExpiryDays: 1,
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  },
  loki: {
    mode: 'simple-scalable',
    replicas: { read: 3, write: 3, backend: 3 },
    replicationFactor: 3,
    retentionHours: 30 * 24,
    volumeSize: '50Gi',
    resources: {
      read: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } },
      write: lokiWriteResources,
      backend: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } },
    },
  },
  grafana: {
    replicas: 1,
    volumeSize: '10Gi',
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    alerting: { errorLinesPerSecond: 5, contactPoint: { name: 'ops-webhook', urlSecret: 'alertWebhook' } },
  },
  alloy: {
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  },
  metrics: {
    remoteWriteUrl: 'https://metrics.example.internal/api/v1/push',
    queryUrl: 'https://metrics.example.internal/prometheus',
    cidr: '10.20.0.0/24',
  },
  limits: {
    ...baseline.limits,
    quota: {
      requestsCpu: '16',
      requestsMemory: '32Gi',
      limitsCpu: '32',
      limitsMemory: '64Gi',
      pods: 60,
      persistentVolumeClaims: 20,
      requestsStorage: '1Ti',
    },
  },
};

export const environments: readonly Environment[] = [dev, prod];
