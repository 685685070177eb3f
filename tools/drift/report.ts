/** Drift reports for people (plain text, Markdown for a GitHub issue or job summary) and machines (JSON). */
import { structuredPatch } from 'diff';
import { groupOf } from '../kube/object.ts';
import { isClusterScoped } from '../kube/scope.ts';
import type { DriftReport, DriftWarning, FieldDrift, ModifiedObject, ObjectRef, Unreadable } from './types.ts';

const VALUE_WIDTH = 80;
/** GitHub refuses issue and comment bodies over 65,536 characters; leave room for a caller's framing. */
const MARKDOWN_BUDGET = 60_000;
/** Room kept under the budget for the closing "N more entries" line. */
const NOTE_RESERVE = 120;
const FIELDS_PER_OBJECT = 50;
/** Lines of a multi-line value's diff shown per field; the rest is counted. */
const DIFF_LINES_PER_FIELD = 60;

/** A secret's value never leaves the engine, whatever the caller put in the field. */
function isSecretValue(object: ObjectRef, field: FieldDrift): boolean {
  const secret = object.kind === 'Secret' && object.apiVersion === 'v1';
  return field.redacted === true || (secret && /^\/(data|stringData)(\/|$)/.test(field.path));
}

function safeField(object: ObjectRef, field: FieldDrift): FieldDrift {
  if (isSecretValue(object, field)) return { path: field.path, op: field.op, redacted: true };
  const out: FieldDrift = { path: field.path, op: field.op };
  if (field.op !== 'add') out.desired = field.desired;
  if (field.op !== 'remove') out.live = field.live;
  return out;
}

function truncate(text: string, width = VALUE_WIDTH): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function showValue(value: unknown): string {
  return truncate(value === undefined ? 'undefined' : JSON.stringify(value));
}

/** The namespace an object is shown with: none for a cluster-scoped kind, whatever the comparison defaulted. */
function shownNamespace(ref: ObjectRef): string | undefined {
  return isClusterScoped(groupOf(ref.apiVersion), ref.kind) ? undefined : ref.namespace;
}

function describeRef(ref: ObjectRef): string {
  const namespace = shownNamespace(ref);
  return `${ref.kind} ${namespace ? `${namespace}/` : ''}${ref.name}`;
}

/** A string value of more than one line on either side (a ConfigMap's `config.yaml`): shown as a line diff. */
function multiLine(object: ObjectRef, field: FieldDrift): { desired: string; live: string } | undefined {
  if (isSecretValue(object, field) || field.op !== 'replace') return undefined;
  const { desired, live } = field;
  if (typeof desired !== 'string' || typeof live !== 'string' || !(desired.includes('\n') || live.includes('\n'))) return undefined;
  return { desired, live };
}

/** Unified hunks (2 lines of context) from the desired text to the live one, at most DIFF_LINES_PER_FIELD lines. */
function lineDiff({ desired, live }: { desired: string; live: string }): string[] {
  const patch = structuredPatch('desired', 'live', desired, live, '', '', { context: 2 });
  const lines = patch.hunks.flatMap((hunk) => [
    `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
    ...hunk.lines.filter((line) => !line.startsWith('\\')),
  ]);
  if (lines.length <= DIFF_LINES_PER_FIELD) return lines;
  return [...lines.slice(0, DIFF_LINES_PER_FIELD), `… ${lines.length - DIFF_LINES_PER_FIELD} more lines`];
}

function describeUnreadable(entry: Unreadable): string {
  const group = entry.apiVersion.includes('/') ? entry.apiVersion.slice(0, entry.apiVersion.indexOf('/')) : 'core';
  const reason = entry.reason.replace(/\s+/g, ' ').trim();
  return `${entry.kind} (${group}) ${entry.namespace ? `in ${entry.namespace}` : 'in every namespace'}: ${reason}`;
}

/** `Application dev-grafana ignoreDifferences[0].jqPathExpressions[1] (EXPR) on Deployment ns/x: reason; its fields were compared`. */
function describeWarning(warning: DriftWarning, code: (text: string) => string = (text) => text): string {
  const where = warning.object ? ` on ${describeRef(warning.object)}` : '';
  const owner = warning.application ? `Application ${warning.application} ` : '';
  return `${owner}${warning.rule} ${code(warning.expression)}${where}: ${warning.reason}; not applied, those fields were compared`;
}

/** `desired → live` in words a reader needs; Secret keys say what happened to the key, never its value. */
function describeChange(object: ObjectRef, field: FieldDrift, code: (text: string) => string): string {
  if (isSecretValue(object, field)) {
    if (field.op === 'add') return 'key added in the cluster (value redacted)';
    if (field.op === 'remove') return 'key removed from the cluster (value redacted)';
    return 'value differs (redacted)';
  }
  if (field.op === 'add') return `(not in git) → ${code(showValue(field.live))}`;
  if (field.op === 'remove') return `${code(showValue(field.desired))} → (absent)`;
  return `${code(showValue(field.desired))} → ${code(showValue(field.live))}`;
}

function countLine(report: DriftReport): string {
  return `${report.missing.length} missing, ${report.unexpected.length} unexpected, ${report.modified.length} modified; ${report.inSync} in sync`;
}

function objectsWord(count: number): string {
  return `${count} object${count === 1 ? '' : 's'}`;
}

function cleanLine(report: DriftReport, title: string): string {
  if (report.unreadable.length === 0) return `No drift in ${title}: ${objectsWord(report.inSync)} in sync.`;
  return (
    `Drift not fully checked in ${title}: ${report.unreadable.length} kind${report.unreadable.length === 1 ? '' : 's'} could not be read, ` +
    `so ${objectsWord(report.unchecked.length)} went unchecked; the ${objectsWord(report.inSync)} read are in sync.`
  );
}

function isClean(report: DriftReport): boolean {
  return report.missing.length === 0 && report.unexpected.length === 0 && report.modified.length === 0;
}

/** Plain text for a terminal or a log; colour is the caller's business. */
export function formatDriftText(report: DriftReport, title: string): string {
  const lines: string[] = [];
  if (isClean(report)) lines.push(cleanLine(report, title));
  else lines.push(`Drift in ${title}: ${countLine(report)}`);
  const section = (heading: string, items: string[]): void => {
    if (items.length === 0) return;
    lines.push('', heading, ...items.map((item) => `  ${item}`));
  };
  section('Missing (in git, not in the cluster):', report.missing.map(describeRef));
  section('Unexpected (in the cluster, not in git):', report.unexpected.map(describeRef));
  section(
    'Modified:',
    report.modified.flatMap(({ object, fields }) => [
      describeRef(object),
      ...fields.flatMap((field) => {
        const text = multiLine(object, field);
        if (!text) return [`  ${field.path}: ${describeChange(object, field, (value) => value)}`];
        return [`  ${field.path}: lines differ (- desired, + live):`, ...lineDiff(text).map((line) => `    ${line}`)];
      }),
    ]),
  );
  section('Unreadable (not checked):', report.unreadable.map(describeUnreadable));
  section('Unchecked (their kind could not be read):', report.unchecked.map(describeRef));
  section(
    'Warnings (ignoreDifferences rules that could not be evaluated):',
    (report.warnings ?? []).map((warning) => describeWarning(warning)),
  );
  return `${lines.join('\n')}\n`;
}

export interface MarkdownOptions {
  /** Upper bound on the body's length; objects past it are counted, not listed. Default 60,000. */
  maxChars?: number;
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function markdownRef(ref: ObjectRef): string {
  const namespace = shownNamespace(ref);
  return `${ref.kind} ${code(`${namespace ? `${namespace}/` : ''}${ref.name}`)}`;
}

/** A fenced `diff` block, indented under its list item; the fence outgrows any backtick run inside. */
function diffBlock(lines: string[]): string {
  const longest = Math.max(2, ...lines.map((line) => (line.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0)));
  const fence = '`'.repeat(longest + 1);
  return [`  ${fence}diff`, ...lines.map((line) => `  ${line}`), `  ${fence}`].join('\n');
}

function markdownField(object: ObjectRef, field: FieldDrift): string {
  const text = multiLine(object, field);
  if (!text) return `- ${code(field.path)}: ${describeChange(object, field, code)}`;
  return `- ${code(field.path)}: lines differ (\`-\` desired, \`+\` live):\n\n${diffBlock(lineDiff(text))}\n`;
}

function modifiedBlock({ object, fields }: ModifiedObject): string {
  const shown = fields.slice(0, FIELDS_PER_OBJECT).map((field) => markdownField(object, field));
  if (fields.length > FIELDS_PER_OBJECT) shown.push(`- … and ${fields.length - FIELDS_PER_OBJECT} more fields`);
  return [`**${markdownRef(object)}**`, ...shown, ''].join('\n');
}

/** Markdown for a GitHub issue or job summary: a count line, then Missing / Unexpected / Modified. */
export function formatDriftMarkdown(report: DriftReport, title: string, options: MarkdownOptions = {}): string {
  const budget = options.maxChars ?? MARKDOWN_BUDGET;
  const parts: string[] = [`## Drift: ${title}`, ''];
  if (isClean(report)) parts.push(cleanLine(report, title), '');
  else {
    parts.push(
      `**${report.missing.length} missing · ${report.unexpected.length} unexpected · ${report.modified.length} modified** · ${report.inSync} in sync`,
      '',
    );
  }
  let length = parts.join('\n').length;
  let omitted = 0;
  let full = false;
  const add = (block: string, counted = true): void => {
    full ||= length + block.length + 1 > budget - NOTE_RESERVE;
    if (full) {
      if (counted) omitted++;
      return;
    }
    parts.push(block);
    length += block.length + 1;
  };
  const list = (heading: string, blurb: string, blocks: string[]): void => {
    if (blocks.length === 0) return;
    add(`\n### ${heading}\n\n${blurb}\n`, false);
    for (const block of blocks) add(block);
  };
  list(
    'Missing',
    '_In git, not in the cluster._',
    report.missing.map((ref) => `- ${markdownRef(ref)} (${ref.apiVersion})`),
  );
  list(
    'Unexpected',
    '_In the cluster, tracked or selected, not in git._',
    report.unexpected.map((ref) => `- ${markdownRef(ref)} (${ref.apiVersion})`),
  );
  list('Modified', '_Each path reads `desired → live`._', report.modified.map(modifiedBlock));
  list(
    'Unreadable',
    '_These kinds could not be listed: their objects were not checked._',
    report.unreadable.map((entry) => `- ${describeUnreadable(entry)}`),
  );
  list(
    'Unchecked',
    '_Desired objects of an unreadable kind._',
    report.unchecked.map((ref) => `- ${markdownRef(ref)}`),
  );
  list(
    'Warnings',
    '_ignoreDifferences rules that could not be evaluated._',
    (report.warnings ?? []).map((warning) => `- ${describeWarning(warning, code)}`),
  );
  if (omitted > 0) parts.push('', `_… ${omitted} more entries not shown to fit the size limit: see the job log or the JSON report._`);
  return `${parts
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** The report as plain data with a fixed shape and key order, for `--json`; Secret values stay out. */
export function driftJson(report: DriftReport): object {
  const ref = (object: ObjectRef) => {
    const namespace = shownNamespace(object);
    return { apiVersion: object.apiVersion, kind: object.kind, ...(namespace ? { namespace } : {}), name: object.name };
  };
  return {
    drift: !isClean(report),
    summary: {
      inSync: report.inSync,
      missing: report.missing.length,
      unexpected: report.unexpected.length,
      modified: report.modified.length,
      unreadable: report.unreadable.length,
      unchecked: report.unchecked.length,
    },
    missing: report.missing.map(ref),
    unexpected: report.unexpected.map(ref),
    modified: report.modified.map(({ object, fields }) => ({
      object: ref(object),
      fields: fields.map((field) => safeField(object, field)),
    })),
    unreadable: report.unreadable.map((entry) => ({
      apiVersion: entry.apiVersion,
      kind: entry.kind,
      ...(entry.namespace ? { namespace: entry.namespace } : {}),
      reason: entry.reason,
    })),
    unchecked: report.unchecked.map(ref),
    warnings: (report.warnings ?? []).map((warning) => ({
      ...(warning.application ? { application: warning.application } : {}),
      rule: warning.rule,
      expression: warning.expression,
      ...(warning.object ? { object: ref(warning.object) } : {}),
      reason: warning.reason,
    })),
  };
}
