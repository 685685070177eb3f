/**
 * The drift comparison: desired objects (rendered from git) against live objects (from the
 * cluster or a snapshot). A live object equal to what the API server makes of the desired
 * manifest is in sync; see normalize.ts (what is never compared) and align.ts (how the rest is).
 */
import type { KubeObject } from '../kube/object.ts';
import { groupOf } from '../kube/object.ts';
import { crdSchemas, quantityFields } from '../kube/quantity-fields.ts';
import { withServerAssigned } from '../kube/server-assigned.ts';
import { align, isAlignedList, ORDER_ENTRY, toPlain } from './align.ts';
import { fieldsV1Set, manifestSet, removeFields, unionSet, type FieldSet } from './fieldset.ts';
import { applyIgnores, applyJqRules, compileIgnores, type IgnoreRule, type JqContext } from './ignore.ts';
import type { Json, JsonObject } from './json.ts';
import { escapePathComponent as escapePointerSegment, unescapePathComponent as unescapePointerSegment } from 'fast-json-patch';
import { isHook } from '../kube/annotations.ts';
import { compareSegments, IDENTICAL, identicalFields, isObject } from './json.ts';
import { rootPlace, type Place } from './lists.ts';
import { isSecret } from '../kube/stored-bytes.ts';
import { lastApplied, normalizeObject, trackingApps } from './normalize.ts';
import type { DriftOptions, DriftReport, FieldDrift, ModifiedObject, ObjectRef, Unreadable } from './types.ts';
import { compareStrings } from '../kube/order.ts';

export type {
  DriftOptions,
  DriftReport,
  DriftWarning,
  FieldDrift,
  IgnoreDifference,
  ModifiedObject,
  ObjectRef,
  Unreadable,
} from './types.ts';
export { DriftOptionsError } from './ignore.ts';

const DEFAULT_APPLIED_MANAGERS = ['argocd-controller'];
const COMPARE_OPTIONS_ANNOTATION = 'argocd.argoproj.io/compare-options';

interface Compiled {
  ignores: IgnoreRule[];
  ignoreAggregatedRoles: boolean;
  appliedManagers: ReadonlySet<string>;
  jq: JqContext;
  crds: ReadonlyMap<string, Record<string, unknown>>;
  /** The root place of each `apiVersion/kind` compared so far in this run: its schema is looked up once, its places shared. */
  places: Map<string, Place>;
}

function compile(options: DriftOptions, objects: readonly KubeObject[] = []): Compiled {
  return {
    crds: crdSchemas([...objects, ...(options.customResourceDefinitions ?? [])]),
    ignores: compileIgnores(options.ignoreDifferences ?? []),
    ignoreAggregatedRoles: options.ignoreAggregatedRoles ?? false,
    appliedManagers: new Set(options.appliedManagers ?? DEFAULT_APPLIED_MANAGERS),
    jq: { warnings: [], broken: new Set(), ...(options.jqTimeoutMs !== undefined ? { timeoutMs: options.jqTimeoutMs } : {}) },
    places: new Map(),
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
    .filter(
      (entry) => entry.fieldsType === 'FieldsV1' && isObject(entry.fieldsV1) && Object.keys(entry.fieldsV1).length > 0 && accept(entry),
    )
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

/**
 * The differences of two aligned trees, appended to `out`: a value both have and that differs is
 * replaced (maps and lists of the same kind compared field by field), one only `desired` has is
 * removed, one only `live` has is added; added and removed maps are split into leaves. Operations
 * come in the order of fast-json-patch's `compare` (v3.1.1 `_generate`): each container's desired
 * keys last to first, then its keys only live first to last. One walk gives both sides' values
 * at hand, where `compare` deep-copies each value and the caller looked both up again by pointer.
 */
function treeDrifts(desired: Json, live: Json, path: string, out: FieldDrift[]): void {
  if (desired === live) return;
  const desiredList = Array.isArray(desired);
  const liveList = Array.isArray(live);
  const desiredKeys = keysOf(desired);
  const liveKeys = keysOf(live);
  let removed = false;
  for (let i = desiredKeys.length - 1; i >= 0; i--) {
    const key = desiredKeys[i] as string;
    const before = (desired as Record<string, Json | undefined>)[key];
    const after = (live as Record<string, Json | undefined>)[key];
    const at = `${path}/${escapePointerSegment(key)}`;
    if (Object.hasOwn(live as object, key) && !(after === undefined && before !== undefined && !liveList)) {
      if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) treeDrifts(before, after, at, out);
      else if (before !== after) out.push(fieldDrift('replace', at, before, after));
    } else if (desiredList === liveList) {
      for (const [leafPath, value] of leaves(at, before, isAlignedList(desired)))
        out.push(fieldDrift('remove', leafPath, value, undefined));
      removed = true;
    } else {
      out.push(fieldDrift('replace', path, desired, live));
    }
  }
  if (!removed && liveKeys.length === desiredKeys.length) return;
  for (const key of liveKeys) {
    const after = (live as Record<string, Json | undefined>)[key];
    if (Object.hasOwn(desired as object, key) || after === undefined) continue;
    for (const [leafPath, value] of leaves(`${path}/${escapePointerSegment(key)}`, after, isAlignedList(live)))
      out.push(fieldDrift('add', leafPath, undefined, value));
  }
}

/** A container's keys as fast-json-patch lists them: a list's indices, a map's own keys. */
function keysOf(value: Json): string[] {
  if (!Array.isArray(value)) return isObject(value) ? Object.keys(value) : [];
  const keys: string[] = [];
  for (let i = 0; i < value.length; i++) keys.push(String(i));
  return keys;
}

function isContainer(value: Json | undefined): value is Json[] | JsonObject {
  return typeof value === 'object' && value !== null;
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

/** The item-by-item differences of a list's order entry, as one drift of the list: its items' order in git → live. */
function orderDrifts(drifts: FieldDrift[], aligned: { desired: JsonObject; live: JsonObject }): FieldDrift[] {
  const marker = `/${escapePointerSegment(ORDER_ENTRY)}`;
  const lists = new Set<string>();
  const out: FieldDrift[] = [];
  for (const drift of drifts) {
    const at = drift.path.lastIndexOf(marker);
    const rest = at === -1 ? '' : drift.path.slice(at + marker.length);
    if (at === -1 || !/^(?:\/\d+)?$/.test(rest)) {
      out.push(drift);
      continue;
    }
    const path = drift.path.slice(0, at);
    if (lists.has(path)) continue;
    lists.add(path);
    out.push({
      path,
      op: 'replace',
      desired: toPlain(lookup(aligned.desired, `${path}${marker}`)),
      live: toPlain(lookup(aligned.live, `${path}${marker}`)),
    });
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

/** The root place of objects of the live object's apiVersion and kind, made once per run. */
function placeOf(live: KubeObject, compiled: Compiled): Place {
  const key = `${live.apiVersion}/${live.kind}`;
  let place = compiled.places.get(key);
  if (!place) {
    place = rootPlace(live.apiVersion, live.kind, quantityFields(live.apiVersion, live.kind, compiled.crds), compiled.crds.get(key));
    compiled.places.set(key, place);
  }
  return place;
}

const NO_RULES: readonly IgnoreRule[] = [];

function compareCompiled(manifest: KubeObject, liveObject: KubeObject, compiled: Compiled): FieldDrift[] {
  const rules = compiled.ignores.length === 0 ? NO_RULES : compiled.ignores.filter((rule) => rule.matches(liveObject));
  let jqDesired = manifest;
  let live = liveObject;
  // jq rules normalize both whole objects first, as Argo CD's normalizer does before its diff.
  if (rules.length > 0) [jqDesired, live] = applyJqRules(rules, [manifest, liveObject], compiled.jq) as [KubeObject, KubeObject];
  // What the API server would store for the manifest: allocated values it keeps are no drift.
  const desired = withServerAssigned(jqDesired, live);
  let desiredBody = normalizeObject(desired);
  let liveBody = normalizeObject(live);
  const managers = rules.length === 0 ? undefined : new Set(rules.flatMap((rule) => rule.managers));
  if (managers && managers.size > 0) {
    // normalizeObject copies shallowly; removal works deep, so on copies.
    desiredBody = structuredClone(desiredBody);
    liveBody = structuredClone(liveBody);
    const place = placeOf(live, compiled);
    for (const owned of fieldsOf(live, (entry) => managers.has(String(entry.manager)))) {
      removeFields(desiredBody, owned, place);
      removeFields(liveBody, owned, place);
    }
  }
  if (compiled.ignoreAggregatedRoles && isAggregatedClusterRole(desired, live)) {
    delete desiredBody['rules'];
    delete liveBody['rules'];
  }
  // Bodies identical as they are align to equal trees, whatever git applied before (json.ts `identicalJson`).
  // Without JSON pointers to delete from the aligned trees, they may share what is identical with the bodies (align.ts).
  const share = rules.every((rule) => rule.pointers.length === 0);
  const known = share ? identicalFields(desiredBody, liveBody) : 0;
  if (known === IDENTICAL) return [];
  const place = placeOf(live, compiled);
  const aligned = align(desiredBody, liveBody, appliedFields(live, place, compiled.appliedManagers), place, share, known);
  applyIgnores(rules, aligned.desired);
  applyIgnores(rules, aligned.live);
  let drifts: FieldDrift[] = [];
  treeDrifts(aligned.desired, aligned.live, '', drifts);
  drifts = orderDrifts(drifts, aligned);
  if (isSecret(desired) || isSecret(live)) drifts = secretDrifts(drifts, aligned.desired, aligned.live);
  if (drifts.length < 2) return drifts;
  // Each path split once, not once per comparison (a stable sort, as before).
  return drifts
    .map((drift) => ({ drift, segments: drift.path.split('/') }))
    .sort((a, b) => compareSegments(a.segments, b.segments))
    .map(({ drift }) => drift);
}

/**
 * The drift of one live object from its desired manifest; [] when in sync. Throws DriftOptionsError
 * on bad options. A jq rule that cannot be evaluated is left out (detectDrift reports it as a warning).
 */
export function compareObject(desired: KubeObject, live: KubeObject, options: DriftOptions = {}): FieldDrift[] {
  return compareCompiled(desired, live, compile(options));
}

function refOf(object: KubeObject, namespace = object.metadata.namespace): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (namespace) ref.namespace = namespace;
  return ref;
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return (
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.namespace ?? '', b.namespace ?? '') ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.apiVersion, b.apiVersion)
  );
}

function annotation(object: KubeObject, key: string): string | undefined {
  const value = object.metadata.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Argo CD tracks an object for an app by its tracking label, or by its tracking-id annotation (`app:group/kind:ns/name`). */
function trackedBy(object: KubeObject, appNames: ReadonlySet<string>): boolean {
  return trackingApps(object).some((app) => appNames.has(app));
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

/** Indices of the live objects by name, in listing order. */
function indexByName(live: readonly KubeObject[]): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  for (let i = 0; i < live.length; i++) {
    const name = String((live[i] as KubeObject).metadata.name);
    const named = byName.get(name);
    if (named) named.push(i);
    else byName.set(name, [i]);
  }
  return byName;
}

function sameGroup(a: KubeObject, b: KubeObject): boolean {
  return a.apiVersion === b.apiVersion || groupOf(a.apiVersion) === groupOf(b.apiVersion);
}

/**
 * The index of the live object with the identity of `object` in `namespace` (tools/kube/object.ts
 * `objectKey`: group, kind, namespace, name), looked up among those of its name; the last one listed
 * if several; -1 if none.
 */
function findLive(
  live: readonly KubeObject[],
  byName: ReadonlyMap<string, readonly number[]>,
  object: KubeObject,
  namespace: string,
): number {
  const named = byName.get(String(object.metadata.name)) ?? [];
  for (let n = named.length - 1; n >= 0; n--) {
    const i = named[n] as number;
    const item = live[i] as KubeObject;
    if (item.kind === object.kind && String(item.metadata.namespace ?? '') === namespace && sameGroup(item, object)) return i;
  }
  return -1;
}

/** True when the object at `at` is listed again at an index that was paired (the same object, twice in the list). */
function pairedElsewhere(
  live: readonly KubeObject[],
  byName: ReadonlyMap<string, readonly number[]>,
  paired: Uint8Array,
  at: number,
): boolean {
  const object = live[at] as KubeObject;
  return (byName.get(String(object.metadata.name)) ?? []).some((i) => i !== at && paired[i] === 1 && live[i] === object);
}

/**
 * Compares every desired object with its live counterpart (paired by group, kind, namespace, name).
 * Argo CD hooks are skipped: they run and go, and are not part of an app's sync status.
 */
export function detectDrift(desired: readonly KubeObject[], live: readonly KubeObject[], options: DriftOptions = {}): DriftReport {
  const compiled = compile(options, [...desired, ...live]);
  const unreadable = [...(options.unreadable ?? [])];
  const byName = indexByName(live);
  // Paired live objects by index: no hash of each object, and the unpaired are found without touching the rest.
  const paired = new Uint8Array(live.length);
  const report: DriftReport = {
    inSync: 0,
    missing: [],
    unexpected: [],
    modified: [],
    unreadable,
    unchecked: [],
    warnings: compiled.jq.warnings,
  };

  for (const object of desired) {
    if (isHook(object)) continue;
    let namespace = object.metadata.namespace;
    // A cluster-scoped kind given a namespace (kustomize cannot tell for custom kinds) is stored without one.
    let at = findLive(live, byName, object, String(namespace ?? ''));
    if (at === -1 && namespace) at = findLive(live, byName, object, '');
    if (at !== -1 && !live[at]?.metadata.namespace) namespace = undefined;
    if (at === -1 && !namespace) {
      // A namespaced manifest without a namespace goes to the Application's destination namespace.
      const candidates = (byName.get(String(object.metadata.name)) ?? []).filter((i) => {
        const item = live[i] as KubeObject;
        return item.metadata.namespace && item.kind === object.kind && groupOf(item.apiVersion) === groupOf(object.apiVersion);
      });
      at =
        (options.namespace
          ? candidates.find((i) => live[i]?.metadata.namespace === options.namespace)
          : candidates.length === 1
            ? candidates[0]
            : undefined) ?? -1;
      namespace = live[at]?.metadata.namespace ?? options.namespace;
    }
    const match = live[at];
    if (!match) {
      const ref = refOf(object, namespace);
      if (isUnreadable(ref, unreadable)) report.unchecked.push(ref);
      else report.missing.push(ref);
      continue;
    }
    paired[at] = 1;
    const fields = compareCompiled(object, match, compiled);
    if (fields.length === 0) report.inSync++;
    else report.modified.push({ object: refOf(object, namespace), fields });
  }

  const appNames = options.appNames ? new Set(options.appNames) : undefined;
  live.forEach((object, i) => {
    if (paired[i] || pairedElsewhere(live, byName, paired, i)) return;
    if (mayBeUnexpected(object, appNames)) report.unexpected.push(refOf(object));
  });
  report.missing.sort(compareRefs);
  report.unexpected.sort(compareRefs);
  report.unchecked.sort(compareRefs);
  report.modified.sort((a: ModifiedObject, b: ModifiedObject) => compareRefs(a.object, b.object));
  report.unreadable.sort(
    (a, b) =>
      compareStrings(a.kind, b.kind) || compareStrings(a.namespace ?? '', b.namespace ?? '') || compareStrings(a.apiVersion, b.apiVersion),
  );
  return report;
}

/** True when anything differs: missing, unexpected or modified objects. Unreadable kinds are not drift; report them. */
export function hasDrift(report: DriftReport): boolean {
  return report.missing.length > 0 || report.unexpected.length > 0 || report.modified.length > 0;
}
