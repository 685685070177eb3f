/**
 * Byte fields as the API server stores them. Secret `data` and ConfigMap `binaryData` are `[]byte`
 * in the API types, sent as base64 and decoded by Go's encoding/json with `base64.StdEncoding`,
 * whose decoder skips `\r` and `\n` (encoding/base64 `Decode`: "New line characters (\r and \n)
 * are ignored"); a Secret's `stringData` is written over `data` as the UTF-8 bytes of each value
 * (k8s.io/api core/v1 types.go, Secret.StringData). Two manifests whose stored bytes are equal are
 * the same object to the cluster, however their base64 is written.
 */
import { groupOf } from './object.ts';

/** Standard, padded base64 once line breaks are dropped: what the API server accepts. */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes a base64 text stands for, as the API server decodes it; undefined when it would refuse it. */
export function decodeBase64(text: string): Buffer | undefined {
  const joined = text.replace(/[\r\n]/g, '');
  return STD_BASE64.test(joined) ? Buffer.from(joined, 'base64') : undefined;
}

/** One base64 spelling per byte string (no line breaks, canonical padding bits); text the server would refuse stays as written. */
export function canonicalBase64(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return decodeBase64(value)?.toString('base64') ?? value;
}

/** True for a core-group Secret; a type guard, so the object is known to be there. */
export function isSecret<T extends { apiVersion: string; kind: string }>(object: T | undefined): object is T {
  return object !== undefined && object.kind === 'Secret' && groupOf(object.apiVersion) === '';
}

function isConfigMap(object: { apiVersion: string; kind: string }): boolean {
  return object.kind === 'ConfigMap' && groupOf(object.apiVersion) === '';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonicalMap(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, value === null ? '' : canonicalBase64(value)]));
}

/**
 * A shallow copy of an object with its byte fields as the API server stores them: a Secret's
 * `stringData` folded into `data` (null values empty), `data` and ConfigMap `binaryData` in
 * canonical base64. Other objects are returned as they are.
 */
export function withStoredBytes<T extends { apiVersion: string; kind: string; [field: string]: unknown }>(object: T): T {
  if (isConfigMap(object) && isMap(object['binaryData'])) return { ...object, binaryData: canonicalMap(object['binaryData']) };
  if (!isSecret(object)) return object;
  const copy: Record<string, unknown> = { ...object };
  const data = isMap(object['data']) ? canonicalMap(object['data']) : {};
  const stringData = object['stringData'];
  if (isMap(stringData)) {
    for (const [key, value] of Object.entries(stringData)) {
      data[key] = Buffer.from(typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value), 'utf8').toString('base64');
    }
  }
  delete copy['stringData'];
  if (Object.keys(data).length > 0 || Object.hasOwn(object, 'data')) copy['data'] = data;
  return copy as T;
}
