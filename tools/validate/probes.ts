/**
 * Probe gate: a liveness probe restarts the container, so it must not ask anything but whether the
 * process serves (tools/catalog/health.ts, facts from upstream).
 *
 * Rule id: `probe/liveness-not-process-only`, a liveness probe on an endpoint that reflects
 * dependencies, rings or pipelines; the message says which endpoint to use instead, or to drop it.
 */
import { HEALTH, type HealthEndpoints } from '../catalog/health.ts';
import { IMAGES, type ImageName } from '../catalog/images.ts';
import { describeObject } from '../kube/object.ts';
import { podSpecOf, pointer } from '../kube/pod.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

/** The catalog image a container runs, by repository (the tag may differ in an overlay). */
function imageOf(reference: string | undefined): ImageName | undefined {
  const repository = (reference ?? '').replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]+$/, '');
  return (Object.keys(IMAGES) as ImageName[]).find((name) => IMAGES[name].name === repository);
}

export function probeFindings(app: RenderedApp): Finding[] {
  const findings: Finding[] = [];
  for (const object of app.objects) {
    const spec = podSpecOf(object);
    if (!spec) continue;
    (spec.pod.containers ?? []).forEach((container, i) => {
      const image = imageOf(container.image);
      const health = image ? (HEALTH as Partial<Record<ImageName, HealthEndpoints>>)[image] : undefined;
      const probe = container.livenessProbe;
      if (!health || !probe) return;
      const base = {
        severity: 'error' as const,
        env: app.env,
        component: app.component,
        object: describeObject(object),
        path: pointer([...spec.path, 'containers', i, 'livenessProbe']),
      };
      const path = probe.httpGet?.path;
      if (path === undefined || !health.notForLiveness.includes(path)) return;
      const fix = health.liveness ? `use ${health.liveness}` : 'remove the liveness probe';
      findings.push({
        ...base,
        rule: 'probe/liveness-not-process-only',
        message: `container ${container.name}: ${path} answers for more than the process, so a liveness probe on it restarts healthy pods: ${fix} (${health.source})`,
      });
    });
  }
  return findings;
}
