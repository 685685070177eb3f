import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tools/kube/object.ts';
import { quotaFindings } from '../../tools/validate/quota.ts';
import { renderCommitted } from '../support/repo.ts';

describe('the quota gate', async () => {
  const tree = await renderCommitted();
  const objectsOf = (env: string): KubeObject[] => structuredClone(tree.apps.filter((a) => a.env === env).flatMap((a) => a.objects));
  const find = (objects: KubeObject[], kind: string, name: string): Record<string, any> => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name}`);
    return found as Record<string, any>;
  };
  const summary = (findings: ReturnType<typeof quotaFindings>): string[] => findings.map((f) => `${f.rule} ${f.object} ${f.path}`);

  it.each(['dev', 'prod'])('%s: every quota admits every workload it counts at full size, and none counts the node agent', (env) => {
    expect(quotaFindings(env, objectsOf(env))).toEqual([]);
  });

  it('refuses a compute quota that counts the Alloy DaemonSet (the shape before the node agent had its own class)', () => {
    // GIVEN prod's compute quota without its PriorityClass scope
    const objects = objectsOf('prod');
    delete find(objects, 'ResourceQuota', 'observability-compute')['spec'].scopeSelector;
    // THEN the DaemonSet is named: its size follows the cluster, not the quota
    const findings = quotaFindings('prod', objects);
    expect(summary(findings)).toEqual(['quota/counts-daemonset ResourceQuota observability/observability-compute /spec']);
    expect(findings[0]?.message).toContain('DaemonSet observability/alloy');
  });

  it('adds up replicas, surge and Jobs, and names what does not fit', () => {
    // GIVEN prod's CPU limit quota below what its workloads need: Loki 3×2 + 3×2 + 3×1, MinIO 2, Grafana 1, the bucket Job 0.1
    const objects = objectsOf('prod');
    find(objects, 'ResourceQuota', 'observability-compute')['spec'].hard['limits.cpu'] = '18';
    const findings = quotaFindings('prod', objects);
    expect(summary(findings)).toEqual(['quota/too-small ResourceQuota observability/observability-compute /spec/hard/limits.cpu']);
    expect(findings[0]?.message).toContain('need 18.1 at full size');
    expect(findings[0]?.message).toContain('loki-write 3×2');
    // AND a Deployment's rolling-update surge counts: loki-read with maxSurge 1 needs one more pod's worth
    find(objects, 'ResourceQuota', 'observability-compute')['spec'].hard['limits.cpu'] = '18.1';
    expect(quotaFindings('prod', objects)).toEqual([]);
    find(objects, 'Deployment', 'loki-read')['spec'].strategy.rollingUpdate.maxSurge = 1;
    expect(quotaFindings('prod', objects)[0]?.message).toContain('need 20.1');
  });

  it('counts claims of StatefulSet templates per replica against the storage quota', () => {
    // GIVEN 300Gi of storage for prod: Loki write and backend 6×50Gi, MinIO 200Gi, Grafana 10Gi need 510Gi
    const objects = objectsOf('prod');
    find(objects, 'ResourceQuota', 'observability-quota')['spec'].hard['requests.storage'] = '300Gi';
    const findings = quotaFindings('prod', objects);
    expect(summary(findings)).toEqual(['quota/too-small ResourceQuota observability/observability-quota /spec/hard/requests.storage']);
    expect(findings[0]?.message).toContain('need 510Gi');
  });

  it('refuses storage in a PriorityClass-scoped quota, which the API server rejects', () => {
    const objects = objectsOf('dev');
    find(objects, 'ResourceQuota', 'observability-compute')['spec'].hard.persistentvolumeclaims = '10';
    expect(summary(quotaFindings('dev', objects))).toEqual([
      'quota/scope-resource ResourceQuota observability/observability-compute /spec/hard/persistentvolumeclaims',
    ]);
  });

  it('finds a container the quota would refuse: no limit and no LimitRange default', () => {
    const objects = objectsOf('dev').filter((o) => o.kind !== 'LimitRange');
    delete find(objects, 'Deployment', 'grafana')['spec'].template.spec.containers[0].resources.limits;
    const findings = quotaFindings('dev', objects);
    expect(summary(findings)).toEqual([
      'quota/no-limit ResourceQuota observability/observability-compute /spec/hard/limits.cpu',
      'quota/no-limit ResourceQuota observability/observability-compute /spec/hard/limits.memory',
    ]);
  });
});
