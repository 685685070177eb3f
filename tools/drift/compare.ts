/**
 * The drift comparison: desired objects (rendered from git) against live objects (from the
 * cluster or a snapshot). A live object equal to what the API server makes of the desired
 * manifest is in sync; see normalize.ts (what is never compared) and align.ts (how the rest is).
 */
import jsonPatch from 'fast-json-patch';
import type { KubeObject } from '../kube/object.ts';
import { groupOf, objectKey } from '../kube/object.ts';
import { align, isAlignedList, toPlain } from './align.ts';
import { fieldsV1Set, manifestSet, removeFields, unionSet, type FieldSet } from './fieldset.ts';
import { applyIgnores, compileIgnores, type IgnoreRule } from './ignore.ts';
import type { Json, JsonObject } from './json.ts';
import { comparePointers, escapePointerSegment, isObject, unescapePointerSegment } from './json.ts';
import { rootPlace, type Place } from './lists.ts';
import { isSecret, lastApplied, normalizeObject, TRACKING_ANNOTATION, TRACKING_LABEL } from './normalize.ts';
import type { DriftOptions, DriftReport, FieldDrift, ModifiedObject, ObjectRef, Unreadable } from './types.ts';
import { compareStrings } from '../kube/order.ts';

export type { DriftOptions, DriftReport, FieldDrift, IgnoreDifference, ModifiedObject, ObjectRef, Unreadable } from './types.ts';
export { DriftOptionsError } from './ignore.ts';

const DEFAULT_APPLIED_MANAGERS = ['argocd-controller'];
const HOOK_ANNOTATIONS = ['argocd.argoproj.io/hook', 'helm.sh/hook'];
const COMPARE_OPTIONS_ANNOTATION = 'argocd.argoproj.io/compare-options';

interface Compiled {
  ignores: IgnoreRule[];
  ignoreAggregatedRoles: boolean;
  appliedManagers: ReadonlySet<string>;
}

function compile(options: DriftOptions): Compiled {
  return {
    ignores: compileIgnores(options.ignoreDifferences ?? []),
    ignoreAggregatedRoles: options.ignoreAggregatedRoles ?? false,
    appliedManagers: new Set(options.appliedManagers ?? DEFAULT_APPLIED_MANAGERS),
  };
}

interface ManagedFieldsEntry {
  manager?: unknown;
  operation?: unknown;
  fieldsType?: unknown;
  fieldsV1?: unknown;
}

function managedFields(live: KubeObject): ManagedFieldsEntry[] {
  const entries = live.metadata['managedFields'];
  return Array.isArray(entries) ? entries.filter((entry): entry is ManagedFieldsEntry => isObject(entry)) : [];
}

/** The field sets of the managedFields entries `accept` picks; an empty or malformed one owns nothing, not everything. */
function fieldsOf(live: KubeObject, accept: (entry: ManagedFieldsEntry) => boolean): FieldSet[] {
  return managedFields(live)
    .filter((entry) => entry.fieldsType === 'FieldsV1' && isObject(entry.fieldsV1) && Object.keys(entry.fieldsV1).length > 0 && accept(entry))
    .map((entry) => fieldsV1Set(entry.fieldsV1));
}

/** What git applied before: the client-side last-applied manifest and our managers' server-side apply sets. */
function appliedFields(live: KubeObject, place: Place, managers: ReadonlySet<string>): FieldSet | undefined {
  const sets = fieldsOf(live, (entry) => entry.operation === 'Apply' && managers.has(String(entry.manager)));
  const manifest = lastApplied(live);
  if (manifest) sets.push(manifestSet(normalizeObject(manifest), place));
  return unionSet(sets);
}

function lookup(document: Json, pointer: string): Json | undefined {
  let current: Json | undefined = document;
  for (const segment of pointer.slice(1).split('/').map(unescapePointerSegment)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/**
 * A map only one side has, split into its fields (`/metadata/annotations/x` rather than
 * `/metadata/annotations`); lists and list items stay whole, as they come and go as one.
 */
function leaves(path: string, value: Json | undefined, isItem: boolean): [string, Json | undefined][] {
  if (isItem || !isObject(value) || isAlignedList(value) || Object.keys(value).length === 0) return [[path, value]];
  return Object.entries(value).flatMap(([key, child]) => leaves(`${path}/${escapePointerSegment(key)}`, child, false));
}

function fieldDrift(op: 'add' | 'remove' | 'replace', path: string, desired: Json | undefined, live: Json | undefined): FieldDrift {
  const drift: FieldDrift = { path, op };
  if (op !== 'add') drift.desired = toPlain(desired);
  if (op !== 'remove') drift.live = toPlain(live);
  return drift;
}

/** Secret data: one redacted entry per key, never a value. */
function secretDrifts(drifts: FieldDrift[], desired: JsonObject, live: JsonObject): FieldDrift[] {
  const out: FieldDrift[] = [];
  for (const drift of drifts) {
    if (drift.path !== '/data' && !drift.path.startsWith('/data/')) {
      out.push(drift);
      continue;
    }
    if (drift.path.startsWith('/data/')) {
      out.push({ path: drift.path, op: drift.op, redacted: true });
      continue;
    }
    const desiredData = isObject(desired['data']) ? desired['data'] : {};
    const liveData = isObject(live['data']) ? live['data'] : {};
    for (const key of new Set([...Object.keys(desiredData), ...Object.keys(liveData)])) {
      const inDesired = Object.hasOwn(desiredData, key);
      const inLive = Object.hasOwn(liveData, key);
      if (inDesired && inLive && desiredData[key] === liveData[key]) continue;
      out.push({ path: `/data/${escapePointerSegment(key)}`, op: !inLive ? 'remove' : !inDesired ? 'add' : 'replace', redacted: true });
    }
  }
  return out;
}

function isAggregatedClusterRole(desired: KubeObject, live: KubeObject): boolean {
  return (
    desired.kind === 'ClusterRole' &&
    groupOf(desired.apiVersion) === 'rbac.authorization.k8s.io' &&
    (desired['aggregationRule'] != null || live['aggregationRule'] != null)
  );
}

function compareCompiled(desired: KubeObject, live: KubeObject, compiled: Compiled): FieldDrift[] {
  const place: Place = rootPlace(groupOf(live.apiVersion), live.kind);
  let desiredBody = normalizeObject(desired);
  let liveBody = normalizeObject(live);
  const rules = compiled.ignores.filter((rule) => rule.matches(live));
  const managers = new Set(rules.flatMap((rule) => rule.managers));
  if (managers.size > 0) {
    // normalizeObject copies shallowly; removal works deep, so on copies.
    desiredBody = structuredClone(desiredBody);
    liveBody = structuredClone(liveBody);
    for (const owned of fieldsOf(live, (entry) => managers.has(String(entry.manager)))) {
      removeFields(desiredBody, owned, place);
      removeFields(liveBody, owned, place);
    }
  }
  if (compiled.ignoreAggregatedRoles && isAggregatedClusterRole(desired, live)) {
    delete desiredBody['rules'];
    delete liveBody['rules'];
  }
  const aligned = align(desiredBody, liveBody, appliedFields(live, place, compiled.appliedManagers), place);
  applyIgnores(rules, aligned.desired);
  applyIgnores(rules, aligned.live);
  let drifts = jsonPatch.compare(aligned.desired, aligned.live).flatMap((operation): FieldDrift[] => {
    const { op, path } = operation;
    if (op === 'replace') return [fieldDrift(op, path, lookup(aligned.desired, path), lookup(aligned.live, path))];
    if (op !== 'add' && op !== 'remove') return [];
    const side = op === 'add' ? aligned.live : aligned.desired;
    const parent = lookup(side, path.slice(0, path.lastIndexOf('/')));
    return leaves(path, lookup(side, path), isAlignedList(parent)).map(([leafPath, value]) =>
      op === 'add' ? fieldDrift(op, leafPath, undefined, value) : fieldDrift(op, leafPath, value, undefined),
    );
  });
  if (isSecret(desired) || isSecret(live)) drifts = secretDrifts(drifts, aligned.desired, aligned.live);
  return drifts.sort((a, b) => comparePointers(a.path, b.path));
}

/** The drift of one live object from its desired manifest; [] when in sync. Throws DriftOptionsError on bad options. */
export function compareObject(desired: KubeObject, live: KubeObject, options: DriftOptions = {}): FieldDrift[] {
  return compareCompiled(desired, live, compile(options));
}

function refOf(object: KubeObject, namespace = object.metadata.namespace): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (namespace) ref.namespace = namespace;
  return ref;
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return compareStrings(a.kind, b.kind) || compareStrings(a.namespace ?? '', b.namespace ?? '') || compareStrings(a.name, b.name) || compareStrings(a.apiVersion, b.apiVersion);
}

function annotation(object: KubeObject, key: string): string | undefined {
  const value = object.metadata.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

function isHook(object: KubeObject): boolean {
  return HOOK_ANNOTATIONS.some((key) => annotation(object, key) !== undefined);
}

/** Argo CD tracks an object for an app by its tracking label, or by its tracking-id annotation (`app:group/kind:ns/name`). */
function trackedBy(object: KubeObject, appNames: ReadonlySet<string>): boolean {
  const label = object.metadata.labels?.[TRACKING_LABEL];
  if (typeof label === 'string' && appNames.has(label)) return true;
  const id = annotation(object, TRACKING_ANNOTATION);
  return id !== undefined && appNames.has(id.split(':', 1)[0] ?? '');
}

/** Controllers' children (owner references), hooks and objects Argo CD is told to ignore are never unexpected. */
function mayBeUnexpected(object: KubeObject, appNames: ReadonlySet<string> | undefined): boolean {
  if (isHook(object)) return false;
  const owners = object.metadata['ownerReferences'];
  if (Array.isArray(owners) && owners.length > 0) return false;
  if (annotation(object, COMPARE_OPTIONS_ANNOTATION)?.includes('IgnoreExtraneous')) return false;
  return appNames === undefined || trackedBy(object, appNames);
}

function isUnreadable(ref: ObjectRef, unreadable: readonly Unreadable[]): boolean {
  return unreadable.some(
    (entry) =>
      entry.kind === ref.kind &&
      groupOf(entry.apiVersion) === groupOf(ref.apiVersion) &&
      (entry.namespace === undefined || entry.namespace === ref.namespace),
  );
}

function nameKey(object: KubeObject): string {
  return `${groupOf(object.apiVersion)}/${object.kind}/${object.metadata.name}`;
}

/**
 * Compares every desired object with its live counterpart (paired by group, kind, namespace, name).
 * Argo CD hooks are skipped: they run and go, and are not part of an app's sync status.
 */
export function detectDrift(desired: readonly KubeObject[], live: readonly KubeObject[], options: DriftOptions = {}): DriftReport {
  const compiled = compile(options);
  const unreadable = [...(options.unreadable ?? [])];
  const liveByKey = new Map<string, KubeObject>();
  const liveByName = new Map<string, KubeObject[]>();
  for (const object of live) {
    liveByKey.set(objectKey(object), object);
    const sameName = liveByName.get(nameKey(object));
    if (sameName) sameName.push(object);
    else liveByName.set(nameKey(object), [object]);
  }
  const paired = new Set<KubeObject>();
  const report: DriftReport = { inSync: 0, missing: [], unexpected: [], modified: [], unreadable, unchecked: [] };

  for (const object of desired) {
    if (isHook(object)) continue;
    let namespace = object.metadata.namespace;
    // A cluster-scoped kind given a namespace (kustomize cannot tell for custom kinds) is stored without one.
    let match = liveByKey.get(objectKey(object)) ?? (namespace ? liveByKey.get(objectKey({ ...object, metadata: { ...object.metadata, namespace: '' } })) : undefined);
    if (match && !match.metadata.namespace) namespace = undefined;
    if (!match && !namespace) {
      // A namespaced manifest without a namespace goes to the Application's destination namespace.
      const candidates = (liveByName.get(nameKey(object)) ?? []).filter((item) => item.metadata.namespace);
      match = options.namespace ? candidates.find((item) => item.metadata.namespace === options.namespace) : candidates.length === 1 ? candidates[0] : undefined;
      namespace = match?.metadata.namespace ?? options.namespace;
    }
    const ref = refOf(object, namespace);
    if (!match) {
      if (isUnreadable(ref, unreadable)) report.unchecked.push(ref);
      else report.missing.push(ref);
      continue;
    }
    paired.add(match);
    const fields = compareCompiled(object, match, compiled);
    if (fields.length === 0) report.inSync++;
    else report.modified.push({ object: ref, fields });
  }

  const appNames = options.appNames ? new Set(options.appNames) : undefined;
  for (const object of live) {
    if (!paired.has(object) && mayBeUnexpected(object, appNames)) report.unexpected.push(refOf(object));
  }
  report.missing.sort(compareRefs);
  report.unexpected.sort(compareRefs);
  report.unchecked.sort(compareRefs);
  report.modified.sort((a: ModifiedObject, b: ModifiedObject) => compareRefs(a.object, b.object));
  report.unreadable.sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.namespace ?? '', b.namespace ?? '') || compareStrings(a.apiVersion, b.apiVersion));
  return report;
}

/** True when anything differs: missing, unexpected or modified objects. Unreadable kinds are not drift; report them. */
export function hasDrift(report: DriftReport): boolean {
  return report.missing.length > 0 || report.unexpected.length > 0 || report.modified.length > 0;
}
