import { describe, expect, it } from 'vitest';
import { compareObject, detectDrift, hasDrift } from '../../tools/drift/compare.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { ARGO_DIFF, ARGO_DIFF_ABSENT, ARGO_VERDICTS, loadPair } from './pairs.ts';

// The peer corpus lives beside the repository (../shared), not in it: a fresh clone skips this suite in one line.
const pair = (name: string): { desired: KubeObject; live: KubeObject } => loadPair(ARGO_DIFF, name);
const IN_SYNC = Object.keys(ARGO_VERDICTS).filter((name) => ARGO_VERDICTS[name] === 0);

if (ARGO_DIFF_ABSENT) it.skip(ARGO_DIFF_ABSENT, () => {});
else
  describe("Argo CD's diff fixtures", () => {
    it.each(IN_SYNC)('%s is in sync, as Argo CD says', (name) => {
      // GIVEN a manifest and the live object a real cluster returned for it
      const { desired, live } = pair(name);
      // WHEN they are compared
      const fields = compareObject(desired, live);
      // THEN nothing differs
      expect(fields).toEqual([]);
    });

    it.each(IN_SYNC)('%s is in sync through detectDrift too (paired even when git names no namespace)', (name) => {
      // GIVEN the pair as a desired tree and a snapshot
      const { desired, live } = pair(name);
      // WHEN drift is detected over the lists
      const report = detectDrift([desired], [live]);
      // THEN the one object is in sync and nothing is missing or unexpected
      expect(hasDrift(report)).toBe(false);
      expect(report.inSync).toBe(1);
    });

    it('smd-service drifts on the rtmp port only: targetPort 1936 in git, 1935 live', () => {
      // GIVEN the Service whose rtmp port (no protocol in git, TCP live) points elsewhere live
      const { desired, live } = pair('smd-service');
      // WHEN compared
      const fields = compareObject(desired, live);
      // THEN exactly that targetPort differs, at the desired index of the rtmp port
      expect(fields).toEqual([{ path: '/spec/ports/1/targetPort', op: 'replace', desired: 1936, live: 1935 }]);
    });

    it('aggr-clusterrole drifts by default: rules applied before and no longer in git', () => {
      // GIVEN an aggregated ClusterRole whose last-applied manifest had rules that git dropped
      const { desired, live } = pair('aggr-clusterrole');
      // WHEN compared without options
      const fields = compareObject(desired, live);
      // THEN the live rules show as present only in the cluster
      expect(fields).toHaveLength(1);
      expect(fields[0]).toMatchObject({ path: '/rules', op: 'add' });
      expect(fields[0]?.live).toEqual(live['rules']);
    });

    it('aggr-clusterrole is in sync when aggregated roles are ignored', () => {
      // GIVEN the same pair
      const { desired, live } = pair('aggr-clusterrole');
      // WHEN the rules of aggregated ClusterRoles are ignored
      const fields = compareObject(desired, live, { ignoreAggregatedRoles: true });
      // THEN nothing differs
      expect(fields).toEqual([]);
    });

    it('in-sync fixtures still drift once the live object is changed (the comparison is not blind)', () => {
      // GIVEN real live objects, each edited in one field git sets
      const deploymentPair = pair('deployment');
      const deploymentLive = structuredClone(deploymentPair.live) as KubeObject & {
        spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
      };
      const env = deploymentLive.spec.template.spec.containers[0]?.env.find((entry) => entry.name === 'VAR1');
      if (env) env.value = 'edited';
      const esPair = pair('elasticsearch');
      const esLive = structuredClone(esPair.live) as KubeObject & {
        spec: { template: { spec: { containers: { volumeMounts: { mountPath: string; subPath?: string }[] }[] } } };
      };
      const mount = esLive.spec.template.spec.containers[0]?.volumeMounts.find((entry) => entry.mountPath === '/pre-stop-hook.sh');
      if (mount) mount.subPath = 'other.sh';
      // WHEN compared
      const deploymentFields = compareObject(deploymentPair.desired, deploymentLive);
      const esFields = compareObject(esPair.desired, esLive);
      // THEN the edited fields are reported at their desired paths
      expect(deploymentFields).toEqual([
        { path: '/spec/template/spec/containers/0/env/0/value', op: 'replace', desired: 'something', live: 'edited' },
      ]);
      expect(esFields).toEqual([
        { path: '/spec/template/spec/containers/0/volumeMounts/2/subPath', op: 'replace', desired: 'pre-stop-hook.sh', live: 'other.sh' },
      ]);
    });
  });
