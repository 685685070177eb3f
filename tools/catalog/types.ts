/** The catalog's vocabulary: everything an environment can say about the stack. */
import type { SecretName } from './secrets.ts';

export type ComponentName = 'platform' | 'minio' | 'loki' | 'alloy' | 'grafana';

/** Kubernetes quantity strings as written in manifests: `500m`, `1Gi`. */
export type Quantity = string;

export interface Resources {
  requests: { cpu: Quantity; memory: Quantity };
  limits: { cpu: Quantity; memory: Quantity };
}

/** Loki's deployment mode; see docs/adr/0002-loki-deployment-mode.md. */
export type LokiMode = 'monolithic' | 'simple-scalable';
export type LokiTarget = 'all' | 'read' | 'write' | 'backend';

export interface LokiSettings {
  mode: LokiMode;
  /** Replicas per target: `all` for monolithic, `read`/`write`/`backend` for simple scalable. */
  replicas: Partial<Record<LokiTarget, number>>;
  /** Log retention in hours; Loki's compactor needs at least 24. */
  retentionHours: number;
  /** Persistent volume per Loki pod (WAL, TSDB index, compactor working directory). */
  volumeSize: Quantity;
  resources: Partial<Record<LokiTarget, Resources>>;
  /** Replication factor of the ingester ring; at most the number of write replicas. */
  replicationFactor: number;
}

/** Where Loki keeps chunks: the stack's own MinIO, or an S3 endpoint run by someone else. */
export type ObjectStore =
  | { kind: 'minio'; volumeSize: Quantity; resources: Resources; noncurrentVersionExpiryDays: number }
  | { kind: 's3'; endpoint: string; region: string; insecure: boolean };

/** A Grafana contact point that posts alerts to a webhook whose URL is a Secret's `url` key. */
export interface WebhookContactPoint {
  name: string;
  urlSecret: SecretName;
}

export interface AlertingSettings {
  /** Error lines per second in one namespace (5-minute rate) above which `NamespaceErrorRate` fires. */
  errorLinesPerSecond: number;
  /** Where alerts are sent; without one Grafana keeps them in its UI and notifies nobody. */
  contactPoint?: WebhookContactPoint;
}

export interface GrafanaSettings {
  replicas: number;
  volumeSize: Quantity;
  resources: Resources;
  alerting: AlertingSettings;
}

/**
 * A Prometheus-compatible store for the stack's own metrics (docs/adr/0014-metrics-remote-write.md):
 * Alloy scrapes the stack's `/metrics` and remote-writes there, Grafana queries it. Absent: no metrics
 * pipeline at all.
 */
export interface MetricsStore {
  /** Prometheus remote-write URL Alloy pushes to, e.g. `https://mimir.example/api/v1/push`. */
  remoteWriteUrl: string;
  /** Base URL of its Prometheus HTTP API, Grafana's data source URL, e.g. `https://mimir.example/prometheus`. */
  queryUrl: string;
  /** Address range its endpoints answer on (after DNAT), for the NetworkPolicies of Alloy and Grafana. */
  cidr: string;
}

export interface AlloySettings {
  resources: Resources;
}

/**
 * How the Ingress hosts of an environment terminate TLS: a cert-manager issuer (annotation plus a
 * `tls` section naming the Secret it fills), a Secret created out of band that covers every host,
 * or plain HTTP as a named exception with its reason (`check`'s TLS gate accepts nothing else).
 */
export type IngressTls =
  | { mode: 'cert-manager'; issuer: { kind: 'Issuer' | 'ClusterIssuer'; name: string } }
  | { mode: 'secret'; secretName: string }
  | { mode: 'none'; exception: { name: string; reason: string } };

export interface IngressSettings {
  /** `nginx` by default (the seed's choice; ingress-nginx is retired upstream, see README). */
  className: string;
  grafanaHost: string;
  minioConsoleHost: string;
  tls: IngressTls;
  /** Where the ingress controller's pods run, for the NetworkPolicies that admit it. */
  controllerNamespace: string;
  controllerPodLabels: Record<string, string>;
}

/** Argo CD's destination for an environment: each environment is its own cluster. */
export interface ClusterDestination {
  /** Argo CD cluster name, as registered with `argocd cluster add`. */
  name: string;
  server: string;
  /** Address range of the cluster's API server endpoints (after DNAT), for Alloy's egress. */
  apiServerCidr: string;
}

export interface NamespaceLimits {
  quota: {
    requestsCpu: Quantity;
    requestsMemory: Quantity;
    limitsCpu: Quantity;
    limitsMemory: Quantity;
    pods: number;
    persistentVolumeClaims: number;
    requestsStorage: Quantity;
  };
  /** Defaults the LimitRange gives a container that declares none. */
  containerDefaults: Resources;
}

/**
 * How credentials reach the cluster. `inline-dev` generates obviously-dev Secrets into the overlay;
 * `external` references Secrets created out of band (README: "Secrets an environment expects");
 * `external-secrets` generates one ExternalSecret per Secret from the environment's `secretStore`.
 */
export type Credentials = 'inline-dev' | 'external' | 'external-secrets';

/**
 * A (Cluster)SecretStore of the External Secrets Operator that holds the stack's credentials: each
 * Secret `<name>` is read from the remote key `<keyPrefix>/<name>`, one property per Secret key.
 */
export interface SecretStoreRef {
  kind: 'ClusterSecretStore' | 'SecretStore';
  name: string;
  keyPrefix: string;
  /** How often the operator re-reads the store, as a Go duration (`1h`). */
  refreshInterval: string;
}

export interface Environment {
  name: string;
  cluster: ClusterDestination;
  /** The git revision Argo CD syncs for this environment; `main` means merging deploys. */
  targetRevision: string;
  components: ComponentName[];
  credentials: Credentials;
  /** Required with `credentials: 'external-secrets'`. */
  secretStore?: SecretStoreRef;
  /**
   * Stakater Reloader runs in the cluster: each workload names the Secrets it reads only at start in
   * `secret.reloader.stakater.com/reload`, so a rotated Secret restarts it. Without it, restarts
   * after a rotation are manual (README, "Rotating credentials").
   */
  reloader?: boolean;
  storageClassName?: string;
  /** Whether workloads that can run several replicas get PodDisruptionBudgets. */
  disruptionBudgets: boolean;
  objectStore: ObjectStore;
  loki: LokiSettings;
  grafana: GrafanaSettings;
  alloy: AlloySettings;
  /** Optional: where the stack's own metrics go; without it nothing scrapes them. */
  metrics?: MetricsStore;
  ingress: IngressSettings;
  limits: NamespaceLimits;
}
