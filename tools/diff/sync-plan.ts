/**
 * What Argo CD will do when head is synced, in order: per environment, the Applications whose rendered
 * objects change (they go OutOfSync, so they sync), by RollingSync wave; inside each, the changed
 * objects by sync phase and resource wave, and the workloads that roll.
 *
 * Argo CD facts (argoproj/argo-cd docs):
 * - RollingSync syncs the OutOfSync Applications of one step, and moves to the next step once every
 *   Application of the step is Healthy (operator-manual/applicationset/Progressive-Syncs.md); the
 *   triggered sync prunes as the Application's syncPolicy says (applicationset/progressivesync/progressive_sync.go syncApplication).
 * - Inside an Application, resources are applied by phase (PreSync, Sync, PostSync), then by
 *   `argocd.argoproj.io/sync-wave` (default 0, lowest first); pruning runs the waves in reverse;
 *   hooks run on every sync that is not selective (user-guide/sync-waves.md, user-guide/resource_hooks.md).
 * - A hook does not count towards an Application's sync status (controller/state.go CompareAppState),
 *   so a change to hooks alone leaves it Synced: nothing syncs, and the hooks run at the next sync.
 * Kubernetes facts: a Deployment, StatefulSet or DaemonSet rolls its pods when, and only when, its pod
 * template changes; `OnDelete` replaces a pod only when it is deleted; `Recreate` stops every old pod
 * before new ones start (kubernetes.io docs, concepts/workloads/controllers/{deployment,statefulset,daemonset}).
 */
import type { AppFacts } from '../argocd/facts.ts';
import { isHook } from '../kube/annotations.ts';
import { groupOf, type KubeObject } from '../kube/object.ts';
import { compareStrings } from '../kube/order.ts';
import { child, podSpecOf } from '../kube/pod.ts';
import { canonicalize } from '../yaml.ts';

/** One object of an app that changes between base and head: `before` absent when added, `after` when removed. */
export interface ChangedObject {
  before?: KubeObject;
  after?: KubeObject;
}

/** An app with rendered changes, and every object head renders for it (its hooks run on every sync). */
export interface ChangedApp {
  env: string;
  component: string;
  objects: readonly ChangedObject[];
  head: readonly KubeObject[];
}

/** What the sync does to one object. */
export type SyncAction = 'create' | 'update' | 'restart' | 'scale' | 'prune' | 'keep' | 'run';

export interface PlannedObject {
  action: SyncAction;
  /** `StatefulSet loki-write`. */
  object: string;
  /** Why or how, for a reviewer: `pod template: checksum/config`, `replicas 3 → 5`, `Sync hook`. */
  detail?: string;
}

/** One step inside an Application's sync: a phase and a resource wave. */
export interface ResourceWave {
  /** `Sync` for plain resources; a hook's phase (PreSync, Sync, PostSync) for hooks. */
  phase: string;
  wave: number;
  objects: PlannedObject[];
}

export interface ApplicationSync {
  env: string;
  component: string;
  /** The Application's name (`prod-loki`), or `env/component` when apps/ does not name one. */
  application: string;
  /** The RollingSync wave (the Application's `wave` label); undefined when it has none. */
  wave?: number;
  /** True when only hooks change: Argo CD's diff skips hooks, so the Application stays Synced and does not sync. */
  hooksOnly?: true;
  steps: ResourceWave[];
}

export interface EnvironmentSyncPlan {
  env: string;
  /** In sync order: RollingSync wave, then Application name; Applications without a wave last. */
  applications: ApplicationSync[];
}

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const HOOK = 'argocd.argoproj.io/hook';
const PHASES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PostDelete'];
/** Within one step, what a reviewer weighs first: pods replaced, then the rest. */
const ACTION_ORDER: readonly SyncAction[] = ['restart', 'scale', 'create', 'update', 'prune', 'keep', 'run'];
const ROLLING_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet']);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalize(a)) === JSON.stringify(canonicalize(b));
}

function at(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(child, value);
}

function waveOf(object: KubeObject): number {
  const wave = Number(object.metadata.annotations?.[SYNC_WAVE] ?? 0);
  return Number.isInteger(wave) ? wave : 0;
}

function phaseOf(object: KubeObject): string {
  return object.metadata.annotations?.[HOOK]?.split(',')[0]?.trim() ?? 'Sync';
}

const named = (object: KubeObject): string => `${object.kind} ${object.metadata.name}`;

/** The pod template of a workload that rolls its pods, or undefined for any other object. */
function templateOf(object: KubeObject): unknown {
  const workload = ROLLING_KINDS.has(`${groupOf(object.apiVersion)}/${object.kind}`) ? podSpecOf(object) : undefined;
  return workload ? at(object, workload.path.slice(0, -1)) : undefined;
}

interface Container {
  name?: string;
  image?: string;
}

/** What differs between two pod templates, as a reviewer names it: annotation keys, images, else the pod spec. */
function templateReasons(before: unknown, after: unknown): string[] {
  const annotations = [before, after].map((template) => (at(template, ['metadata', 'annotations']) ?? {}) as Record<string, string>);
  const [old = {}, next = {}] = annotations;
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].filter((key) => old[key] !== next[key]).sort(compareStrings);
  const containers = (template: unknown): Map<string, string | undefined> =>
    new Map(
      ['initContainers', 'containers'].flatMap((list) =>
        ((at(template, ['spec', list]) ?? []) as Container[]).map((c) => [c.name ?? '', c.image] as const),
      ),
    );
  const [images, nextImages] = [containers(before), containers(after)];
  const imageReasons = [...nextImages]
    .filter(([name, image]) => images.has(name) && images.get(name) !== image)
    .map(([name]) => `image of ${name}`);
  const rest = (template: unknown) => ({ labels: at(template, ['metadata', 'labels']), spec: at(template, ['spec']) });
  const withoutImages = (template: unknown) => JSON.stringify(canonicalize(rest(template))).replace(/"image":"[^"]*"/g, '');
  const other = withoutImages(before) !== withoutImages(after) ? ['pod spec'] : [];
  return [...keys, ...imageReasons, ...other];
}

/** How the controller replaces pods, when that is not one by one: `OnDelete`, `Recreate`. */
function strategyNote(object: KubeObject): string | undefined {
  const spec = (object['spec'] ?? {}) as { strategy?: { type?: string }; updateStrategy?: { type?: string } };
  if (object.kind === 'Deployment' && spec.strategy?.type === 'Recreate') return 'Recreate: every old pod stops before a new one starts';
  if (object.kind !== 'Deployment' && spec.updateStrategy?.type === 'OnDelete') return 'OnDelete: pods change only when deleted';
  return undefined;
}

function replicas(object: KubeObject | undefined): unknown {
  return (object?.['spec'] as { replicas?: unknown } | undefined)?.replicas;
}

/** The action on one changed object, with its detail. */
function planned(change: ChangedObject, prune: boolean): PlannedObject {
  const { before, after } = change;
  if (!after)
    return {
      action: prune ? 'prune' : 'keep',
      object: named(before as KubeObject),
      ...(prune ? {} : { detail: 'the Application does not prune: it stays, OutOfSync' }),
    };
  if (!before) return { action: 'create', object: named(after) };
  const [old, next] = [templateOf(before), templateOf(after)];
  const scale =
    replicas(before) !== replicas(after) && replicas(after) !== undefined
      ? `replicas ${String(replicas(before) ?? 'unset')} → ${String(replicas(after))}`
      : undefined;
  if (next !== undefined && !same(old, next)) {
    const note = strategyNote(after);
    const detail = [`pod template: ${templateReasons(old, next).join(', ')}`, scale, note].filter(Boolean).join('; ');
    return { action: 'restart', object: named(after), detail };
  }
  if (scale) return { action: 'scale', object: named(after), detail: scale };
  return { action: 'update', object: named(after) };
}

function compareSteps(a: ResourceWave, b: ResourceWave): number {
  const order = (phase: string) => (PHASES.includes(phase) ? PHASES.indexOf(phase) : PHASES.length);
  return order(a.phase) - order(b.phase) || a.wave - b.wave;
}

/** One Application's sync: its changed objects and its hooks, by phase and resource wave. */
function applicationSync(app: ChangedApp, facts: AppFacts | undefined): ApplicationSync {
  const steps = new Map<string, ResourceWave>();
  const add = (object: KubeObject, entry: PlannedObject) => {
    const [phase, wave] = [isHook(object) ? phaseOf(object) : 'Sync', waveOf(object)];
    const key = `${phase}\n${wave}`;
    const step = steps.get(key) ?? { phase, wave, objects: [] };
    step.objects.push(entry);
    steps.set(key, step);
  };
  const prune = facts?.prune ?? false;
  const identity = {
    env: app.env,
    component: app.component,
    application: facts?.application ?? `${app.env}/${app.component}`,
    ...(facts?.wave !== undefined ? { wave: facts.wave } : {}),
  };
  if (app.objects.every((change) => isHook((change.after ?? change.before) as KubeObject)))
    return { ...identity, hooksOnly: true, steps: [] };
  for (const change of app.objects) {
    const object = change.after ?? change.before;
    if (object && !isHook(object)) add(object, planned(change, prune));
  }
  for (const hook of app.head.filter(isHook)) add(hook, { action: 'run', object: named(hook), detail: `${phaseOf(hook)} hook` });
  for (const step of steps.values())
    step.objects.sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || compareStrings(a.object, b.object));
  return { ...identity, steps: [...steps.values()].sort(compareSteps) };
}

/**
 * The sync plan of every environment with rendered changes, from the changed apps and head's Argo CD
 * facts (by `env/component`, tools/argocd/facts.ts). Environments sorted by name.
 */
export function syncPlan(apps: readonly ChangedApp[], facts: ReadonlyMap<string, AppFacts> | undefined): EnvironmentSyncPlan[] {
  const byEnv = new Map<string, ApplicationSync[]>();
  for (const app of apps.filter((a) => a.objects.length > 0)) {
    const sync = applicationSync(app, facts?.get(`${app.env}/${app.component}`));
    byEnv.set(app.env, [...(byEnv.get(app.env) ?? []), sync]);
  }
  const waveOrder = (sync: ApplicationSync) => sync.wave ?? Number.POSITIVE_INFINITY;
  return [...byEnv]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([env, applications]) => ({
      env,
      applications: applications.sort((a, b) => waveOrder(a) - waveOrder(b) || compareStrings(a.application, b.application)),
    }));
}
