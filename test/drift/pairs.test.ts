import { describe, expect, it } from 'vitest';
import { compareObject, detectDrift, hasDrift } from '../../tools/drift/compare.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { loadPair, OWN_PAIRS, OWN_VERDICTS } from './pairs.ts';

const pair = (name: string): { desired: KubeObject; live: KubeObject } => loadPair(OWN_PAIRS, name);
const IN_SYNC = Object.keys(OWN_VERDICTS).filter((name) => OWN_VERDICTS[name] === 0);

describe('drift pairs: what an API server returns for a manifest is not drift', () => {
  it.each(IN_SYNC)('%s is in sync', (name) => {
    // GIVEN a manifest and the live object a server returns for it
    const { desired, live } = pair(name);
    // WHEN they are compared THEN nothing differs
    expect(compareObject(desired, live)).toEqual([]);
  });

  it.each(IN_SYNC)('%s is in sync through detectDrift too (paired even when git names no namespace)', (name) => {
    const { desired, live } = pair(name);
    const report = detectDrift([desired], [live]);
    expect(hasDrift(report)).toBe(false);
    expect(report.inSync).toBe(1);
  });

  it('service-target-port drifts on the grpc targetPort only: 9096 in git, 9095 live', () => {
    // GIVEN a Service whose grpc port (no protocol in git, TCP live) points elsewhere live
    const { desired, live } = pair('service-target-port');
    // WHEN compared THEN exactly that targetPort differs, at the desired index of the port
    expect(compareObject(desired, live)).toEqual([{ path: '/spec/ports/1/targetPort', op: 'replace', desired: 9096, live: 9095 }]);
  });

  it('aggregated-clusterrole drifts by default and is in sync when aggregated rules are ignored', () => {
    const { desired, live } = pair('aggregated-clusterrole');
    const fields = compareObject(desired, live);
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatchObject({ path: '/rules', op: 'add' });
    expect(fields[0]?.live).toEqual(live['rules']);
    expect(compareObject(desired, live, { ignoreAggregatedRoles: true })).toEqual([]);
  });

  it('in-sync pairs still drift once the live object is changed (the comparison is not blind)', () => {
    // GIVEN live objects, each edited in one field git sets
    const deployment = pair('deployment');
    const deploymentLive = structuredClone(deployment.live) as KubeObject & {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = deploymentLive.spec.template.spec.containers[0]?.env.find((entry) => entry.name === 'GF_LOG_MODE');
    if (env) env.value = 'file';
    const loki = pair('statefulset-shared-mount-name');
    const lokiLive = structuredClone(loki.live) as KubeObject & {
      spec: { template: { spec: { containers: { volumeMounts: { mountPath: string; subPath?: string }[] }[] } } };
    };
    const mount = lokiLive.spec.template.spec.containers[0]?.volumeMounts.find((entry) => entry.mountPath === '/etc/loki/runtime.yaml');
    if (mount) mount.subPath = 'other.yaml';
    // WHEN compared THEN the edited fields are reported at their desired paths
    expect(compareObject(deployment.desired, deploymentLive)).toEqual([
      { path: '/spec/template/spec/containers/0/env/0/value', op: 'replace', desired: 'console', live: 'file' },
    ]);
    expect(compareObject(loki.desired, lokiLive)).toEqual([
      { path: '/spec/template/spec/containers/0/volumeMounts/1/subPath', op: 'replace', desired: 'runtime.yaml', live: 'other.yaml' },
    ]);
  });
});
