/**
 * What a change deletes for good in this stack, with how much: Loki's retention shortened (the
 * compactor deletes older logs) and the object store's lifecycle expiry shortened (MinIO removes
 * older objects or versions). Read from the two sides of one ConfigMap; claim sizes are in
 * claim-size.ts.
 *
 * Loki facts (grafana/loki v3.7.6):
 * - `compactor.retention_enabled` defaults to false, and without it nothing is ever deleted
 *   (pkg/compactor/config.go, `compactor.retention-enabled`; docs/sources/operations/storage/retention.md).
 * - `limits_config.retention_period` defaults to `0s`, and 0 disables retention (pkg/validation/limits.go,
 *   `store.retention`); it is a Prometheus duration (`720h`, `30d`, `1w`: prometheus/common model.ParseDuration).
 * - A chunk is deleted once `now - chunk end > period`, the period being the matching `retention_stream`
 *   rule's (highest priority, then the shortest) or else the global one (pkg/compactor/retention/expiration.go,
 *   `Expired` and `RetentionPeriodFor`). The period is read at each run, so shortening it deletes logs
 *   already stored (the doc's note that changes are "not retroactive" does not match that code).
 * - Marked chunks are deleted after `compactor.retention_delete_delay` (default 2h, pkg/compactor/config.go).
 *
 * Object store facts: the bucket setup Job imports the rules with `mc ilm rule import` (tools/components/minio.ts)
 * in the S3 lifecycle JSON shape: `Expiration.Days` expires current objects that old (in a versioned
 * bucket, such as ours, a delete marker makes them noncurrent), and `NoncurrentVersionExpiration.NoncurrentDays`
 * deletes a version for good that many days after it became noncurrent (AWS S3 User Guide "Expiring objects";
 * S3 API reference LifecycleExpiration, NoncurrentVersionExpiration; minio/minio internal/bucket/lifecycle/lifecycle.go).
 */
import { parse } from 'yaml';
import { groupOf, type KubeObject } from '../kube/object.ts';
import { compareStrings } from '../kube/order.ts';

/** One loss found in one object's change: how bad, and what is lost, in one line. */
export interface Loss {
  severity: 'danger' | 'warning';
  message: string;
}

const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = {
  y: 365 * 24 * HOUR_MS,
  w: 7 * 24 * HOUR_MS,
  d: 24 * HOUR_MS,
  h: HOUR_MS,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/**
 * A Prometheus duration (`720h`, `30d`, `1w2d`, `0`) in milliseconds, or undefined when it is not one.
 * Units go from biggest to smallest, each at most once (prometheus/common model/time.go ParseDuration).
 */
export function parseLokiDuration(text: unknown): number | undefined {
  if (typeof text === 'number' && text === 0) return 0;
  if (typeof text !== 'string' || text === '') return undefined;
  if (text === '0') return 0;
  let total = 0;
  let last = -1;
  for (const match of text.matchAll(/(\d+)([a-z]+)|(.)/g)) {
    const [, digits, unit] = match;
    if (digits === undefined || unit === undefined) return undefined;
    const position = UNIT_ORDER.indexOf(unit);
    if (position <= last) return undefined;
    last = position;
    total += Number(digits) * (UNIT_MS[unit] ?? 0);
  }
  return total;
}

/** `30 days`, `1 day`, `36h`, `forever`: a period as a reviewer counts it. */
export function describePeriod(ms: number): string {
  if (ms <= 0) return 'forever';
  const day = UNIT_MS['d'] ?? 0;
  if (ms % day === 0) return ms === day ? '1 day' : `${ms / day} days`;
  return ms % HOUR_MS === 0 ? `${ms / HOUR_MS}h` : `${ms / 1000}s`;
}

type Config = Record<string, unknown>;

function record(value: unknown): Config | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Config) : undefined;
}

/** The data values of a ConfigMap, by key. */
function dataOf(object: KubeObject): Map<string, string> {
  const data = record(object['data']) ?? {};
  return new Map(Object.entries(data).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function parsed(text: string, json: boolean): Config | undefined {
  try {
    return record(json ? JSON.parse(text) : parse(text));
  } catch {
    return undefined;
  }
}

/** A Loki config file: a YAML map with Loki's own top-level blocks. */
function lokiConfig(text: string): Config | undefined {
  const config = parsed(text, false);
  return config && (record(config['limits_config']) || record(config['compactor'])) ? config : undefined;
}

/**
 * Retention as the compactor applies it: the global period and each stream selector's, 0 for keep forever; undefined when a period is
 * unreadable.
 */
interface Retention {
  global: number;
  streams: Map<string, number>;
  text: { global: string; streams: Map<string, string> };
  deleteDelay: string;
}

function retentionOf(config: Config): Retention | undefined {
  const compactor = record(config['compactor']) ?? {};
  const limits = record(config['limits_config']) ?? {};
  const enabled = compactor['retention_enabled'] === true;
  const globalText = limits['retention_period'] ?? '0s';
  const global = parseLokiDuration(globalText);
  if (global === undefined) return undefined;
  const streams = new Map<string, number>();
  const streamText = new Map<string, string>();
  for (const rule of Array.isArray(limits['retention_stream']) ? limits['retention_stream'] : []) {
    const entry = record(rule);
    const period = parseLokiDuration(entry?.['period']);
    if (typeof entry?.['selector'] !== 'string' || period === undefined) return undefined;
    // With equal priorities Loki keeps the shortest; the lowest-priority duplicates never win, so the shortest is a safe reading.
    const previous = streams.get(entry['selector']);
    if (previous === undefined || period < previous) {
      streams.set(entry['selector'], enabled ? period : 0);
      streamText.set(entry['selector'], String(entry['period']));
    }
  }
  return {
    global: enabled ? global : 0,
    streams,
    text: { global: enabled ? String(globalText) : 'retention_enabled: false', streams: streamText },
    deleteDelay: typeof compactor['retention_delete_delay'] === 'string' ? compactor['retention_delete_delay'] : '2h',
  };
}

/** True when `after` deletes logs that `before` keeps: a period set where there was none, or a shorter one. */
function shortens(before: number, after: number): boolean {
  return after > 0 && (before <= 0 || after < before);
}

function lostSpan(before: number, after: number): string {
  return before <= 0
    ? `every log older than ${describePeriod(after)}, kept until now, is lost`
    : `${describePeriod(before - after)} of logs (those ${describePeriod(after)} to ${describePeriod(before)} old) are lost`;
}

function retentionLosses(key: string, before: Retention, after: Retention): Loss[] {
  const losses: Loss[] = [];
  const delay = `retention_delete_delay (${after.deleteDelay})`;
  if (shortens(before.global, after.global)) {
    const own = [...after.streams.keys()];
    const except = own.length > 0 ? ` Streams matching a retention_stream rule keep their own period (${own.join(', ')}).` : '';
    losses.push({
      severity: 'danger',
      message: `Loki retention ${describePeriod(before.global)} → ${describePeriod(after.global)} (${key} limits_config.retention_period: ${before.text.global} → ${after.text.global}): the compactor deletes logs older than ${describePeriod(after.global)} on its next run, ${delay} after marking them: ${lostSpan(before.global, after.global)}.${except}`,
    });
  }
  for (const selector of [...new Set([...before.streams.keys(), ...after.streams.keys()])].sort(compareStrings)) {
    const was = before.streams.get(selector) ?? before.global;
    const now = after.streams.get(selector) ?? after.global;
    if (!after.streams.has(selector) || !shortens(was, now)) continue;
    losses.push({
      severity: 'danger',
      message: `Loki retention of streams ${selector} ${describePeriod(was)} → ${describePeriod(now)} (${key} limits_config.retention_stream): the compactor deletes their logs older than ${describePeriod(now)}, ${delay} after marking them: ${lostSpan(was, now)}.`,
    });
  }
  return losses;
}

/** A lifecycle rule's expiries in days (undefined: none), when the rule is enabled. */
interface RuleExpiry {
  current?: number;
  noncurrent?: number;
}

/** S3 lifecycle rules by ID (or position) from a `{"Rules": [...]}` document; undefined when it is not one. */
function lifecycleRules(text: string): Map<string, RuleExpiry> | undefined {
  const document = parsed(text, true);
  if (!document || !Array.isArray(document['Rules'])) return undefined;
  const rules = new Map<string, RuleExpiry>();
  for (const [index, value] of document['Rules'].entries()) {
    const rule = record(value);
    if (!rule) return undefined;
    const id = typeof rule['ID'] === 'string' && rule['ID'] !== '' ? rule['ID'] : `#${index + 1}`;
    if (rule['Status'] !== 'Enabled') {
      rules.set(id, {});
      continue;
    }
    const days = record(rule['Expiration'])?.['Days'];
    const noncurrent = record(rule['NoncurrentVersionExpiration'])?.['NoncurrentDays'];
    rules.set(id, { ...(typeof days === 'number' ? { current: days } : {}), ...(typeof noncurrent === 'number' ? { noncurrent } : {}) });
  }
  return rules;
}

const days = (count: number): string => (count === 1 ? '1 day' : `${count} days`);

function lifecycleLosses(key: string, before: Map<string, RuleExpiry>, after: Map<string, RuleExpiry>): Loss[] {
  const losses: Loss[] = [];
  for (const [id, rule] of [...after].sort(([a], [b]) => compareStrings(a, b))) {
    const old = before.get(id) ?? {};
    const where = `object store lifecycle rule ${id} (${key})`;
    if (rule.current !== undefined && (old.current === undefined || rule.current < old.current)) {
      const span =
        old.current === undefined
          ? 'every older object, kept until now, is lost'
          : `${days(old.current - rule.current)} of objects (those ${days(rule.current)} to ${days(old.current)} old) are lost`;
      losses.push({
        severity: 'danger',
        message: `${where}: Expiration.Days ${old.current === undefined ? 'unset' : old.current} → ${rule.current}: the object store expires current objects older than ${days(rule.current)} once the bucket setup Job imports the rules (in a versioned bucket they become noncurrent versions, removed by the noncurrent rule): ${span} to Loki, whatever its retention says.`,
      });
    }
    if (rule.noncurrent !== undefined && (old.noncurrent === undefined || rule.noncurrent < old.noncurrent)) {
      const span =
        old.noncurrent === undefined
          ? 'every older noncurrent version, kept until now, is lost'
          : `${days(old.noncurrent - rule.noncurrent)} of the recovery window is lost`;
      losses.push({
        severity: 'warning',
        message: `${where}: NoncurrentVersionExpiration.NoncurrentDays ${old.noncurrent === undefined ? 'unset' : old.noncurrent} → ${rule.noncurrent}: deleted or overwritten chunks stay recoverable ${days(rule.noncurrent)} instead of ${old.noncurrent === undefined ? 'forever' : days(old.noncurrent)}: ${span}.`,
      });
    }
  }
  return losses;
}

/**
 * The data losses between two versions of one object: for a ConfigMap, each data key that holds a
 * Loki config (retention) or an S3 lifecycle document (expiry) on both sides. Other objects: none.
 * A key whose retention cannot be read on a side (an unparsable duration, `${VAR}`) gives a warning.
 */
export function dataLosses(before: KubeObject, after: KubeObject): Loss[] {
  if (groupOf(after.apiVersion) !== '' || after.kind !== 'ConfigMap') return [];
  const old = dataOf(before);
  const losses: Loss[] = [];
  for (const [key, text] of [...dataOf(after)].sort(([a], [b]) => compareStrings(a, b))) {
    const previous = old.get(key);
    if (previous === undefined || previous === text) continue;
    const [configBefore, configAfter] = [lokiConfig(previous), lokiConfig(text)];
    if (configBefore && configAfter) {
      const [retentionBefore, retentionAfter] = [retentionOf(configBefore), retentionOf(configAfter)];
      if (!retentionBefore || !retentionAfter) {
        losses.push({
          severity: 'warning',
          message: `Loki retention in ${key} changed but a period is not a duration this diff can read: compare limits_config.retention_period and retention_stream by hand.`,
        });
      } else {
        losses.push(...retentionLosses(key, retentionBefore, retentionAfter));
      }
      continue;
    }
    const [rulesBefore, rulesAfter] = [lifecycleRules(previous), lifecycleRules(text)];
    if (rulesBefore && rulesAfter) losses.push(...lifecycleLosses(key, rulesBefore, rulesAfter));
  }
  return losses;
}
