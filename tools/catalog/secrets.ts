import type { Environment } from './types.ts';

/**
 * The Secrets the stack reads, with their keys. Environments with `credentials: external` get none
 * generated: an operator creates them out of band (README, "Secrets an environment expects").
 */
export const SECRETS = {
  minio: { name: 'minio-credentials', keys: ['root-user', 'root-password'] },
  lokiS3: { name: 'loki-s3-credentials', keys: ['access-key-id', 'secret-access-key'] },
  grafanaAdmin: { name: 'grafana-admin', keys: ['admin-user', 'admin-password'] },
  alertWebhook: { name: 'grafana-alert-webhook', keys: ['url'] },
} as const;

export type SecretName = keyof typeof SECRETS;

/** Obviously-dev values, only ever rendered for `credentials: inline-dev` environments. */
const DEV_VALUES: Record<SecretName, Record<string, string>> = {
  minio: { 'root-user': 'dev-minio-admin', 'root-password': 'dev-only-minio-password' },
  lokiS3: { 'access-key-id': 'dev-loki', 'secret-access-key': 'dev-only-loki-s3-secret' },
  grafanaAdmin: { 'admin-user': 'admin', 'admin-password': 'dev-only-grafana-password' },
  alertWebhook: { url: 'http://alert-webhook.invalid/dev-only' },
};

export function devSecretValues(env: Environment, which: SecretName): Record<string, string> | undefined {
  return env.credentials === 'inline-dev' ? DEV_VALUES[which] : undefined;
}

/** The bucket Loki keeps chunks, index and delete requests in. */
export const LOKI_BUCKET = 'loki-chunks';
