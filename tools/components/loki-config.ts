import type { Environment } from '../catalog/types.ts';
import { PORTS, lokiTargets } from '../catalog/flows.ts';
import { LOKI_BUCKET } from '../catalog/secrets.ts';
import { NAMESPACE } from '../catalog/names.ts';
import { toYaml } from '../yaml.ts';

/** Where every Loki target keeps its WAL, TSDB index and compactor state (on its volume). */
export const LOKI_DATA_DIR = '/var/loki';

function s3(env: Environment): Record<string, unknown> {
  const credentials = { access_key_id: '${S3_ACCESS_KEY_ID}', secret_access_key: '${S3_SECRET_ACCESS_KEY}' };
  if (env.objectStore.kind === 'minio') {
    return {
      endpoint: `minio.${NAMESPACE}.svc:${PORTS.minioApi}`,
      bucketnames: LOKI_BUCKET,
      s3forcepathstyle: true,
      insecure: true,
      ...credentials,
    };
  }
  return {
    endpoint: env.objectStore.endpoint,
    region: env.objectStore.region,
    bucketnames: LOKI_BUCKET,
    insecure: env.objectStore.insecure,
    ...credentials,
  };
}

function memberlistNeeded(env: Environment): boolean {
  return lokiTargets(env).reduce((n, t) => n + (env.loki.replicas[t] ?? 0), 0) > 1;
}

/**
 * Loki's configuration file. Credentials stay `${…}` placeholders expanded from the environment
 * (`-config.expand-env=true`), so the ConfigMap holds no secret.
 */
export function lokiConfig(env: Environment): string {
  const memberlist = memberlistNeeded(env);
  const config: Record<string, unknown> = {
    auth_enabled: false,
    server: { http_listen_port: PORTS.lokiHttp, grpc_listen_port: PORTS.lokiGrpc, log_level: 'info' },
    common: {
      path_prefix: LOKI_DATA_DIR,
      replication_factor: env.loki.replicationFactor,
      ring: { kvstore: { store: memberlist ? 'memberlist' : 'inmemory' } },
      storage: { s3: s3(env) },
      ...(env.loki.mode === 'simple-scalable'
        ? { compactor_grpc_address: `loki-backend.${NAMESPACE}.svc.cluster.local:${PORTS.lokiGrpc}` }
        : {}),
    },
    ...(memberlist ? { memberlist: { join_members: [`loki-memberlist.${NAMESPACE}.svc.cluster.local:${PORTS.memberlist}`] } } : {}),
    schema_config: {
      configs: [{ from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    compactor: {
      working_directory: `${LOKI_DATA_DIR}/compactor`,
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      delete_request_store: 's3',
    },
    // Read pods ask the backend's index gateways for the TSDB index instead of downloading it themselves,
    // as upstream's chart does in simple scalable mode (charts/loki templates/_helpers.tpl loki.indexGatewayAddress).
    ...(env.loki.mode === 'simple-scalable'
      ? {
          storage_config: {
            tsdb_shipper: {
              index_gateway_client: { server_address: `dns+loki-backend-headless.${NAMESPACE}.svc.cluster.local:${PORTS.lokiGrpc}` },
            },
          },
        }
      : {}),
    limits_config: { retention_period: `${env.loki.retentionHours}h` },
    analytics: { reporting_enabled: false },
  };
  return toYaml(config);
}
