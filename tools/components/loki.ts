import type { V1Container, V1Deployment, V1PodSpec, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/object.ts';
import { selectorLabels } from '../kube/labels.ts';
import type { Environment, LokiTarget } from '../catalog/types.ts';
import { HEALTH } from '../catalog/health.ts';
import { image } from '../catalog/images.ts';
import { PORTS, lokiName, lokiTargets } from '../catalog/flows.ts';
import { SECRETS } from '../catalog/secrets.ts';
import {
  claimSpec,
  configChecksum,
  configMap,
  disruptionBudget,
  httpProbe,
  meta,
  object,
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
import { LOKI_DATA_DIR, lokiConfig } from './loki-config.ts';
import { PRIORITY_CRITICAL, PRIORITY_STANDARD } from './platform.ts';

const UID = 10001;

function replicasOf(env: Environment, target: LokiTarget): number {
  const replicas = env.loki.replicas[target];
  if (replicas === undefined) throw new Error(`${env.name}/loki: loki.replicas.${target} is not set`);
  return replicas;
}

function container(env: Environment, target: LokiTarget, memberlist: boolean): V1Container {
  const r = env.loki.resources[target];
  if (!r) throw new Error(`${env.name}/loki: loki.resources.${target} is not set`);
  return {
    name: 'loki',
    image: image('loki'),
    args: ['-config.file=/etc/loki/config.yaml', '-config.expand-env=true', `-target=${target}`],
    env: [
      secretEnv('S3_ACCESS_KEY_ID', SECRETS.lokiS3.name, 'access-key-id'),
      secretEnv('S3_SECRET_ACCESS_KEY', SECRETS.lokiS3.name, 'secret-access-key'),
    ],
    ports: [
      { name: 'http-metrics', containerPort: PORTS.lokiHttp, protocol: 'TCP' },
      { name: 'grpc', containerPort: PORTS.lokiGrpc, protocol: 'TCP' },
      ...(memberlist ? [{ name: 'memberlist', containerPort: PORTS.memberlist, protocol: 'TCP' }] : []),
    ],
    // The image is distroless (no shell): HTTP probes only. Liveness on build info, as upstream's chart
    // does: /ready also fails during WAL replay and while the ring or the scheduler is away (tools/catalog/health.ts).
    readinessProbe: httpProbe(HEALTH.loki.readiness, 'http-metrics', { initialDelaySeconds: 15 }),
    livenessProbe: httpProbe(HEALTH.loki.liveness, 'http-metrics', { initialDelaySeconds: 60, failureThreshold: 10 }),
    resources: resources(r),
    securityContext: restrictedContainer(),
    volumeMounts: [
      { name: 'config', mountPath: '/etc/loki', readOnly: true },
      { name: 'data', mountPath: LOKI_DATA_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function podSpec(env: Environment, target: LokiTarget, memberlist: boolean, withClaim: boolean): V1PodSpec {
  return {
    ...podDefaults(target === 'read' || target === 'backend' ? PRIORITY_STANDARD : PRIORITY_CRITICAL, lokiName(target)),
    securityContext: restrictedPod(UID),
    terminationGracePeriodSeconds: 300,
    containers: [container(env, target, memberlist)],
    volumes: [
      { name: 'config', configMap: { name: 'loki-config' } },
      { name: 'tmp', emptyDir: {} },
      ...(withClaim ? [] : [{ name: 'data', emptyDir: {} }]),
    ],
  };
}

/** Wave 2: Loki, monolithic or split into read / write / backend as the environment says. */
export function loki(env: Environment): KubeObject[] {
  const config = lokiConfig(env);
  const targets = lokiTargets(env);
  const memberlist = targets.reduce((n, t) => n + replicasOf(env, t), 0) > 1;
  const objects: KubeObject[] = [];
  if (env.objectStore.kind !== 'minio') objects.push(...credentialObjects(env, 'lokiS3', standardLabels('loki')));
  // Loki expands its S3 credentials into the configuration only at start.
  const rotation = restartOnRotation(env, ['lokiS3']);
  objects.push(configMap('loki-config', standardLabels('loki'), { 'config.yaml': config }));

  for (const target of targets) {
    const name = lokiName(target);
    const labels = standardLabels('loki', target);
    const selector = selectorLabels('loki', target);
    const replicas = replicasOf(env, target);
    objects.push(workloadServiceAccount(name, labels));
    const template = { metadata: { labels, annotations: { ...configChecksum(config), ...rotation.pod } } };
    // The read path keeps no state worth a volume; every other target owns its WAL, index or compactor state.
    if (target === 'read') {
      objects.push(
        object<V1Deployment>({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: meta(name, labels, rotation.workload ? { annotations: rotation.workload } : {}),
          spec: {
            replicas,
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
            selector: { matchLabels: selector },
            template: { ...template, spec: podSpec(env, target, memberlist, false) },
          },
        }),
      );
    } else {
      objects.push(
        object<V1StatefulSet>({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: meta(name, labels, rotation.workload ? { annotations: rotation.workload } : {}),
          spec: {
            replicas,
            serviceName: `${name}-headless`,
            podManagementPolicy: 'Parallel',
            selector: { matchLabels: selector },
            template: { ...template, spec: podSpec(env, target, memberlist, true) },
            volumeClaimTemplates: [{ metadata: { name: 'data', labels }, spec: claimSpec(env, env.loki.volumeSize) }],
          },
        }),
      );
      objects.push(
        service(
          `${name}-headless`,
          labels,
          selector,
          [
            { name: 'http-metrics', port: PORTS.lokiHttp, targetPort: 'http-metrics' },
            { name: 'grpc', port: PORTS.lokiGrpc, targetPort: 'grpc' },
          ],
          {
            headless: true,
            publishNotReadyAddresses: true,
          },
        ),
      );
    }
    objects.push(
      service(name, labels, selector, [
        { name: 'http-metrics', port: PORTS.lokiHttp, targetPort: 'http-metrics' },
        { name: 'grpc', port: PORTS.lokiGrpc, targetPort: 'grpc' },
      ]),
    );
    if (env.disruptionBudgets && replicas > 1) objects.push(disruptionBudget(name, labels, selector));
  }
  if (memberlist) {
    objects.push(
      service(
        'loki-memberlist',
        standardLabels('loki'),
        selectorLabels('loki'),
        [{ name: 'memberlist', port: PORTS.memberlist, targetPort: 'memberlist' }],
        {
          headless: true,
          publishNotReadyAddresses: true,
        },
      ),
    );
  }
  return objects;
}
