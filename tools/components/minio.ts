import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import { selectorLabels } from '../kube/labels.ts';
import type { Environment, ObjectStore } from '../catalog/types.ts';
import { HEALTH } from '../catalog/health.ts';
import { image } from '../catalog/images.ts';
import { PORTS } from '../catalog/flows.ts';
import { externalUrl } from '../catalog/tls.ts';
import { LOKI_BUCKET, SECRETS } from '../catalog/secrets.ts';
import { credentialObjects, restartOnRotation } from './credentials.ts';
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
  syncWave,
  workloadServiceAccount,
} from './common.ts';
import { PRIORITY_CRITICAL, PRIORITY_STANDARD } from './platform.ts';

const UID = 1000;

type InClusterStore = Extract<ObjectStore, { kind: 'minio' }>;

function inClusterStore(env: Environment): InClusterStore {
  if (env.objectStore.kind !== 'minio') throw new Error(`${env.name}/minio: objectStore.kind is ${env.objectStore.kind}, not minio`);
  return env.objectStore;
}

/** S3 policy for Loki's user: its own bucket and nothing else. */
function lokiPolicy(): string {
  return `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketVersions'],
          Resource: [`arn:aws:s3:::${LOKI_BUCKET}`],
        },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [`arn:aws:s3:::${LOKI_BUCKET}/*`] },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Versioned bucket whose noncurrent versions expire, so Loki's retention deletes really free space. */
function lifecycle(store: InClusterStore): string {
  return `${JSON.stringify(
    {
      Rules: [
        {
          ID: 'expire-noncurrent-versions',
          Status: 'Enabled',
          Filter: { Prefix: '' },
          NoncurrentVersionExpiration: { NoncurrentDays: store.noncurrentVersionExpiryDays },
          Expiration: { ExpiredObjectDeleteMarker: true },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

/**
 * The bucket Job's script. Only `mc` and the shell: the mc image is mc on ubi-micro (minio/mc
 * Dockerfile.release), with no grep or sed. Re-running converges: `mc admin policy attach` treats
 * "already attached" as success (minio/mc cmd/admin-policy-attach.go, XMinioAdminPolicyChangeAlreadyApplied);
 * `mc ilm rule import` is the current command (`mc ilm import` is hidden and deprecated: cmd/ilm-deprecated-cmds.go).
 */
const SETUP_SCRIPT = `#!/bin/sh
# Idempotent: every step converges whether it ran before or not.
set -eu
until mc alias set stack "http://minio:${PORTS.minioApi}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do
  echo "waiting for MinIO to accept credentials"; sleep 5
done
mc mb --ignore-existing "stack/${LOKI_BUCKET}"
mc version enable "stack/${LOKI_BUCKET}"
mc ilm rule import "stack/${LOKI_BUCKET}" < /config/lifecycle.json
mc admin policy create stack loki-chunks-readwrite /config/loki-policy.json
mc admin user add stack "$LOKI_ACCESS_KEY_ID" "$LOKI_SECRET_ACCESS_KEY"
mc admin policy attach stack loki-chunks-readwrite --user "$LOKI_ACCESS_KEY_ID"
echo "bucket ${LOKI_BUCKET} ready"
`;

/** MinIO's Deployment: one pod on the ReadWriteOnce volume, restarted when its root credentials rotate. */
function minioDeployment(
  env: Environment,
  store: InClusterStore,
  labels: Record<string, string>,
  selector: Record<string, string>,
): KubeObject {
  // MinIO reads its root credentials only at start.
  const rotation = restartOnRotation(env, ['minio']);
  return object<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('minio', labels, rotation.workload ? { annotations: rotation.workload } : {}),
    spec: {
      replicas: 1,
      // One pod owns the ReadWriteOnce volume: the old pod must go before the new one starts.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, ...(rotation.pod ? { annotations: rotation.pod } : {}) },
        spec: {
          ...podDefaults(PRIORITY_CRITICAL, 'minio'),
          securityContext: restrictedPod(UID),
          containers: [
            {
              name: 'minio',
              image: image('minio'),
              args: ['server', '/data', '--address', `:${PORTS.minioApi}`, '--console-address', `:${PORTS.minioConsole}`],
              // First: a strategic merge patch of an entry's value puts it before the base's other entries.
              env: [
                { name: 'MINIO_BROWSER_REDIRECT_URL', value: externalUrl(env, env.ingress.minioConsoleHost) },
                secretEnv('MINIO_ROOT_USER', SECRETS.minio.name, 'root-user'),
                secretEnv('MINIO_ROOT_PASSWORD', SECRETS.minio.name, 'root-password'),
              ],
              ports: [
                { name: 'api', containerPort: PORTS.minioApi, protocol: 'TCP' },
                { name: 'console', containerPort: PORTS.minioConsole, protocol: 'TCP' },
              ],
              // Both unauthenticated and process-local; /minio/health/cluster (quorum) is never a probe: tools/catalog/health.ts.
              readinessProbe: httpProbe(HEALTH.minio.readiness, 'api'),
              livenessProbe: httpProbe(HEALTH.minio.liveness, 'api', { initialDelaySeconds: 10 }),
              resources: resources(store.resources),
              securityContext: restrictedContainer(),
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: 'minio-data' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  });
}

/** The Sync hook Job that creates Loki's bucket, its lifecycle, policy and user with `mc`. */
function bucketSetupJob(setupLabels: Record<string, string>, setupData: Record<string, string>): KubeObject {
  return object<V1Job>({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('minio-bucket-setup', setupLabels, {
      annotations: {
        // A Sync hook after MinIO's Deployment (wave 0) is healthy; re-created on every sync.
        'argocd.argoproj.io/hook': 'Sync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
        ...syncWave(1),
      },
    }),
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: setupLabels, annotations: configChecksum(JSON.stringify(setupData)) },
        spec: {
          ...podDefaults(PRIORITY_STANDARD, 'minio-bucket-setup'),
          restartPolicy: 'OnFailure',
          securityContext: restrictedPod(UID),
          containers: [
            {
              name: 'mc',
              image: image('mc'),
              command: ['/bin/sh', '/config/setup.sh'],
              env: [
                { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
                secretEnv('MINIO_ROOT_USER', SECRETS.minio.name, 'root-user'),
                secretEnv('MINIO_ROOT_PASSWORD', SECRETS.minio.name, 'root-password'),
                secretEnv('LOKI_ACCESS_KEY_ID', SECRETS.lokiS3.name, 'access-key-id'),
                secretEnv('LOKI_SECRET_ACCESS_KEY', SECRETS.lokiS3.name, 'secret-access-key'),
              ],
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
              securityContext: restrictedContainer(),
              volumeMounts: [
                { name: 'config', mountPath: '/config', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: 'minio-bucket-setup' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  });
}

/** Wave 1: MinIO, the object store for Loki's chunks, its console Ingress and the bucket setup Job. */
export function minio(env: Environment): KubeObject[] {
  const store = inClusterStore(env);
  const labels = standardLabels('minio', 'server');
  const selector = selectorLabels('minio', 'server');
  const setupLabels = standardLabels('minio', 'bucket-setup');
  const setupData = { 'setup.sh': SETUP_SCRIPT, 'lifecycle.json': lifecycle(store), 'loki-policy.json': lokiPolicy() };
  return [
    workloadServiceAccount('minio', labels),
    workloadServiceAccount('minio-bucket-setup', setupLabels),
    ...credentialObjects(env, 'minio', labels),
    ...credentialObjects(env, 'lokiS3', labels),
    persistentVolumeClaim(env, 'minio-data', labels, store.volumeSize),
    minioDeployment(env, store, labels, selector),
    service('minio', labels, selector, [
      { name: 'api', port: PORTS.minioApi, targetPort: 'api' },
      { name: 'console', port: PORTS.minioConsole, targetPort: 'console' },
    ]),
    ingress(env, 'minio-console', labels, env.ingress.minioConsoleHost, { service: 'minio', port: 'console' }),
    configMap('minio-bucket-setup', setupLabels, setupData),
    bucketSetupJob(setupLabels, setupData),
  ];
}
