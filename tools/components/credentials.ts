import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import type { KubeObject } from '../kube/object.ts';
import type { Environment } from '../catalog/types.ts';
import { SECRETS, devSecretValues, type SecretName } from '../catalog/secrets.ts';
import { meta, object, syncWave } from './common.ts';

/**
 * Stakater Reloader rolls a Deployment, StatefulSet or DaemonSet whose metadata names a changed Secret
 * in this annotation (comma-separated); stakater/Reloader README, "How to use Reloader".
 */
export const RELOADER_SECRET_ANNOTATION = 'secret.reloader.stakater.com/reload';

/**
 * The objects that put one of the stack's Secrets in the cluster: the dev-only Secret for
 * `inline-dev`, an ExternalSecret (external-secrets.io/v1) reading `<keyPrefix>/<name>` from the
 * environment's store for `external-secrets`, nothing for `external` (created out of band). Wave -1:
 * before the workloads that read it.
 */
export function credentialObjects(env: Environment, which: SecretName, labels: Record<string, string>): KubeObject[] {
  const { name, keys } = SECRETS[which];
  const values = devSecretValues(env, which);
  if (values) {
    return [
      object<V1Secret>({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta(name, labels, { annotations: syncWave(-1) }),
        type: 'Opaque',
        stringData: values,
      }),
    ];
  }
  const store = env.secretStore;
  if (env.credentials !== 'external-secrets' || !store) return [];
  return [
    object<IExternalSecret>({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: meta(name, labels, { annotations: syncWave(-1) }),
      spec: {
        refreshInterval: store.refreshInterval,
        secretStoreRef: { kind: store.kind, name: store.name },
        target: { name, creationPolicy: 'Owner' },
        data: keys.map((key) => ({ secretKey: key, remoteRef: { key: `${store.keyPrefix}/${name}`, property: key } })),
      },
    }),
  ];
}

/**
 * What makes a workload restart when a Secret it reads only at start is rotated: with inline-dev
 * Secrets, a checksum of their values on the pod template (a changed value rolls the pods on sync);
 * with Stakater Reloader in the cluster, its annotation on the workload; otherwise nothing (the
 * README's rotation runbook says the restart is manual).
 */
export function restartOnRotation(
  env: Environment,
  secrets: readonly SecretName[],
): { workload?: Record<string, string>; pod?: Record<string, string> } {
  if (secrets.length === 0) return {};
  if (env.credentials === 'inline-dev') {
    const text = JSON.stringify(secrets.map((s) => devSecretValues(env, s)));
    return { pod: { 'checksum/secrets': createHash('sha256').update(text).digest('hex').slice(0, 16) } };
  }
  return env.reloader ? { workload: { [RELOADER_SECRET_ANNOTATION]: secrets.map((s) => SECRETS[s].name).join(',') } } : {};
}
