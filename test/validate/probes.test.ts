import { describe, expect, it } from 'vitest';
import type { V1PodSpec } from '@kubernetes/client-node';
import { HEALTH } from '../../tools/catalog/health.ts';
import { podSpecOf } from '../../tools/kube/pod.ts';
import type { RenderedApp } from '../../tools/render/tree.ts';
import { probeFindings } from '../../tools/validate/probes.ts';
import { app, renderCommitted } from '../support/repo.ts';

function pod(a: RenderedApp, name: string): V1PodSpec {
  const spec = a.objects
    .filter((o) => o.metadata.name === name)
    .map(podSpecOf)
    .find(Boolean);
  if (!spec) throw new Error(`${a.env}/${a.component}: no workload ${name}`);
  return spec.pod;
}

describe('liveness probes ask only whether the process serves', async () => {
  const tree = await renderCommitted();

  it('hold for every committed overlay, and the workloads probe what upstream says', () => {
    expect(tree.apps.flatMap(probeFindings)).toEqual([]);
    const loki = pod(app(tree, 'prod', 'loki'), 'loki-read').containers[0];
    expect([loki?.livenessProbe?.httpGet?.path, loki?.readinessProbe?.httpGet?.path]).toEqual(['/loki/api/v1/status/buildinfo', '/ready']);
    const grafana = pod(app(tree, 'prod', 'grafana'), 'grafana').containers[0];
    expect([grafana?.livenessProbe?.httpGet?.path, grafana?.readinessProbe?.httpGet?.path]).toEqual(['/healthz', '/api/health']);
    const alloy = pod(app(tree, 'dev', 'alloy'), 'alloy').containers[0];
    expect([alloy?.livenessProbe, alloy?.readinessProbe?.httpGet?.path]).toEqual([undefined, '/-/ready']);
  });

  it.each([
    ['loki', 'loki-write', '/ready', 'use /loki/api/v1/status/buildinfo'],
    ['alloy', 'alloy', '/-/healthy', 'remove the liveness probe'],
    ['grafana', 'grafana', '/api/health', 'use /healthz'],
    ['minio', 'minio', '/minio/health/cluster', 'use /minio/health/live'],
  ])('finds %s liveness on a dependent endpoint (%s %s)', (component, workload, path, fix) => {
    // GIVEN the prod overlay with the liveness probe moved to an endpoint that answers for dependencies
    const changed = structuredClone(app(tree, 'prod', component));
    const container = pod(changed, workload).containers[0];
    if (!container) throw new Error(`${workload} has no container`);
    container.livenessProbe = { httpGet: { path, port: 'http' } };
    // THEN the gate names the object, the probe and the fix
    const findings = probeFindings(changed);
    expect(findings.map((f) => [f.rule, f.path])).toEqual([
      ['probe/liveness-not-process-only', '/spec/template/spec/containers/0/livenessProbe'],
    ]);
    expect(findings[0]?.message).toContain(fix);
  });

  it('the health table never offers a forbidden endpoint as the liveness one', () => {
    for (const health of Object.values(HEALTH))
      expect(health.notForLiveness).not.toContain('liveness' in health ? health.liveness : undefined);
  });
});
