/**
 * Loki's configuration, loaded by Loki's own code: for each rendered Loki workload (every target of
 * an environment), the `loki` program (test/upstream/loki: cmd/loki/main.go's loading, v3.7.6) runs
 * with the container's own arguments, -config.file pointing at the rendered ConfigMap's config.yaml,
 * and exactly the environment variable names the container sets (values are stand-ins: secrets are
 * never read).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../kube/object.ts';
import { podSpecOf } from '../kube/pod.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from '../validate/finding.ts';
import { IMAGES } from '../catalog/images.ts';
import { runProgram } from './programs.ts';

/** One Loki process as a workload starts it. */
export interface LokiLaunch {
  /** `Kind namespace/name` of the workload. */
  object: string;
  args: string[];
  /** Variable names the container sets, each with a stand-in value. */
  env: Record<string, string>;
}

/** The `loki` containers of an app's Deployments and StatefulSets. */
export function lokiLaunches(objects: readonly KubeObject[]): LokiLaunch[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .flatMap((o) => {
      const containers = (podSpecOf(o)?.pod.containers ?? []).filter((c) => c.name === 'loki');
      return containers.map((c) => ({
        object: `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`,
        args: c.args ?? [],
        // A stand-in, never the secret: what matters is which variables exist for ${…} expansion.
        env: Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? `stand-in-for-${e.name}`])),
      }));
    });
}

/** The rendered `config.yaml` of the loki-config ConfigMap. */
export function lokiConfigText(objects: readonly KubeObject[]): string | undefined {
  const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'loki-config');
  return (map?.['data'] as Record<string, string> | undefined)?.['config.yaml'];
}

/** `-config.file=…` (either spelling) pointed at `file`; every other argument as the container has it. */
export function withConfigFile(args: readonly string[], file: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (/^--?config\.file=/.test(arg)) out.push(`-config.file=${file}`);
    else if (/^--?config\.file$/.test(arg)) {
      out.push(`-config.file=${file}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Loads `config` the way each launch's Loki would. Returns one error finding per refused launch
 * (rule `upstream/loki-config`), its message Loki's own first error (key path first when known).
 */
export async function lokiConfigFindings(binary: string, app: RenderedApp, config = lokiConfigText(app.objects)): Promise<Finding[]> {
  const launches = lokiLaunches(app.objects);
  if (config === undefined || launches.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'loki-config-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, config);
    const findings: Finding[] = [];
    for (const launch of launches) {
      const run = await runProgram(binary, withConfigFile(launch.args, file), { env: launch.env });
      if (run.code === 0) continue;
      const reason = run.stderr.replaceAll(file, 'config.yaml').trim().split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
      findings.push({
        rule: 'upstream/loki-config',
        severity: 'error',
        env: app.env,
        component: app.component,
        object: launch.object,
        message: `Loki ${IMAGES.loki.tag} refuses ConfigMap loki-config config.yaml with ${launch.args.filter((a) => a.startsWith('-target')).join(' ') || 'its arguments'}: ${reason}`,
      });
    }
    return findings;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
