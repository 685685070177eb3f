/**
 * `loki/config-schema`: each rendered Loki configuration as the workloads that start Loki read it,
 * checked against Loki's documented configuration (tools/validate/loki-config-schema.ts). For every
 * `loki` container of a Deployment or StatefulSet: the file its `-config.file` names, found through
 * its volume mounts in the ConfigMap mounted there; `${VAR}` references expanded with the variables
 * the container sets when it passes `-config.expand-env=true` (values from Secrets are stand-ins:
 * only which variables exist matters, secrets are never read); then an unknown key or a value of the
 * wrong type is an error naming the ConfigMap, the file and the key path. Workloads that read the same
 * file the same way (read, write, backend) give one finding naming them all.
 */
import { parse as parseYaml } from 'yaml';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';
import { expandLokiEnv, lokiConfigProblems, lokiConfigSchema } from './loki-config-schema.ts';

/** One Loki process as a workload starts it. */
export interface LokiLaunch {
  /** `Kind namespace/name` of the workload. */
  workload: string;
  args: string[];
  /** Variables the container sets: literal values, or `stand-in-for-NAME` for values from Secrets or ConfigMaps. */
  env: Record<string, string>;
  /** The ConfigMap and key that `-config.file` reads, when a ConfigMap volume is mounted there. */
  configMap?: string;
  key?: string;
}

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  containers?: Container[];
  volumes?: { name: string; configMap?: { name: string; items?: { key: string; path: string }[] } }[];
}

/** The value of `-config.file` (either spelling, `=` or separate), or undefined. */
export function configFileArg(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const joined = /^--?config\.file=(.*)$/.exec(arg);
    if (joined) return joined[1];
    if (/^--?config\.file$/.test(arg)) return args[i + 1];
  }
  return undefined;
}

/** Which ConfigMap key a path inside the container is, through the container's mounts and the pod's volumes. */
function configMapFile(spec: PodSpec, container: Container, file: string): { configMap: string; key: string } | undefined {
  for (const mount of container.volumeMounts ?? []) {
    const dir = mount.mountPath.replace(/\/$/, '');
    const volume = spec.volumes?.find((v) => v.name === mount.name)?.configMap;
    if (!volume) continue;
    const inside =
      mount.subPath !== undefined
        ? file === dir
          ? mount.subPath
          : undefined
        : file.startsWith(`${dir}/`)
          ? file.slice(dir.length + 1)
          : undefined;
    if (inside === undefined) continue;
    const key = volume.items ? volume.items.find((item) => item.path === inside)?.key : inside;
    if (key !== undefined) return { configMap: volume.name, key };
  }
  return undefined;
}

/** The `loki` containers of an app's Deployments and StatefulSets, each with the file it reads. */
export function lokiLaunches(objects: readonly KubeObject[]): LokiLaunch[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .flatMap((o) => {
      const spec = (o['spec'] as { template?: { spec?: PodSpec } }).template?.spec ?? {};
      return (spec.containers ?? [])
        .filter((c) => c.name === 'loki')
        .map((c) => {
          const args = c.args ?? [];
          const file = configFileArg(args);
          return {
            workload: describeObject(o),
            args,
            env: Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? `stand-in-for-${e.name}`])),
            ...(file ? configMapFile(spec, c, file) : {}),
          };
        });
    });
}

/** Whether Loki expands `${…}` for these arguments (`-config.expand-env` or `-config.expand-env=true`). */
export function expandsEnv(args: readonly string[]): boolean {
  return args.some((a) => /^--?config\.expand-env(=true)?$/.test(a));
}

/** The gate over one rendered app: one error per problem per distinct way the file is read. */
export function lokiConfigFindings(app: RenderedApp): Finding[] {
  const schema = lokiConfigSchema();
  const groups = new Map<
    string,
    { configMap: KubeObject; key: string; text: string; unset: { name: string; line: number }[]; workloads: string[] }
  >();
  for (const launch of lokiLaunches(app.objects)) {
    const configMap = app.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === launch.configMap);
    const raw = launch.key === undefined ? undefined : (configMap?.['data'] as Record<string, string> | undefined)?.[launch.key];
    if (!configMap || launch.key === undefined || raw === undefined) continue; // a missing mount or key is wiring's finding
    const { text, unset } = expandsEnv(launch.args) ? expandLokiEnv(raw, launch.env) : { text: raw, unset: [] };
    const id = `${launch.configMap}\u0000${launch.key}\u0000${text}`;
    const group = groups.get(id) ?? { configMap, key: launch.key, text, unset, workloads: [] };
    group.workloads.push(launch.workload);
    groups.set(id, group);
  }
  const findings: Finding[] = [];
  for (const { configMap, key, text, unset, workloads } of groups.values()) {
    const where = {
      rule: 'loki/config-schema',
      severity: 'error' as const,
      env: app.env,
      component: app.component,
      object: describeObject(configMap),
      path: `/data/${key}`,
    };
    const readers = `as ${workloads.join(', ')} ${workloads.length > 1 ? 'read' : 'reads'} it`;
    for (const ref of unset) {
      findings.push({
        ...where,
        message: `line ${ref.line}: \${${ref.name}} names a variable the loki container does not set, ${readers}; Loki would put an empty string there (set it in the container's env or give a default, \${${ref.name}:-…})`,
      });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      findings.push({ ...where, message: `not YAML after environment expansion, ${readers}: ${(error as Error).message.split('\n')[0]}` });
      continue;
    }
    for (const problem of lokiConfigProblems(parsed, schema)) {
      findings.push({ ...where, message: `${problem.path || '(top level)'}: ${problem.message}, ${readers}` });
    }
  }
  return findings;
}
