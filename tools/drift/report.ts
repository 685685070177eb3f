/** Drift reports for people (plain text, Markdown for a GitHub issue or job summary) and machines (JSON). */
import type { DriftReport, DriftWarning, FieldDrift, ModifiedObject, ObjectRef, Unreadable } from './types.ts';

const VALUE_WIDTH = 80;
/** GitHub refuses issue and comment bodies over 65,536 characters; leave room for a caller's framing. */
const MARKDOWN_BUDGET = 60_000;
/** Room kept under the budget for the closing "N more entries" line. */
const NOTE_RESERVE = 120;
const FIELDS_PER_OBJECT = 50;

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

function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
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
    `No drift found in ${title}: ${objectsWord(report.inSync)} in sync, but ${report.unreadable.length} ` +
    `kind${report.unreadable.length === 1 ? '' : 's'} could not be read, so ${objectsWord(report.unchecked.length)} went unchecked.`
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
      ...fields.map((field) => `  ${field.path}: ${describeChange(object, field, (text) => text)}`),
    ]),
  );
  section('Unreadable (not checked):', report.unreadable.map(describeUnreadable));
  section('Unchecked (their kind could not be read):', report.unchecked.map(describeRef));
  section('Warnings (ignoreDifferences rules that could not be evaluated):', (report.warnings ?? []).map((warning) => describeWarning(warning)));
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
  return `${ref.kind} ${code(`${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`)}`;
}

function modifiedBlock({ object, fields }: ModifiedObject): string {
  const shown = fields.slice(0, FIELDS_PER_OBJECT).map((field) => `- ${code(field.path)}: ${describeChange(object, field, code)}`);
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
  list('Missing', '_In git, not in the cluster._', report.missing.map((ref) => `- ${markdownRef(ref)} (${ref.apiVersion})`));
  list('Unexpected', '_In the cluster, tracked or selected, not in git._', report.unexpected.map((ref) => `- ${markdownRef(ref)} (${ref.apiVersion})`));
  list('Modified', '_Each path reads `desired → live`._', report.modified.map(modifiedBlock));
  list('Unreadable', '_These kinds could not be listed: their objects were not checked._', report.unreadable.map((entry) => `- ${describeUnreadable(entry)}`));
  list('Unchecked', '_Desired objects of an unreadable kind._', report.unchecked.map((ref) => `- ${markdownRef(ref)}`));
  list('Warnings', '_ignoreDifferences rules that could not be evaluated._', (report.warnings ?? []).map((warning) => `- ${describeWarning(warning, code)}`));
  if (omitted > 0) parts.push('', `_… ${omitted} more entries not shown to fit the size limit: see the job log or the JSON report._`);
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** The report as plain data with a fixed shape and key order, for `--json`; Secret values stay out. */
export function driftJson(report: DriftReport): object {
  const ref = (object: ObjectRef) => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    ...(object.namespace ? { namespace: object.namespace } : {}),
    name: object.name,
  });
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
    modified: report.modified.map(({ object, fields }) => ({ object: ref(object), fields: fields.map((field) => safeField(object, field)) })),
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
