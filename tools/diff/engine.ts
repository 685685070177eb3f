import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import { describeObject, groupOf, objectKey, type KubeObject } from '../kube/object.ts';
import type { RenderedTree } from '../render/tree.ts';
import { toYaml } from '../yaml.ts';
import { imageChanges } from './images.ts';
import { immutableChanges } from './immutable.ts';
import { hasKeyChanges, isSecret, redactSecret, secretKeyChanges, type SecretKeyChanges } from './secret.ts';
import { compareStrings } from '../kube/order.ts';

export interface DiffInput {
  /** The apps to compare; an app in neither tree but in `unchanged` is the same on both sides. */
  base: RenderedTree;
  head: RenderedTree;
  /** Apps left out of both trees because their inputs are equal on both sides: listed, not compared. */
  unchanged?: readonly { env: string; component: string }[];
  /** component -> wave, from each side's catalog; wave flags need both. */
  baseWaves?: Record<string, number>;
  headWaves?: Record<string, number>;
  /** head's generated files that differ from what head's catalog generates, from the caller. */
  staleFiles?: string[];
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
  /** Unified diff of the normalized YAML, Secret values redacted. */
  diff: string;
  added: number;
  removed: number;
}

export type Severity = 'danger' | 'warning' | 'info';

export interface Flag {
  severity: Severity;
  /** 'image-change' | 'immutable-field' | 'data-loss' | 'wave-order' | 'secret-change' | 'stale-generated' */
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
}

export class DiffInputError extends Error {
  override readonly name = 'DiffInputError';
}

const CONTEXT_LINES = 3;
/** Lists inside one flag message stop here, so no single flag can crowd out the others. */
const LISTED_MAX = 8;
const SEVERITY_ORDER: readonly Severity[] = ['danger', 'warning', 'info'];
const RULE_ORDER = ['data-loss', 'immutable-field', 'stale-generated', 'wave-order', 'image-change', 'secret-change'];

interface AppObjects {
  env: string;
  component: string;
  objects: Map<string, KubeObject>;
}

function appId(env: string, component: string): string {
  return `${env}/${component}`;
}

function indexTree(tree: RenderedTree, side: string): Map<string, AppObjects> {
  const apps = new Map<string, AppObjects>();
  for (const app of tree.apps) {
    const id = appId(app.env, app.component);
    if (apps.has(id)) throw new DiffInputError(`${id}: rendered twice in the ${side} tree: each env and component must be one app`);
    const objects = new Map<string, KubeObject>();
    for (const object of app.objects) {
      const key = objectKey(object);
      if (objects.has(key)) {
        throw new DiffInputError(`${id} ${describeObject(object)}: appears twice in the ${side} render: an overlay must emit each object once`);
      }
      objects.set(key, object);
    }
    apps.set(id, { env: app.env, component: app.component, objects });
  }
  return apps;
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

function patchOf(label: string, before: string, after: string): { diff: string; added: number; removed: number } {
  const patch = structuredPatch(before ? `base/${label}` : '/dev/null', after ? `head/${label}` : '/dev/null', before, after, undefined, undefined, {
    context: CONTEXT_LINES,
  });
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
  const moved = movedTo ? ` It moves to ${movedTo}: Argo CD may prune it from this app before the other one adopts it.` : '';
  let message: string | undefined;
  if (group === '' && object.kind === 'PersistentVolumeClaim') {
    message = 'PersistentVolumeClaim removed: when Argo CD prunes it, its volume goes with it under the usual Delete reclaim policy, data included; keep it with the sync option Prune=false, or back up first.';
  } else if (group === 'apps' && object.kind === 'StatefulSet') {
    message = 'StatefulSet removed: its pods stop, and its volumeClaimTemplates claims are orphaned (deleted, with their data, under persistentVolumeClaimRetentionPolicy.whenDeleted: Delete).';
  } else if (group === '' && object.kind === 'Namespace') {
    message = 'Namespace removed: deleting it deletes every object in it, claims and data included, whichever app owns them.';
  }
  if (!message) return undefined;
  return { severity: 'danger', rule: 'data-loss', env, component, object: describeObject(object), message: `${message}${moved}` };
}

function immutableFlags(env: string, component: string, base: KubeObject, head: KubeObject): Flag[] {
  const object = describeObject(head);
  return immutableChanges(base, head).map((refused) => ({ severity: 'danger', rule: 'immutable-field', env, component, object, message: refused.message }));
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

function waveFlags(base: Record<string, number> | undefined, head: Record<string, number> | undefined): Flag[] {
  if (!base || !head) return [];
  const components = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  return components.flatMap((component): Flag[] => {
    const before = base[component];
    const after = head[component];
    if (before === after) return [];
    const message =
      before === undefined
        ? `component added at wave ${after}: the ApplicationSet's RollingSync steps change`
        : after === undefined
          ? `component removed from wave ${before}: the ApplicationSet's RollingSync steps change, and Argo CD deletes its Application (Reverse deletion order)`
          : `wave ${before} → ${after}: its Application now syncs in a different RollingSync step; check what it depends on is in an earlier wave`;
    return [{ severity: before !== undefined && after !== undefined ? 'warning' : 'info', rule: 'wave-order', component, message }];
  });
}

function staleFlags(files: readonly string[] | undefined): Flag[] {
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

/** Where each object key is added, per env: to tell a move between apps from a plain removal. */
function additionsByEnv(baseApps: Map<string, AppObjects>, headApps: Map<string, AppObjects>): Map<string, string> {
  const added = new Map<string, string>();
  for (const [id, app] of headApps) {
    const before = baseApps.get(id)?.objects;
    for (const key of app.objects.keys()) {
      if (!before?.has(key)) added.set(`${app.env}\n${key}`, id);
    }
  }
  return added;
}

/** The semantic diff of two rendered trees: per app, objects paired by objectKey; flags for what must not be missed. */
export function diffTrees(input: DiffInput): DiffReport {
  const baseApps = indexTree(input.base, 'base');
  const headApps = indexTree(input.head, 'head');
  const additions = additionsByEnv(baseApps, headApps);
  const same = (input.unchanged ?? []).map(({ env, component }): [string, AppObjects] => [appId(env, component), { env, component, objects: new Map() }]);
  const apps = [...new Map([...same, ...baseApps, ...headApps]).values()].sort(
    (a, b) => compareStrings(a.env, b.env) || compareStrings(a.component, b.component),
  );

  const summary: AppSummary[] = [];
  const flags: Flag[] = [...waveFlags(input.baseWaves, input.headWaves), ...staleFlags(input.staleFiles)];
  const changes: ObjectChange[] = [];

  for (const { env, component } of apps) {
    const id = appId(env, component);
    const before = baseApps.get(id)?.objects ?? new Map<string, KubeObject>();
    const after = headApps.get(id)?.objects ?? new Map<string, KubeObject>();
    const row: AppSummary = { env, component, added: 0, removed: 0, changed: 0, linesAdded: 0, linesRemoved: 0 };
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings)) {
      const old = before.get(key);
      const next = after.get(key);
      const object = (next ?? old) as KubeObject;
      const secretKeys = isSecret(object) ? secretKeyChanges(old, next) : undefined;
      const beforeText = reviewYaml(old, new Set());
      const afterText = reviewYaml(next, new Set(secretKeys?.changed));
      if (beforeText === afterText) continue;
      const change: ObjectChange['change'] = !old ? 'added' : !next ? 'removed' : 'changed';
      const patch = patchOf(`${id} ${describeObject(object)}`, beforeText, afterText);
      changes.push({
        env,
        component,
        key,
        kind: object.kind,
        ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
        name: object.metadata.name,
        change,
        ...patch,
      });
      row[change] += 1;
      row.linesAdded += patch.added;
      row.linesRemoved += patch.removed;
      if (secretKeys && hasKeyChanges(secretKeys)) flags.push(secretFlag(env, component, object, change, secretKeys));
      if (old && next) flags.push(...immutableFlags(env, component, old, next));
      const loss = old && !next ? dataLossFlag(env, component, old, additions.get(`${env}\n${key}`)) : undefined;
      if (loss) flags.push(loss);
    }
    flags.push(...imageFlags(env, component, [...before.values()], [...after.values()]));
    summary.push(row);
  }
  return { summary, flags: flags.sort(compareFlags), changes };
}

/** Whether a report has anything to show: a rendered change, or a flag (stale files, waves) on its own. */
export function hasChanges(report: DiffReport): boolean {
  return report.changes.length > 0 || report.flags.length > 0;
}
