/**
 * What a change under `apps/` does in the cluster: the Applications each side's ApplicationSets
 * generate (expanded as `npm run plan` does, tools/argocd/expand.ts) and its plain Applications,
 * paired by Argo CD's identity (namespace/name) and compared field by field; the other Argo CD
 * objects (AppProject, ApplicationSet settings, the bootstrap) compared field by field; and flags
 * for the changes that delete, move or reorder what Argo CD deploys.
 */
import { plannedApplications, RESOURCES_FINALIZER } from '../argocd/expand.ts';
import type { KubeObject } from '../kube/object.ts';
import { groupOf } from '../kube/object.ts';
import { compareStrings } from '../kube/order.ts';
import type { Flag } from './engine.ts';
import { isSecret } from '../kube/stored-bytes.ts';
import { redactSecret, secretKeyChanges } from './secret.ts';

/** One field that differs: a value on each side (absent where unset), or for a list the items each side alone has. */
export interface FieldChange {
  /** Dotted path, e.g. `spec.source.targetRevision`; `rollingSync.step` for the RollingSync step (1-based). */
  path: string;
  /** The value as one line (scalars as written, maps and lists in YAML flow style). */
  before?: string;
  after?: string;
  /** For a list whose items differ as a set: items only head has, and items only base has. */
  added?: string[];
  removed?: string[];
}

export interface ApplicationChange {
  change: 'added' | 'removed' | 'changed';
  name: string;
  /** The Application's `env` and `component` labels, when it has them. */
  env?: string;
  component?: string;
  /** What makes it: `ApplicationSet observability-dev`, or `apps/…` for a plain Application. */
  madeBy: string;
  /** A changed Application's differing fields; an added or removed one's summary (wave, step, project, destination, source, finalizers). */
  fields: FieldChange[];
}

/** Another Argo CD object of `apps/`: the AppProject, an ApplicationSet's own settings, a bootstrap object. */
export interface ArgoObjectChange {
  change: 'added' | 'removed' | 'changed';
  kind: string;
  name: string;
  namespace?: string;
  /** The file it is in (head's, or base's when removed). */
  file: string;
  fields: FieldChange[];
}

/** The `apps/` part of a diff. */
export interface ApplicationsDiff {
  /** Sorted by environment, then name. */
  applications: ApplicationChange[];
  /** Sorted by file, kind, name. */
  objects: ArgoObjectChange[];
  flags: Flag[];
}

/** An Argo CD object with the file it came from. */
export interface ArgoFileObject {
  file: string;
  object: KubeObject;
}

interface Application {
  id: string;
  name: string;
  madeBy: string;
  /** The ApplicationSet that generates it (none for a plain Application). */
  applicationSet?: KubeObject;
  file: string;
  /** The RollingSync step (0-based), -1 none, -2 several. */
  step: number;
  object: KubeObject;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isTree(node) ? node[key] : undefined), value);
}

/** A value as one line: scalars as written, maps and lists in YAML flow style with keys sorted. */
export function oneLine(value: unknown): string {
  if (typeof value === 'string') return value === '' || /^[\s[{]|[,:]\s|\s$/.test(value) ? JSON.stringify(value) : value;
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (isTree(value))
    return `{${Object.keys(value)
      .sort(compareStrings)
      .map((key) => `${key}: ${oneLine(value[key])}`)
      .join(', ')}}`;
  return String(value);
}

/** Every leaf that differs between two values, lists compared as sets of items (or in order, when only the order differs). */
export function fieldChanges(before: unknown, after: unknown, path = '', skip: ReadonlySet<string> = new Set()): FieldChange[] {
  if (skip.has(path)) return [];
  // A map on one side only is compared leaf by leaf too: each of its fields is one line.
  if ((isTree(before) || isTree(after)) && (isTree(before) || before === undefined) && (isTree(after) || after === undefined)) {
    const [was, now] = [before ?? {}, after ?? {}] as [Tree, Tree];
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort(compareStrings);
    return keys.flatMap((key) => fieldChanges(was[key], now[key], path ? `${path}.${key}` : key, skip));
  }
  if (oneLine(before) === oneLine(after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const [was, now] = [before.map(oneLine), after.map(oneLine)];
    const added = now.filter((item) => !was.includes(item));
    const removed = was.filter((item) => !now.includes(item));
    if (added.length + removed.length > 0)
      return [{ path, ...(added.length > 0 ? { added } : {}), ...(removed.length > 0 ? { removed } : {}) }];
  }
  return [
    { path, ...(before !== undefined ? { before: oneLine(before) } : {}), ...(after !== undefined ? { after: oneLine(after) } : {}) },
  ];
}

/** Every Application of one side: generated by its ApplicationSets, or written as one. */
function applicationsOf(objects: readonly ArgoFileObject[]): Map<string, Application> {
  const found = new Map<string, Application>();
  const add = (app: Application) => found.set(app.id, app);
  for (const { file, object } of objects) {
    if (object.kind === 'ApplicationSet') {
      for (const planned of plannedApplications([object])) {
        const generated = planned.application;
        add({
          id: `${generated.metadata.namespace}/${planned.name}`,
          name: planned.name,
          madeBy: `ApplicationSet ${object.metadata.name}`,
          applicationSet: object,
          file,
          step: planned.step,
          object: generated,
        });
      }
    } else if (object.kind === 'Application' && groupOf(object.apiVersion) === 'argoproj.io') {
      add({
        id: `${object.metadata.namespace ?? 'argocd'}/${object.metadata.name}`,
        name: object.metadata.name,
        madeBy: file,
        file,
        step: -1,
        object,
      });
    }
  }
  return found;
}

function stepText(step: number): string | undefined {
  return step >= 0 ? String(step + 1) : step === -2 ? 'several' : undefined;
}

function labelOf(app: Application, key: string): string | undefined {
  return app.object.metadata.labels?.[key];
}

/** What a reviewer needs of an Application that appears or disappears. */
function summary(app: Application, side: 'before' | 'after'): FieldChange[] {
  const rows: [string, unknown][] = [
    ['metadata.labels.wave', labelOf(app, 'wave')],
    ['rollingSync.step', stepText(app.step)],
    ['spec.project', at(app.object, 'spec.project')],
    ['spec.destination', at(app.object, 'spec.destination')],
    ['spec.source', at(app.object, 'spec.source')],
    ['metadata.finalizers', at(app.object, 'metadata.finalizers')],
  ];
  return rows.filter(([, value]) => value !== undefined).map(([path, value]) => ({ path, [side]: oneLine(value) }));
}

function flag(app: Application, severity: Flag['severity'], rule: string, message: string): Flag {
  const env = labelOf(app, 'env');
  const component = labelOf(app, 'component');
  return { severity, rule, ...(env ? { env } : {}), ...(component ? { component } : {}), message };
}

function finalizersOf(app: Application): string[] {
  const value = at(app.object, 'metadata.finalizers');
  return Array.isArray(value) ? value.map(String) : [];
}

function destinationText(value: unknown): string {
  const d = isTree(value) ? value : {};
  const cluster = d['name'] ?? d['server'] ?? '(no cluster)';
  return `${String(cluster)}/${String(d['namespace'] ?? '')}`;
}

/**
 * Why a removed Application goes, and what goes with it. The ApplicationSet controller deletes an
 * Application its generators no longer make, and every Application it owns when the ApplicationSet
 * is deleted (policy `sync`, the default: argo-cd v3.2.12 applicationset/utils/policy.go,
 * applicationset_controller.go deleteInCluster); the resources finalizer then deletes the
 * Application's resources first (docs operator-manual/applicationset/Application-Deletion.md).
 */
function removedFlag(app: Application, headSets: ReadonlySet<string>): Flag {
  const appset = app.applicationSet?.metadata.name;
  const how =
    appset === undefined
      ? `${app.file} no longer has it`
      : headSets.has(appset)
        ? `ApplicationSet ${appset} no longer generates it`
        : `ApplicationSet ${appset} goes with ${app.file}, and the Applications it owns with it`;
  const order =
    appset !== undefined && at(app.applicationSet, 'spec.strategy.deletionOrder') === 'Reverse' ? ', in reverse RollingSync order' : '';
  const finalizer = finalizersOf(app).find((name) => name === RESOURCES_FINALIZER || name.startsWith(`${RESOURCES_FINALIZER}/`));
  const where = `${String(at(app.object, 'spec.source.path') ?? '')} → ${destinationText(at(app.object, 'spec.destination'))}`;
  if (finalizer) {
    return flag(
      app,
      'danger',
      'application-removed',
      `Application ${app.name} removed (${how}${order}): its ${finalizer} finalizer makes Argo CD delete every resource it deployed (${where}) first, volumes and their data included`,
    );
  }
  return flag(
    app,
    'warning',
    'application-removed',
    `Application ${app.name} removed (${how}${order}): it has no resources finalizer, so what it deployed (${where}) stays in the cluster, no longer managed by Argo CD`,
  );
}

/** A field's change as one line: `path: before → after` (`(unset)` on the side without it), or a list's `path: + added; − removed`. */
export function fieldLine(field: FieldChange, path = field.path): string {
  const parts = [
    field.added?.length ? `+ ${field.added.join(', ')}` : '',
    field.removed?.length ? `− ${field.removed.join(', ')}` : '',
  ].filter(Boolean);
  return `${path}: ${parts.length > 0 ? parts.join('; ') : `${field.before ?? '(unset)'} → ${field.after ?? '(unset)'}`}`;
}

/** The flags of one Application present on both sides, its name left as APPLICATIONS for groupFlags. */
function changedFlags(before: Application, after: Application, fields: readonly FieldChange[]): Flag[] {
  const flags: Flag[] = [];
  const name = APPLICATIONS;
  const changed = (prefix: string) => fields.filter((f) => f.path === prefix || f.path.startsWith(`${prefix}.`));
  const [waveBefore, waveAfter] = [labelOf(before, 'wave'), labelOf(after, 'wave')];
  if (waveBefore !== waveAfter) {
    flags.push(
      flag(
        after,
        'warning',
        'wave-order',
        `wave ${waveBefore ?? '(none)'} → ${waveAfter ?? '(none)'} (${name}): it now syncs in a different RollingSync step; check what it depends on is in an earlier wave`,
      ),
    );
  } else if (before.step !== after.step) {
    flags.push(
      flag(
        after,
        'warning',
        'wave-order',
        `RollingSync step ${stepText(before.step) ?? '(none)'} → ${stepText(after.step) ?? '(none)'} (${name}, wave ${waveAfter ?? '(none)'}): the ApplicationSet's steps are reordered, so it syncs before or after other Applications than it did`,
      ),
    );
  }
  const [from, to] = [at(before.object, 'spec.destination'), at(after.object, 'spec.destination')];
  const cluster = (d: unknown) => (isTree(d) ? `${String(d['name'] ?? '')}|${String(d['server'] ?? '')}` : '');
  // Argo CD does not delete what an Application left in its old cluster, finalizer or not (argoproj/argo-cd#9172, open).
  if (cluster(from) !== cluster(to)) {
    flags.push(
      flag(
        after,
        'danger',
        'destination-change',
        `destination cluster ${destinationText(from)} → ${destinationText(to)} (${name}): Argo CD creates its resources in the new cluster, empty volumes included; those in the old one are no longer tracked and stay there, unmanaged`,
      ),
    );
  } else if (at(from, 'namespace') !== at(to, 'namespace')) {
    flags.push(
      flag(
        after,
        'warning',
        'destination-change',
        `destination namespace ${String(at(from, 'namespace') ?? '(none)')} → ${String(at(to, 'namespace') ?? '(none)')} (${name}): namespaced objects without their own namespace are created in the new one and pruned from the old one`,
      ),
    );
  }
  if (at(before.object, 'spec.project') !== at(after.object, 'spec.project')) {
    flags.push(
      flag(
        after,
        'warning',
        'project-change',
        `project ${String(at(before.object, 'spec.project'))} → ${String(at(after.object, 'spec.project'))} (${name}): the new project's source repositories, destinations and resource whitelists now decide what it may sync`,
      ),
    );
  }
  const source = changed('spec.source');
  if (source.length > 0) {
    flags.push(
      flag(
        after,
        'warning',
        'source-change',
        `${source.map((f) => fieldLine(f, f.path.slice('spec.'.length))).join('; ')} (${name}): the cluster gets what that source holds, which this diff's renders of the head do not show`,
      ),
    );
  }
  const policy = changed('spec.syncPolicy').filter((f) => !f.path.startsWith('spec.syncPolicy.retry'));
  if (policy.length > 0) {
    flags.push(
      flag(
        after,
        'warning',
        'sync-policy',
        `${policy.map((f) => fieldLine(f, f.path.slice('spec.'.length))).join('; ')} (${name}): how Argo CD applies, prunes and replaces its resources changes`,
      ),
    );
  }
  return flags;
}

/** Where a changed Application's flag names it: one flag names every Application with the same change. */
const APPLICATIONS = '\u0000applications\u0000';

/**
 * One flag per change, naming every Application it applies to (`Applications dev-alloy, dev-loki`):
 * a change made in an ApplicationSet's template reaches each of its Applications alike.
 */
function groupFlags(pending: readonly { flag: Flag; name: string }[]): Flag[] {
  const groups = new Map<string, { flag: Flag; names: string[] }>();
  for (const { flag: one, name } of pending) {
    const key = `${one.severity}\n${one.rule}\n${one.env ?? ''}\n${one.message}`;
    const group = groups.get(key);
    if (group) group.names.push(name);
    else groups.set(key, { flag: one, names: [name] });
  }
  return [...groups.values()].map(({ flag: one, names }) => {
    const { component, ...rest } = one;
    const named = names.length === 1 ? `Application ${names[0]}` : `Applications ${names.sort(compareStrings).join(', ')}`;
    return { ...rest, ...(names.length === 1 && component ? { component } : {}), message: one.message.replace(APPLICATIONS, named) };
  });
}

/** The AppProject's allow-lists: entries removed make syncs fail, entries added widen what may be deployed. */
const PROJECT_LISTS = [
  'spec.sourceRepos',
  'spec.destinations',
  'spec.clusterResourceWhitelist',
  'spec.namespaceResourceWhitelist',
  'spec.clusterResourceBlacklist',
  'spec.namespaceResourceBlacklist',
];

function projectFlags(project: KubeObject, fields: readonly FieldChange[]): Flag[] {
  return fields
    .filter((f) => PROJECT_LISTS.includes(f.path))
    .flatMap((f): Flag[] => {
      const list = f.path.slice('spec.'.length);
      const denies = list.endsWith('Blacklist');
      const out: Flag[] = [];
      const narrowing = denies ? f.added : f.removed;
      const widening = denies ? f.removed : f.added;
      if (narrowing?.length)
        out.push({
          severity: 'warning',
          rule: 'appproject-change',
          object: `AppProject ${project.metadata.name}`,
          message: `${list} ${denies ? 'adds' : 'loses'} ${narrowing.join(', ')}: a sync of an Application of the project that needs it fails`,
        });
      if (widening?.length)
        out.push({
          severity: 'info',
          rule: 'appproject-change',
          object: `AppProject ${project.metadata.name}`,
          message: `${list} ${denies ? 'loses' : 'adds'} ${widening.join(', ')}: the project's Applications may deploy more`,
        });
      if (!f.added && !f.removed)
        out.push({
          severity: 'warning',
          rule: 'appproject-change',
          object: `AppProject ${project.metadata.name}`,
          message: fieldLine(f, list),
        });
      return out;
    });
}

function objectId(object: KubeObject): string {
  return `${groupOf(object.apiVersion)}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

const IDENTITY = new Set(['apiVersion', 'kind', 'metadata.name', 'metadata.namespace']);

/** What an ApplicationSet says through its Applications is shown there, not again as the ApplicationSet's fields. */
const SHOWN_AS_APPLICATIONS = new Set(['spec.generators', 'spec.template']);

/**
 * Compares the Argo CD objects of `apps/` of base and head (each with its file).
 * @throws ExpandError when an ApplicationSet cannot be expanded (tools/argocd/expand.ts).
 */
export function diffApplications(base: readonly ArgoFileObject[], head: readonly ArgoFileObject[]): ApplicationsDiff {
  const [before, after] = [applicationsOf(base), applicationsOf(head)];
  const headSets = new Set(head.filter(({ object }) => object.kind === 'ApplicationSet').map(({ object }) => object.metadata.name));
  const applications: ApplicationChange[] = [];
  const flags: Flag[] = [];
  const pending: { flag: Flag; name: string }[] = [];
  for (const id of [...new Set([...before.keys(), ...after.keys()])]) {
    const [was, now] = [before.get(id), after.get(id)];
    const app = (now ?? was) as Application;
    const env = labelOf(app, 'env');
    const component = labelOf(app, 'component');
    const common = { name: app.name, ...(env ? { env } : {}), ...(component ? { component } : {}), madeBy: app.madeBy };
    if (!was) {
      applications.push({ change: 'added', ...common, fields: summary(app, 'after') });
    } else if (!now) {
      applications.push({ change: 'removed', ...common, fields: summary(app, 'before') });
      flags.push(removedFlag(was, headSets));
    } else {
      const fields = fieldChanges(
        { ...was.object, rollingSync: { step: stepText(was.step) } },
        { ...now.object, rollingSync: { step: stepText(now.step) } },
      );
      if (fields.length === 0) continue;
      applications.push({ change: 'changed', ...common, fields });
      pending.push(...changedFlags(was, now, fields).map((one) => ({ flag: one, name: now.name })));
    }
  }
  applications.sort((a, b) => compareStrings(a.env ?? '', b.env ?? '') || compareStrings(a.name, b.name));
  flags.push(...groupFlags(pending));

  const index = (side: readonly ArgoFileObject[]) =>
    new Map(side.filter(({ object }) => object.kind !== 'Application').map((entry) => [objectId(entry.object), entry]));
  const [baseObjects, headObjects] = [index(base), index(head)];
  const objects: ArgoObjectChange[] = [];
  for (const id of [...new Set([...baseObjects.keys(), ...headObjects.keys()])]) {
    const [was, now] = [baseObjects.get(id), headObjects.get(id)];
    const { file, object } = (now ?? was) as ArgoFileObject;
    const skip = object.kind === 'ApplicationSet' ? SHOWN_AS_APPLICATIONS : new Set<string>();
    // A Secret (repository credentials in the bootstrap, say): which keys change, never their values.
    const keys = isSecret(object) ? new Set(secretKeyChanges(was?.object, now?.object).changed) : undefined;
    const redacted = (side: KubeObject | undefined) => (side && keys ? redactSecret(side, side === now?.object ? keys : new Set()) : side);
    const fields = fieldChanges(redacted(was?.object), redacted(now?.object), '', skip);
    if (fields.length === 0) continue;
    const change = !was ? 'added' : !now ? 'removed' : 'changed';
    // An object added or removed whole: its identity is in the entry's title, not repeated as fields.
    const shown = change === 'changed' ? fields : fields.filter((f) => !IDENTITY.has(f.path));
    objects.push({
      change,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      file,
      fields: shown,
    });
    if (object.kind === 'AppProject' && was && now) flags.push(...projectFlags(object, fields));
  }
  objects.sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name));
  flags.sort(
    (a, b) =>
      compareStrings(a.env ?? '', b.env ?? '') ||
      compareStrings(a.component ?? '', b.component ?? '') ||
      compareStrings(a.rule, b.rule) ||
      compareStrings(a.message, b.message),
  );
  return { applications, objects, flags };
}

/** Whether anything under `apps/` changes what Argo CD does. */
export function hasApplicationChanges(diff: ApplicationsDiff | undefined): boolean {
  return diff !== undefined && (diff.applications.length > 0 || diff.objects.length > 0);
}
