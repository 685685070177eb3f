import type { KubeObject } from '../kube/object.ts';
import { LAST_APPLIED_ANNOTATION } from '../kube/annotations.ts';
import { withStoredBytes } from '../kube/stored-bytes.ts';

/** What a Secret value becomes in every diff; fixed, so nothing about the value can be inferred. */
const REDACTED = '(redacted)';
/** The head-side placeholder for a key whose value changed, so the diff shows which line moved. */
const REDACTED_CHANGED = '(redacted, changed)';

export interface SecretKeyChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

function entries(value: unknown): [string, unknown][] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
}

/** Each key's bytes (base64) as the API server stores them: `stringData` is merged over `data`. */
function storedValues(secret: KubeObject | undefined): Map<string, string> {
  return new Map(secret ? entries(withStoredBytes(secret)['data']).map(([key, value]) => [key, String(value)]) : []);
}

/** Which keys a Secret gains, loses or changes between two versions; values are compared, never returned. */
export function secretKeyChanges(base: KubeObject | undefined, head: KubeObject | undefined): SecretKeyChanges {
  const before = storedValues(base);
  const after = storedValues(head);
  const sorted = (keys: Iterable<string>) => [...keys].sort();
  return {
    added: sorted([...after.keys()].filter((key) => !before.has(key))),
    removed: sorted([...before.keys()].filter((key) => !after.has(key))),
    changed: sorted([...after.keys()].filter((key) => before.has(key) && before.get(key) !== after.get(key))),
  };
}

export function hasKeyChanges(changes: SecretKeyChanges): boolean {
  return changes.added.length + changes.removed.length + changes.changed.length > 0;
}

function redactMap(value: unknown, changed: ReadonlySet<string>): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).map((key) => [key, changed.has(key) ? REDACTED_CHANGED : REDACTED]));
}

/** A copy of a Secret with every value (and any last-applied copy of them) replaced by a placeholder. */
export function redactSecret(secret: KubeObject, changedKeys: ReadonlySet<string> = new Set()): KubeObject {
  const copy: KubeObject = { ...secret, metadata: { ...secret.metadata } };
  if ('data' in secret) copy['data'] = redactMap(secret['data'], changedKeys);
  if ('stringData' in secret) copy['stringData'] = redactMap(secret['stringData'], changedKeys);
  const annotations = secret.metadata.annotations;
  if (annotations && LAST_APPLIED_ANNOTATION in annotations) {
    copy.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: REDACTED };
  }
  return copy;
}
