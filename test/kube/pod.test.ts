import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tools/kube/object.ts';
import { containersOf, podSpecOf, pointer, runsPods } from '../../tools/kube/pod.ts';

const template = {
  metadata: { labels: { app: 'x' } },
  spec: { initContainers: [{ name: 'init', image: 'busybox:1' }], containers: [{ name: 'main', image: 'nginx:1' }] },
};
const workload = (apiVersion: string, kind: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x' },
  spec,
});

describe('the pod-template walker', () => {
  it('finds the pod spec and template labels of every workload kind where its API type keeps them', () => {
    // GIVEN a Deployment, a CronJob and a bare Pod
    const deployment = podSpecOf(workload('apps/v1', 'Deployment', { template }));
    const cronJob = podSpecOf(workload('batch/v1', 'CronJob', { jobTemplate: { spec: { template } } }));
    const pod = podSpecOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { run: 'x' } }, spec: template.spec });
    // THEN each names its path and labels
    expect(deployment && pointer(deployment.path)).toBe('/spec/template/spec');
    expect(deployment?.labels).toEqual({ app: 'x' });
    expect(cronJob && pointer(cronJob.path)).toBe('/spec/jobTemplate/spec/template/spec');
    expect(cronJob?.pod.containers?.[0]?.name).toBe('main');
    expect(pod && pointer(pod.path)).toBe('/spec');
    expect(pod?.labels).toEqual({ run: 'x' });
  });

  it('runs no pods for another kind or another API group of the same kind name', () => {
    expect(podSpecOf(workload('v1', 'ConfigMap', { template }))).toBeUndefined();
    expect(podSpecOf(workload('example.com/v1', 'Deployment', { template }))).toBeUndefined();
    expect(runsPods(workload('apps/v1', 'StatefulSet', {}))).toBe(true);
    expect(podSpecOf(workload('apps/v1', 'StatefulSet', {}))).toBeUndefined();
  });

  it('lists init containers before containers, each with its list and index', () => {
    const spec = podSpecOf(workload('batch/v1', 'Job', { template }));
    expect(spec && containersOf(spec.pod).map((c) => `${c.list}/${c.index}/${c.container.name}`)).toEqual([
      'initContainers/0/init',
      'containers/0/main',
    ]);
    expect(spec && containersOf(spec.pod, ['containers']).map((c) => c.container.name)).toEqual(['main']);
  });
});
