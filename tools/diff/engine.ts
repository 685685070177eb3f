import { isDeepStrictEqual } from 'node:util';
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import type { AppFacts } from '../argocd/facts.ts';
import { sharedObjects } from '../argocd/shared.ts';
import { definedScopes, isCustomResourceDefinition, withArgoNamespace } from '../kube/identity.ts';
import { describeObject, groupOf, objectKey, type KubeObject } from '../kube/object.ts';
import { withStoredBytes } from '../kube/stored-bytes.ts';
import type { RenderedApp, RenderedTree } from '../render/tree.ts';
import { toYaml } from '../yaml.ts';
import { pairGeneratedNames } from './generated-names.ts';
import { imageChanges } from './images.ts';
import { immutableChanges } from './immutable.ts';
import { moveRisk, type Move } from './moves.ts';
import { readablePair } from './readable.ts';
import { isSecret } from '../kube/stored-bytes.ts';
import { hasKeyChanges, redactSecret, secretKeyChanges, type SecretKeyChanges } from './secret.ts';
import { compareStrings } from '../kube/order.ts';
import { claimSizeLosses } from './claim-size.ts';
import { dataLosses, type Loss } from './data-loss.ts';
import { breaksIntent, describeFlowChange, type EnvironmentFlows } from './flows.ts';
import { syncPlan, type ChangedApp, type ChangedObject, type EnvironmentSyncPlan } from './sync-plan.ts';
import { hasApplicationChanges, type ApplicationsDiff } from './applications.ts';

export interface DiffInput {
  /** The apps to compare; an app in neither tree but in `unchanged` is the same on both sides. */
  base: RenderedTree;
  head: RenderedTree;
  /** Apps left out of both trees because their inputs are equal on both sides: listed, not compared. */
  unchanged?: readonly { env: string; component: string }[];
  /**
   * Argo CD's facts of each app (`env/component`) on each side, read from that side's `apps/`
   * (tools/argocd/facts.ts): destination namespace, wave, sync options, for pairing objects and
   * weighing moves (Application-level flags come from `applications`).
   */
  baseApps?: ReadonlyMap<string, AppFacts>;
  headApps?: ReadonlyMap<string, AppFacts>;
  /** Apps that failed to render on one side: their objects there are unknown, the other side is still shown. */
  failures?: readonly RenderFailure[];
  /** Head apps rendered only to find objects two apps of an environment share: not compared. */
  headContext?: readonly RenderedApp[];
  /** head's generated files that differ from what head's catalog generates, from the caller. */
  staleFiles?: string[];
  /** Flow matrix changes of the environments whose NetworkPolicies or endpoints change (tools/diff/flows.ts). */
  flows?: readonly EnvironmentFlows[];
  /** Why head's catalog could not be generated, so its generated files could not be checked. */
  staleError?: string;
  /** What changes under `apps/` (tools/diff/applications.ts): its flags join the report's. */
  applications?: ApplicationsDiff;
}

/** One app's render that failed on one side of the diff. */
export interface RenderFailure {
  side: 'base' | 'head';
  env: string;
  component: string;
  /** The renderer's one-line reason. */
  message: string;
}

export interface ObjectChange {
  env: string;
  component: string;
  /** objectKey: group/kind/namespace/name. */
  key: string;
  kind: string;
  namespace?: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** The base side's name when kustomize's hash suffix of a generated name changed with the content. */
  previousName?: string;
  /** Unified diff of the normalized YAML, Secret values redacted. */
  diff: string;
  /** How hard-to-read values were shown (readable.ts), one line each. */
  notes?: string[];
  added: number;
  removed: number;
}

export type Severity = 'danger' | 'warning' | 'info';

export interface Flag {
  severity: Severity;
  /**
   * One of RULE_ORDER: 'render-failed' | 'application-removed' | 'shared-object' | 'data-loss' | 'volume-size' | 'network-flow' | … |
   * 'secret-change'
   */
  rule: string;
  env?: string;
  component?: string;
  /** The object, as people name it: `StatefulSet observability/loki-write`. */
  object?: string;
  message: string;
}

export interface AppSummary {
  env: string;
  component: string;
  added: number;
  removed: number;
  changed: number;
  linesAdded: number;
  linesRemoved: number;
}

export interface DiffReport {
  /** Every app rendered on either side, sorted by env then component, changed or not. */
  summary: AppSummary[];
  /** What a reviewer must not miss, most severe first. */
  flags: Flag[];
  /** Sorted by env, component, then object key. */
  changes: ObjectChange[];
  /** What Argo CD will do, per environment with changes (tools/diff/sync-plan.ts). */
  syncPlan?: EnvironmentSyncPlan[];
  /** Flow matrix changes per environment whose NetworkPolicies or endpoints change (tools/diff/flows.ts). */
  flows?: EnvironmentFlows[];
  /** The Applications and other Argo CD objects that change under `apps/`, when the caller compared them. */
  applications?: ApplicationsDiff;
}

export class DiffInputError extends Error {
  override readonly name = 'DiffInputError';
}

const CONTEXT_LINES = 3;
/** Lists inside one flag message stop here, so no single flag can crowd out the others. */
const LISTED_MAX = 8;
const SEVERITY_ORDER: readonly Severity[] = ['danger', 'warning', 'info'];
const RULE_ORDER = [
  'render-failed',
  'application-removed',
  'shared-object',
  'data-loss',
  'volume-size',
  'immutable-field',
  'network-flow',
  'object-move',
  'stale-generated',
  'destination-change',
  'wave-order',
  'project-change',
  'source-change',
  'sync-policy',
  'appproject-change',
  'image-change',
  'secret-change',
];

interface AppObjects {
  env: string;
  component: string;
  objects: Map<string, KubeObject>;
}

function appId(env: string, component: string): string {
  return `${env}/${component}`;
}

/** An app's facts on one side. */
function factsOf(facts: ReadonlyMap<string, AppFacts> | undefined, env: string, component: string): AppFacts | undefined {
  return facts?.get(appId(env, component));
}

/**
 * Each app's objects by Argo CD's identity (tools/kube/identity.ts): the namespace a namespaced object
 * lacks is its Application's destination namespace, a cluster-scoped object has none.
 */
function indexApps(
  apps: readonly RenderedApp[],
  side: string,
  facts: ReadonlyMap<string, AppFacts> | undefined,
  scopes: ReadonlyMap<string, boolean>,
): Map<string, AppObjects> {
  const indexed = new Map<string, AppObjects>();
  for (const app of apps) {
    const id = appId(app.env, app.component);
    if (indexed.has(id)) throw new DiffInputError(`${id}: rendered twice in the ${side} tree: each env and component must be one app`);
    const destination = factsOf(facts, app.env, app.component)?.namespace;
    const objects = new Map<string, KubeObject>();
    for (const rendered of app.objects) {
      const object = withArgoNamespace(rendered, destination, scopes);
      const key = objectKey(object);
      if (objects.has(key)) {
        throw new DiffInputError(
          `${id} ${describeObject(object)}: appears twice in the ${side} render: an overlay must emit each object once`,
        );
      }
      objects.set(key, object);
    }
    indexed.set(id, { env: app.env, component: app.component, objects });
  }
  return indexed;
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, LISTED_MAX).join(', ');
  return items.length > LISTED_MAX ? `${shown} and ${items.length - LISTED_MAX} more` : shown;
}

/** The YAML a reviewer sees for one side: canonical order; a Secret's values replaced by placeholders. */
function reviewYaml(object: KubeObject | undefined, changedKeys: ReadonlySet<string>): string {
  if (!object) return '';
  return toYaml(isSecret(object) ? redactSecret(object, changedKeys) : object);
}

/**
 * True when both sides store the same bytes in the cluster although written differently (a
 * Secret's values moved between `stringData` and `data`, base64 wrapped or not): no change.
 * Compared, never shown.
 */
function sameWhenStored(old: KubeObject | undefined, next: KubeObject | undefined): boolean {
  return old !== undefined && next !== undefined && toYaml(withStoredBytes(old)) === toYaml(withStoredBytes(next));
}

/** The two sides' review YAML; for a changed object, hard-to-read values rewritten, with notes. */
function reviewTexts(
  old: KubeObject | undefined,
  next: KubeObject | undefined,
  changedKeys: ReadonlySet<string>,
): { before: string; after: string; notes: string[] } {
  const before = old && isSecret(old) ? redactSecret(old, new Set()) : old;
  const after = next && isSecret(next) ? redactSecret(next, changedKeys) : next;
  if (!before || !after) return { before: reviewYaml(before, new Set()), after: reviewYaml(after, new Set()), notes: [] };
  if (toYaml(before) === toYaml(after)) return { before: toYaml(before), after: toYaml(after), notes: [] };
  const readable = readablePair(before, after);
  return { before: toYaml(readable.before), after: toYaml(readable.after), notes: readable.notes };
}

/** A unified diff of the two texts; `labels` name each side's object (a generated name differs between them). */
function patchOf(labels: [string, string], before: string, after: string): { diff: string; added: number; removed: number } {
  const patch = structuredPatch(
    before ? `base/${labels[0]}` : '/dev/null',
    after ? `head/${labels[1]}` : '/dev/null',
    before,
    after,
    undefined,
    undefined,
    {
      context: CONTEXT_LINES,
    },
  );
  const lines = patch.hunks.flatMap((hunk) => hunk.lines);
  return {
    diff: formatPatch(patch, FILE_HEADERS_ONLY),
    added: lines.filter((line) => line.startsWith('+')).length,
    removed: lines.filter((line) => line.startsWith('-')).length,
  };
}

function secretFlag(env: string, component: string, object: KubeObject, change: ObjectChange['change'], keys: SecretKeyChanges): Flag {
  const parts = [
    change === 'changed' ? '' : `Secret ${change}`,
    keys.added.length > 0 ? `keys added: ${listed(keys.added)}` : '',
    keys.removed.length > 0 ? `keys removed: ${listed(keys.removed)}` : '',
    keys.changed.length > 0 ? `values changed: ${listed(keys.changed)}` : '',
  ].filter(Boolean);
  return {
    severity: change === 'changed' ? 'warning' : 'info',
    rule: 'secret-change',
    env,
    component,
    object: describeObject(object),
    message: `${parts.join('; ')} (values are never shown)`,
  };
}

function dataLossFlag(env: string, component: string, object: KubeObject, movedTo: string | undefined): Flag | undefined {
  const group = groupOf(object.apiVersion);
  const moved = movedTo ? ` It moves to ${movedTo}: see its object-move flag for what happens on the way.` : '';
  let message: string | undefined;
  if (group === '' && object.kind === 'PersistentVolumeClaim') {
    message =
      'PersistentVolumeClaim removed: when Argo CD prunes it, its volume goes with it under the usual Delete reclaim policy, data included; keep it with the sync option Prune=false, or back up first.';
  } else if (group === 'apps' && object.kind === 'StatefulSet') {
    message =
      'StatefulSet removed: its pods stop, and its volumeClaimTemplates claims are orphaned (deleted, with their data, under persistentVolumeClaimRetentionPolicy.whenDeleted: Delete).';
  } else if (group === '' && object.kind === 'Namespace') {
    message = 'Namespace removed: deleting it deletes every object in it, claims and data included, whichever app owns them.';
  } else if (isCustomResourceDefinition(object)) {
    const spec = (object['spec'] ?? {}) as { group?: string; names?: { kind?: string } };
    const kind = spec.names?.kind ? `${spec.names.kind} (${spec.group ?? object.metadata.name})` : object.metadata.name;
    message = `CustomResourceDefinition removed: deleting it deletes every ${kind} object in the cluster, in every namespace, whichever app or tool made them; keep it with the sync option Prune=false, or back them up first.`;
  }
  if (!message) return undefined;
  return { severity: 'danger', rule: 'data-loss', env, component, object: describeObject(object), message: `${message}${moved}` };
}

function immutableFlags(env: string, component: string, base: KubeObject, head: KubeObject): Flag[] {
  const object = describeObject(head);
  return immutableChanges(base, head).map((refused) => ({
    severity: 'danger',
    rule: 'immutable-field',
    env,
    component,
    object,
    message: refused.message,
  }));
}

function imageFlags(env: string, component: string, base: readonly KubeObject[], head: readonly KubeObject[]): Flag[] {
  return imageChanges(base, head).map((change) => ({
    severity: change.from === undefined ? 'info' : 'warning',
    rule: 'image-change',
    env,
    component,
    message:
      change.from === undefined
        ? `new image ${change.to} (${listed(change.objects)})`
        : `image ${change.from} → ${change.to} (${listed(change.objects)})`,
  }));
}

function renderFailureFlags(failures: readonly RenderFailure[] | undefined): Flag[] {
  return (failures ?? []).map((failure) => ({
    severity: 'danger',
    rule: 'render-failed',
    env: failure.env,
    component: failure.component,
    message: `the ${failure.side} side failed to render, so its objects are unknown: every ${failure.side === 'base' ? 'head object is shown as added' : 'base object is shown as removed'}. ${failure.message}`,
  }));
}

function sharedFlags(apps: readonly AppObjects[], facts: ReadonlyMap<string, AppFacts> | undefined): Flag[] {
  return sharedObjects(apps.map((app) => ({ group: app.env, app: app.component, objects: app.objects }))).map(
    ({ group: env, apps: components, object }) => {
      const names = components.map((component) => factsOf(facts, env, component)?.application ?? `${env}/${component}`);
      const failing = components.some((component) => factsOf(facts, env, component)?.failOnSharedResource);
      return {
        severity: 'danger',
        rule: 'shared-object',
        env,
        object: describeObject(object),
        message: `rendered by ${components.length} apps of ${env} (${names.join(', ')}): Argo CD tracks an object for one Application only${failing ? ", and with FailOnSharedResource=true the others' syncs fail" : ', so they overwrite each other'}; keep it in one app.`,
      };
    },
  );
}

/** Data-loss and claim-size findings of one changed object, as flags. */
function lossFlags(env: string, component: string, before: KubeObject, after: KubeObject): Flag[] {
  const object = describeObject(after);
  const flag =
    (rule: string) =>
    (loss: Loss): Flag => ({ severity: loss.severity, rule, env, component, object, message: loss.message });
  return [...dataLosses(before, after).map(flag('data-loss')), ...claimSizeLosses(before, after).map(flag('volume-size'))];
}

/** An intended flow now denied (danger), or an unintended one now allowed (warning). */
function flowFlags(flows: readonly EnvironmentFlows[] | undefined): Flag[] {
  return (flows ?? []).flatMap(({ env, changes }) =>
    changes.filter(breaksIntent).map((change): Flag => ({
      severity: change.intended ? 'danger' : 'warning',
      rule: 'network-flow',
      env,
      message: describeFlowChange(change),
    })),
  );
}

function staleFlags(files: readonly string[] | undefined, error: string | undefined): Flag[] {
  if (error !== undefined) {
    return [
      {
        severity: 'warning',
        rule: 'stale-generated',
        message: `head's catalog could not be generated, so its generated files were not checked against it: ${error}`,
      },
    ];
  }
  if (!files || files.length === 0) return [];
  const sorted = [...files].sort();
  return [
    {
      severity: 'warning',
      rule: 'stale-generated',
      message: `${sorted.length} generated file(s) in head differ from what head's catalog generates, so Argo CD would deploy something the catalog does not say: run npm run generate and commit (${listed(sorted)})`,
    },
  ];
}

function compareFlags(a: Flag, b: Flag): number {
  return (
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule) ||
    compareStrings(a.env ?? '', b.env ?? '') ||
    compareStrings(a.component ?? '', b.component ?? '') ||
    compareStrings(a.object ?? '', b.object ?? '') ||
    compareStrings(a.message, b.message)
  );
}

/** Objects that leave one app and arrive in another of the same environment (by env and key). */
function movesOf(baseApps: Map<string, AppObjects>, headApps: Map<string, AppObjects>): Move[] {
  const added = new Map<string, string>();
  for (const [id, app] of headApps) {
    const before = baseApps.get(id)?.objects;
    for (const key of app.objects.keys()) if (!before?.has(key)) added.set(`${app.env}\n${key}`, app.component);
  }
  const moves: Move[] = [];
  for (const [id, app] of baseApps) {
    const after = headApps.get(id)?.objects;
    for (const [key, object] of app.objects) {
      const to = after?.has(key) ? undefined : added.get(`${app.env}\n${key}`);
      if (to !== undefined && to !== app.component) moves.push({ env: app.env, from: app.component, to, object });
    }
  }
  return moves;
}

/** The semantic diff of two rendered trees: per app, objects paired by Argo CD's identity; flags for what must not be missed. */
export function diffTrees(input: DiffInput): DiffReport {
  const scopes = definedScopes([...input.base.apps, ...input.head.apps, ...(input.headContext ?? [])].flatMap((app) => app.objects));
  const baseApps = indexApps(input.base.apps, 'base', input.baseApps, scopes);
  const headApps = indexApps(input.head.apps, 'head', input.headApps, scopes);
  const context = indexApps(
    (input.headContext ?? []).filter((app) => !headApps.has(appId(app.env, app.component))),
    'head',
    input.headApps,
    scopes,
  );
  const moves = movesOf(baseApps, headApps);
  const movedTo = new Map(moves.map((move) => [`${move.env}/${move.from}\n${objectKey(move.object)}`, `${move.env}/${move.to}`]));
  const same = (input.unchanged ?? []).map(({ env, component }): [string, AppObjects] => [
    appId(env, component),
    { env, component, objects: new Map() },
  ]);
  const apps = [...new Map([...same, ...baseApps, ...headApps]).values()].sort(
    (a, b) => compareStrings(a.env, b.env) || compareStrings(a.component, b.component),
  );

  const summary: AppSummary[] = [];
  const flags: Flag[] = [
    ...renderFailureFlags(input.failures),
    ...sharedFlags([...headApps.values(), ...context.values()], input.headApps),
    ...(input.applications?.flags ?? []),
    ...staleFlags(input.staleFiles, input.staleError),
    ...flowFlags(input.flows),
    ...moves.map((move): Flag => {
      const risk = moveRisk(move, input.headApps ?? new Map());
      return {
        severity: risk.deletedInBetween ? 'danger' : 'warning',
        rule: 'object-move',
        env: move.env,
        component: move.to,
        object: describeObject(move.object),
        message: risk.message,
      };
    }),
  ];
  const changes: ObjectChange[] = [];
  const changedApps: ChangedApp[] = [];

  const none: ReadonlyMap<string, KubeObject> = new Map();
  for (const { env, component } of apps) {
    const id = appId(env, component);
    const before = baseApps.get(id)?.objects ?? none;
    const after = headApps.get(id)?.objects ?? none;
    const row: AppSummary = { env, component, added: 0, removed: 0, changed: 0, linesAdded: 0, linesRemoved: 0 };
    // An app equal on both sides (most of a large tree) has nothing to compare, flag or sync.
    if (before.size === 0 && after.size === 0) {
      summary.push(row);
      continue;
    }
    // A generated name whose hash suffix changed is the same object: compared under its base key.
    const renamed = pairGeneratedNames(before, after);
    const headKeyOf = new Map([...renamed].map(([headKey, baseKey]) => [baseKey, headKey]));
    const changedObjects: ChangedObject[] = [];
    for (const key of [...new Set([...before.keys(), ...after.keys()])].filter((k) => !renamed.has(k)).sort(compareStrings)) {
      const old = before.get(key);
      const next = after.get(headKeyOf.get(key) ?? key);
      // Equal objects review alike: not written out as YAML to learn it (most objects of a changed overlay).
      if (old && next && isDeepStrictEqual(old, next)) continue;
      const object = (next ?? old) as KubeObject;
      const secretKeys = isSecret(object) ? secretKeyChanges(old, next) : undefined;
      const texts = reviewTexts(old, next, new Set(secretKeys?.changed));
      if (texts.before === texts.after || sameWhenStored(old, next)) continue;
      const change: ObjectChange['change'] = !old ? 'added' : !next ? 'removed' : 'changed';
      const patch = patchOf([`${id} ${describeObject(old ?? object)}`, `${id} ${describeObject(object)}`], texts.before, texts.after);
      const previousName = old && next && old.metadata.name !== next.metadata.name ? old.metadata.name : undefined;
      changes.push({
        env,
        component,
        key: objectKey(object),
        kind: object.kind,
        ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
        name: object.metadata.name,
        change,
        ...(previousName !== undefined ? { previousName } : {}),
        ...patch,
        ...(texts.notes.length > 0 ? { notes: texts.notes } : {}),
      });
      row[change] += 1;
      row.linesAdded += patch.added;
      row.linesRemoved += patch.removed;
      if (secretKeys && hasKeyChanges(secretKeys)) flags.push(secretFlag(env, component, object, change, secretKeys));
      changedObjects.push({ ...(old ? { before: old } : {}), ...(next ? { after: next } : {}) });
      if (old && next) flags.push(...immutableFlags(env, component, old, next), ...lossFlags(env, component, old, next));
      const loss = old && !next ? dataLossFlag(env, component, old, movedTo.get(`${id}\n${key}`)) : undefined;
      if (loss) flags.push(loss);
    }
    flags.push(...imageFlags(env, component, [...before.values()], [...after.values()]));
    summary.push(row);
    changedApps.push({ env, component, objects: changedObjects, head: [...after.values()] });
  }
  const plan = syncPlan(changedApps, input.headApps);
  return {
    summary,
    flags: flags.sort(compareFlags),
    changes,
    ...(plan.length > 0 ? { syncPlan: plan } : {}),
    ...(input.flows?.length ? { flows: [...input.flows] } : {}),
    ...(input.applications ? { applications: input.applications } : {}),
  };
}

/** Whether a report has anything to show: a rendered change, an Argo CD object that changes, or a flag (stale files) on its own. */
export function hasChanges(report: DiffReport): boolean {
  return report.changes.length > 0 || report.flags.length > 0 || hasApplicationChanges(report.applications);
}
