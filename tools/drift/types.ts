/** The drift engine's public shapes. */
import type { KubeObject } from '../kube/object.ts';

/** One entry of an Argo CD Application's `spec.ignoreDifferences`. */
export interface IgnoreDifference {
  /** API group; omitted means the core group, as in Argo CD. `*` globs. */
  group?: string;
  /** `*` globs. */
  kind: string;
  name?: string;
  namespace?: string;
  /** RFC 6901 pointers; list indices count in the desired list (see FieldDrift.path). */
  jsonPointers?: string[];
  /** jq path expressions, run by real jq as `del(EXPR)` on the whole object, as Argo CD does (tools/drift/jq.ts). */
  jqPathExpressions?: string[];
  /** Fields whose managedFields entry belongs to one of these managers are not compared. */
  managedFieldsManagers?: string[];
  /** The Application that declares the rule, and the rule's index there: named in warnings. */
  application?: string;
  index?: number;
}

/** A rule that could not be evaluated: the rest was still compared, and the fields it names too. */
export interface DriftWarning {
  application?: string;
  /** `ignoreDifferences[0].jqPathExpressions[1]` */
  rule: string;
  expression: string;
  /** The object it failed on; absent when it fails on every object (a jq compile error). */
  object?: ObjectRef;
  reason: string;
}

export interface Unreadable {
  apiVersion: string;
  kind: string;
  /** Absent: the kind could not be read in any namespace. */
  namespace?: string;
  reason: string;
}

export interface DriftOptions {
  ignoreDifferences?: IgnoreDifference[];
  /** The rules of a ClusterRole with an aggregationRule are written by a controller: skip them. */
  ignoreAggregatedRoles?: boolean;
  /** When set, a live object not desired is "unexpected" only if Argo CD tracks it for one of these apps. */
  appNames?: string[];
  /** The Application's destination namespace, for desired namespaced objects that name none. */
  namespace?: string;
  /**
   * Field managers whose `Apply` entries record what git applied before (server-side apply);
   * default `argocd-controller`. The last-applied annotation of client-side apply is always read.
   */
  appliedManagers?: string[];
  /** Kinds the live reader could not list: their desired objects are reported unchecked, not missing. */
  unreadable?: Unreadable[];
  /** CustomResourceDefinitions whose schemas say which custom fields are quantities (detectDrift also reads those among its objects). */
  customResourceDefinitions?: KubeObject[];
  /** Time limit of one jq expression on one object, in ms; default 1000 (Argo CD's default). */
  jqTimeoutMs?: number;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * One difference, as the JSON Patch op that turns the desired object into the live one:
 * `add` = only live has it, `remove` = live lacks what git has, `replace` = they differ.
 * `path` is a JSON Pointer into the desired object; list items paired by merge key use their
 * desired index, live-only items the indices after the desired list's end.
 * Secret `data` differences are `redacted` and never carry values.
 */
export interface FieldDrift {
  path: string;
  op: 'add' | 'remove' | 'replace';
  desired?: unknown;
  live?: unknown;
  redacted?: boolean;
}

export interface ModifiedObject {
  object: ObjectRef;
  fields: FieldDrift[];
}

export interface DriftReport {
  /** Desired objects found live with no drift. */
  inSync: number;
  missing: ObjectRef[];
  unexpected: ObjectRef[];
  modified: ModifiedObject[];
  unreadable: Unreadable[];
  /** Desired objects of an unreadable kind: neither in sync nor missing, just not checked. */
  unchecked: ObjectRef[];
  /** ignoreDifferences rules that could not be evaluated (the fields they name were compared). */
  warnings?: DriftWarning[];
}
