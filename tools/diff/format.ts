import { hasChanges, type AppSummary, type DiffReport, type Flag, type ObjectChange } from './engine.ts';
import { flowsMarkdown, isLossFlag, reviewText, syncPlanMarkdown } from './format-review.ts';
import { escapeMarkdown } from './markdown.ts';
import { applicationItems, applicationsHeadline, applicationTextLines } from './applications-format.ts';

/** GitHub refuses an issue or pull-request comment body longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;
const DEFAULT_HINT = "the workflow run's job summary and its diff report artifact";
const MINUS = '−';

interface Totals {
  apps: number;
  added: number;
  removed: number;
  changed: number;
  linesAdded: number;
  linesRemoved: number;
}

function totalsOf(report: DiffReport): Totals {
  const changed = report.summary.filter(isChanged);
  const sum = (pick: (row: AppSummary) => number) => changed.reduce((total, row) => total + pick(row), 0);
  return {
    apps: changed.length,
    added: sum((row) => row.added),
    removed: sum((row) => row.removed),
    changed: sum((row) => row.changed),
    linesAdded: sum((row) => row.linesAdded),
    linesRemoved: sum((row) => row.linesRemoved),
  };
}

function isChanged(row: AppSummary): boolean {
  return row.added + row.removed + row.changed > 0;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function headline(report: DiffReport): string {
  const argo = applicationsHeadline(report.applications);
  if (report.changes.length === 0) {
    return argo
      ? `No rendered object changes, but Argo CD's objects change: ${argo}.`
      : 'No rendered changes: every app renders the same objects in base and head.';
  }
  const t = totalsOf(report);
  return `${plural(t.added + t.removed + t.changed, 'object')} in ${plural(t.apps, 'app')}: ${t.added} added, ${t.removed} removed, ${t.changed} changed (+${t.linesAdded} ${MINUS}${t.linesRemoved} lines)${argo ? `; ${argo}` : ''}.`;
}

function appName(row: { env: string; component: string }): string {
  return `${row.env}/${row.component}`;
}

/** Where a flag applies: `prod/loki StatefulSet observability/loki-write`, `loki` for a wave, or nothing. */
function flagSubject(flag: Flag): string {
  const app = flag.env && flag.component ? `${flag.env}/${flag.component}` : (flag.component ?? flag.env ?? '');
  return [app, flag.object ?? ''].filter(Boolean).join(' ');
}

function objectName(change: ObjectChange): string {
  return `${change.kind} ${change.namespace ? `${change.namespace}/` : ''}${change.name}`;
}

/** The object as a reviewer reads it: a generated name whose hash suffix changed shows both names. */
function shownName(change: ObjectChange): string {
  return change.previousName === undefined
    ? objectName(change)
    : `${change.kind} ${change.namespace ? `${change.namespace}/` : ''}${change.previousName} → ${change.name}`;
}

/** An object's diff longer than this is cut in the PR comment (with a note), never left out whole. */
export const OBJECT_DIFF_MAX = 12_000;

/** The diff cut at a line end within `max` characters, and how many lines were cut. */
function cutDiff(diff: string, max: number): { text: string; cutLines: number } {
  const text = diff.trimEnd();
  if (text.length <= max) return { text, cutLines: 0 };
  const end = text.lastIndexOf('\n', max);
  const kept = text.slice(0, end === -1 ? max : end);
  return { text: kept, cutLines: text.split('\n').length - kept.split('\n').length };
}

/** The most unchanged apps named one by one; the others are counted (a fleet has hundreds). */
const UNCHANGED_NAMED = 20;

/** The apps that render the same on both sides, as one line: the first UNCHANGED_NAMED by name, then how many more. */
function unchangedApps(report: DiffReport): string {
  const names = report.summary.filter((row) => !isChanged(row)).map(appName);
  const named = names.slice(0, UNCHANGED_NAMED).join(', ');
  return names.length > UNCHANGED_NAMED ? `${named} and ${names.length - UNCHANGED_NAMED} more` : named;
}

const ANSI = { bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m', reset: '\u001b[0m' };
type Style = keyof Omit<typeof ANSI, 'reset'>;

function painter(color: boolean): (text: string, ...styles: Style[]) => string {
  return (text, ...styles) => (color && text ? `${styles.map((style) => ANSI[style]).join('')}${text}${ANSI.reset}` : text);
}

function table(rows: readonly string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function colorDiffLine(line: string, paint: ReturnType<typeof painter>): string {
  if (line.startsWith('+++') || line.startsWith('---')) return paint(line, 'bold');
  if (line.startsWith('+')) return paint(line, 'green');
  if (line.startsWith('-')) return paint(line, 'red');
  if (line.startsWith('@@')) return paint(line, 'cyan');
  return line;
}

/**
 * The report for a terminal: flags first, then what is lost, the Applications that change under apps/, the per-app summary, the sync plan
 * and flows, then every object's diff.
 */
export function formatText(report: DiffReport, options: { color: boolean }): string {
  const paint = painter(options.color);
  const severityStyle: Record<Flag['severity'], Style[]> = { danger: ['red', 'bold'], warning: ['yellow'], info: [] };
  const out: string[] = [paint('Rendered diff', 'bold'), headline(report), ''];
  const flagList = (title: string, flags: readonly Flag[]) => {
    if (flags.length === 0) return;
    out.push(paint(`${title} (${flags.length})`, 'bold'));
    const width = Math.max(...flags.map((flag) => flag.severity.length));
    const ruleWidth = Math.max(...flags.map((flag) => flag.rule.length));
    for (const flag of flags) {
      const label = paint(flag.severity.toUpperCase().padEnd(width), ...severityStyle[flag.severity]);
      const subject = flagSubject(flag);
      out.push(`  ${label}  ${flag.rule.padEnd(ruleWidth)}  ${subject ? `${subject}: ` : ''}${flag.message}`);
    }
    out.push('');
  };
  flagList(
    'Review first',
    report.flags.filter((flag) => !isLossFlag(flag)),
  );
  flagList('What is lost', report.flags.filter(isLossFlag));
  const argo = applicationTextLines(report.applications);
  if (argo.length > 0) out.push(paint('Applications (apps/)', 'bold'), ...argo, '');
  const changed = report.summary.filter(isChanged);
  if (changed.length > 0) {
    out.push(paint('Summary', 'bold'));
    const rows = [
      ['ENV', 'APP', 'ADDED', 'REMOVED', 'CHANGED', 'LINES'],
      ...changed.map((row) => [
        row.env,
        row.component,
        `${row.added}`,
        `${row.removed}`,
        `${row.changed}`,
        `+${row.linesAdded} ${MINUS}${row.linesRemoved}`,
      ]),
    ];
    out.push(...table(rows, new Set([2, 3, 4])).map((line) => `  ${line}`));
    const unchanged = unchangedApps(report);
    if (unchanged !== '') out.push(`  unchanged: ${unchanged}`);
    out.push('');
  }
  out.push(...reviewText(report.syncPlan, report.flows, (text) => paint(text, 'bold')));
  for (const change of report.changes) {
    out.push(paint(`${appName(change)} ${change.change} ${shownName(change)} (+${change.added} ${MINUS}${change.removed})`, 'bold'));
    for (const note of change.notes ?? []) out.push(`  note: ${note}`);
    out.push(
      ...change.diff
        .trimEnd()
        .split('\n')
        .map((line) => colorDiffLine(line, paint)),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A fence longer than any run of backticks inside, so a diff of Markdown text cannot close it early. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function markerLine(marker: string): string {
  return marker.startsWith('<!--') ? marker : `<!-- ${marker} -->`;
}

function flagBullet(flag: Flag): string {
  const subject = flagSubject(flag);
  return `- **${flag.severity.toUpperCase()}** \`${flag.rule}\` ${subject ? `${escapeMarkdown(subject)}: ` : ''}${escapeMarkdown(flag.message)}\n`;
}

function summarySection(report: DiffReport): string {
  const changed = report.summary.filter(isChanged);
  if (changed.length === 0) return '';
  const rows = changed.map(
    (row) =>
      `| ${escapeMarkdown(row.env)} | ${escapeMarkdown(row.component)} | ${row.added} | ${row.removed} | ${row.changed} | +${row.linesAdded} ${MINUS}${row.linesRemoved} |\n`,
  );
  const unchanged = unchangedApps(report);
  return [
    '### Summary\n\n',
    '| Environment | App | Added | Removed | Changed | Lines |\n',
    '|---|---|--:|--:|--:|--:|\n',
    ...rows,
    unchanged !== '' ? `\nUnchanged: ${escapeMarkdown(unchanged)}\n` : '',
    '\n',
  ].join('');
}

function detailsBlock(change: ObjectChange, hint: string): string {
  const { text, cutLines } = cutDiff(change.diff, OBJECT_DIFF_MAX);
  const fence = fenceFor(text);
  const title = `<code>${escapeHtml(appName(change))}</code> ${change.change} ${escapeHtml(shownName(change))} (+${change.added} ${MINUS}${change.removed})`;
  const notes = (change.notes ?? []).map((note) => `- _${escapeMarkdown(note)}_\n`).join('');
  const cut = cutLines > 0 ? `_This object's diff is cut here: ${plural(cutLines, 'more line')} in the full report in ${hint}._\n\n` : '';
  return `<details>\n<summary>${title}</summary>\n\n${notes ? `${notes}\n` : ''}${fence}diff\n${text}\n${fence}\n\n${cut}</details>\n\n`;
}

/**
 * As many whole items as fit in the budget, then a note counting the rest. Items in `first` are
 * picked before the others, any item too big is skipped, and the kept ones stay in their order.
 */
function fit(items: readonly string[], budget: number, note: (hidden: number) => string, first: ReadonlySet<number> = new Set()): string[] {
  if (items.reduce((total, item) => total + item.length, 0) <= budget) return [...items];
  const order = [...items.keys()].sort((a, b) => Number(first.has(b)) - Number(first.has(a)) || a - b);
  const kept = new Set<number>();
  let used = 0;
  for (const index of order) {
    const item = items[index] ?? '';
    // Later picks can only shrink the hidden count, so the note checked here is the longest it gets.
    if (used + item.length + note(items.length - kept.size - 1).length <= budget) {
      kept.add(index);
      used += item.length;
    }
  }
  return [...items.filter((_, index) => kept.has(index)), note(items.length - kept.size)];
}

/** Which changes a flag points at: their diffs are the last a cut comment should lose. */
function flaggedChanges(report: DiffReport): Set<number> {
  const flagged = new Set(report.flags.filter((flag) => flag.object).map((flag) => `${flag.env}/${flag.component} ${flag.object}`));
  return new Set(report.changes.flatMap((change, index) => (flagged.has(`${appName(change)} ${objectName(change)}`) ? [index] : [])));
}

/** Cuts text at a line end so it ends within the limit; only reached when the summary table alone is too long. */
function cutAtLine(text: string, limit: number, note: string): string {
  const room = limit - note.length;
  if (room <= 0) return text.slice(0, limit);
  const end = text.lastIndexOf('\n', room - 1);
  return `${text.slice(0, end + 1)}${note}`;
}

export interface MarkdownOptions {
  baseSha: string;
  headSha: string;
  /** The repository's web address (`https://github.com/OWNER/NAME`): SHAs are then shown short, linked to their commits. */
  repositoryUrl?: string;
  /** Maximum length of the result; GitHub's comment limit by default. */
  limit?: number;
  /** Where the whole report is, named in the note when diffs are cut. */
  fullReportHint?: string;
  /** Hidden line that finds the comment again: an HTML comment, or a name to wrap in one. */
  marker?: string;
  /**
   * Start with the title (default true). False, and no marker, for the pr-diff artifact: the posting side writes the
   * marker and title itself, above this text, and refuses an artifact carrying them (tools/github/pr-artifact.ts).
   */
  title?: boolean;
}

/** A commit as the comment names it: short and linked when the repository is known, else the full SHA (`working tree` stays as is). */
function commitRef(sha: string, repositoryUrl: string | undefined): string {
  if (!repositoryUrl || !/^[0-9a-f]{40,64}$/.test(sha)) return escapeMarkdown(sha);
  return `[\`${sha.slice(0, 7)}\`](${repositoryUrl.replace(/\/+$/, '')}/commit/${sha})`;
}

/** The Applications section: whole entries, each a list item (tools/diff/applications-format.ts). */
function applicationsSection(items: readonly string[]): string {
  return items.length > 0 ? `### Applications (apps/)\n\n${items.join('')}\n` : '';
}

/** The PR comment's title, a level-2 heading: the only one in the comment. */
export const COMMENT_TITLE = '## Rendered diff';

/**
 * The report as a pull-request comment, never longer than `limit`: title, SHAs, flags, what is lost,
 * the Applications section (apps/), summary, what Argo CD will do and network flows
 * (format-review.ts), then per-object diffs. When too long, whole diffs are left out with a note
 * (flagged objects' diffs last); then whole Applications entries, with a count; when the sections
 * before the diffs alone are too long, the flag list is cut with a count.
 */
export function formatMarkdown(report: DiffReport, options: MarkdownOptions): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const hint = options.fullReportHint ?? DEFAULT_HINT;
  const preamble = [
    options.marker ? `${markerLine(options.marker)}\n` : '',
    (options.title ?? true) ? `${COMMENT_TITLE}\n\n` : '',
    `Base ${commitRef(options.baseSha, options.repositoryUrl)} → head ${commitRef(options.headSha, options.repositoryUrl)}\n\n`,
    `${headline(report)}\n\n`,
  ].join('');
  const flags = report.flags.filter((flag) => !isLossFlag(flag)).map(flagBullet);
  const flagsSection = (items: readonly string[]) => (items.length > 0 ? `### Review first\n\n${items.join('')}\n` : '');
  const losses = report.flags.filter(isLossFlag).map(flagBullet);
  const lossSection = losses.length > 0 ? `### What is lost\n\n${losses.join('')}\n` : '';
  const summary = summarySection(report);
  const review = `${syncPlanMarkdown(report.syncPlan)}${flowsMarkdown(report.flows)}`;
  const argoItems = applicationItems(report.applications, escapeMarkdown);
  const argoNote = (hidden: number) => `- _${plural(hidden, 'more Argo CD change')} not shown: see the full report in ${hint}._\n`;
  const blocks = report.changes.map((change) => detailsBlock(change, hint));
  const detailsHeader = blocks.length > 0 ? '### Object diffs\n\n' : '';
  const diffsNote = (hidden: number) => `_${plural(hidden, 'more object diff')} not shown: see the full report in ${hint}._\n`;
  const flagsNote = (hidden: number) => `- _${plural(hidden, 'more flag')} not shown: see the full report in ${hint}._\n`;

  // Cut in this order when too long: object diffs first, then Argo CD entries, then flags.
  const argo = applicationsSection(argoItems);
  const head = `${preamble}${flagsSection(flags)}${lossSection}${argo}${summary}${review}`;
  const detailsBudget = limit - head.length - detailsHeader.length;
  if (detailsBudget >= (blocks.length > 0 ? diffsNote(blocks.length).length : 0)) {
    const details = blocks.length > 0 ? `${detailsHeader}${fit(blocks, detailsBudget, diffsNote, flaggedChanges(report)).join('')}` : '';
    return `${`${head}${details}`.trimEnd()}\n`;
  }
  const detailsPart = blocks.length > 0 ? `${detailsHeader}${diffsNote(blocks.length)}` : '';
  const argoBudget =
    limit -
    preamble.length -
    flagsSection(flags).length -
    lossSection.length -
    applicationsSection(['']).length -
    summary.length -
    review.length -
    detailsPart.length;
  if (argoItems.length > 0 && argoBudget >= argoNote(argoItems.length).length) {
    return `${preamble}${flagsSection(flags)}${lossSection}${applicationsSection(fit(argoItems, argoBudget, argoNote))}${summary}${review}${detailsPart}`;
  }
  const argoPart = argoItems.length > 0 ? applicationsSection([argoNote(argoItems.length)]) : '';
  const flagBudget =
    limit -
    preamble.length -
    flagsSection(['']).length -
    lossSection.length -
    argoPart.length -
    summary.length -
    review.length -
    detailsPart.length;
  if (flagBudget >= flagsNote(flags.length).length) {
    return `${preamble}${flagsSection(fit(flags, flagBudget, flagsNote))}${lossSection}${argoPart}${summary}${review}${detailsPart}`;
  }
  const cutNote = `\n_Report cut at ${limit} characters: see the full report in ${hint}._\n`;
  return cutAtLine(
    `${preamble}${flagsSection(fit(flags, 0, flagsNote))}${lossSection}${argoPart}${summary}${review}${detailsPart}`,
    limit,
    cutNote,
  );
}

/** The report as plain JSON-ready data, for `--json` and the workflow artifact. */
export function reportJson(report: DiffReport): object {
  return {
    hasChanges: hasChanges(report),
    totals: totalsOf(report),
    flags: report.flags,
    summary: report.summary,
    changes: report.changes,
    syncPlan: report.syncPlan ?? [],
    flows: report.flows ?? [],
    applications: report.applications?.applications ?? [],
    argoObjects: report.applications?.objects ?? [],
  };
}
