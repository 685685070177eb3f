/**
 * The review sections of the diff report that come before the per-object diffs: what Argo CD will
 * do (sync-plan.ts) and how network flows change (flows.ts), as Markdown for the PR comment and as
 * plain lines for a terminal. The data-loss flags are listed by format.ts with the other flags.
 */
import type { Flag } from './engine.ts';
import { breaksIntent, describeFlowChange, type EnvironmentFlows } from './flows.ts';
import { escapeMarkdown } from './markdown.ts';
import type { ApplicationSync, EnvironmentSyncPlan, PlannedObject, ResourceWave } from './sync-plan.ts';

/** Flags of these rules are what a change loses: listed under "What is lost", not "Review first". */
const LOSS_RULES: ReadonlySet<string> = new Set(['data-loss', 'volume-size']);

export function isLossFlag(flag: Flag): boolean {
  return LOSS_RULES.has(flag.rule);
}

/** Objects named in one group of a plan line, and flow changes listed per environment, stop here. */
const OBJECTS_MAX = 8;
const FLOWS_MAX = 40;

/** `restart StatefulSet loki-backend, StatefulSet loki-write (pod template: checksum/config); update ConfigMap loki-config` */
function actionsLine(objects: readonly PlannedObject[]): string {
  const groups = new Map<string, string[]>();
  for (const entry of objects) {
    const key = `${entry.action}\n${entry.detail ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), entry.object]);
  }
  return [...groups]
    .map(([key, names]) => {
      const [action = '', detail = ''] = key.split('\n');
      const shown =
        names.length > OBJECTS_MAX ? `${names.slice(0, OBJECTS_MAX).join(', ')} and ${names.length - OBJECTS_MAX} more` : names.join(', ');
      return `${action} ${shown}${detail ? ` (${detail})` : ''}`;
    })
    .join('; ');
}

function stepName(step: ResourceWave): string {
  return step.phase === 'Sync' ? `resource wave ${step.wave}` : `${step.phase} hooks, wave ${step.wave}`;
}

function applicationName(app: ApplicationSync): string {
  return `${app.wave === undefined ? 'no wave' : `wave ${app.wave}`} · ${app.application}`;
}

/** One Application's lines: one when all its changes are in one plain resource wave, else one per step. */
function applicationLines(app: ApplicationSync, escape: (text: string) => string): string[] {
  if (app.hooksOnly)
    return [
      `- ${escape(applicationName(app))}: stays Synced, as only hooks change (Argo CD's diff skips hooks); they run at its next sync`,
    ];
  const [only] = app.steps;
  if (app.steps.length === 1 && only?.phase === 'Sync') return [`- ${escape(applicationName(app))}: ${escape(actionsLine(only.objects))}`];
  return [
    `- ${escape(applicationName(app))}:`,
    ...app.steps.map((step) => `  - ${escape(stepName(step))}: ${escape(actionsLine(step.objects))}`),
  ];
}

const syncing = (count: number): string => (count === 1 ? '1 Application syncs' : `${count} Applications sync`);
const ROLLING_SYNC = 'RollingSync: each wave starts once every Application of the previous one is Healthy';

function planLines(plan: readonly EnvironmentSyncPlan[], escape: (text: string) => string, bold: (text: string) => string): string[] {
  return plan.flatMap((env) => [
    `${bold(escape(env.env))}: ${syncing(env.applications.filter((app) => !app.hooksOnly).length)}${env.applications.some((app) => app.wave !== undefined) ? ` (${ROLLING_SYNC})` : ''}`,
    ...env.applications.flatMap((app) => applicationLines(app, escape)),
    '',
  ]);
}

function flowLines(
  flows: readonly EnvironmentFlows[],
  escape: (text: string) => string,
  bold: (text: string) => string,
  mark: string,
): string[] {
  return flows.flatMap((env) => {
    const head = `${bold(escape(env.env))}: ${env.error ? `flows not compared: ${escape(env.error)}` : env.changes.length === 0 ? 'the NetworkPolicies change, the allowed flows do not' : `${env.changes.length} flow(s) change`}`;
    const shown = env.changes
      .slice(0, FLOWS_MAX)
      .map((change) => `- ${breaksIntent(change) ? mark : ''}${escape(describeFlowChange(change))}`);
    const more = env.changes.length > FLOWS_MAX ? [`- ${env.changes.length - FLOWS_MAX} more in the JSON report (--json)`] : [];
    return [head, ...shown, ...more, ''];
  });
}

const identity = (text: string): string => text;

/** "What Argo CD will do" as Markdown, ending in a blank line; empty without a plan. */
export function syncPlanMarkdown(plan: readonly EnvironmentSyncPlan[] | undefined): string {
  if (!plan || plan.length === 0) return '';
  return `### What Argo CD will do\n\n${planLines(plan, escapeMarkdown, (text) => `**${text}**`).join('\n')}\n`;
}

/** "Network flows" as Markdown, ending in a blank line; empty when no environment's flows were compared. */
export function flowsMarkdown(flows: readonly EnvironmentFlows[] | undefined): string {
  if (!flows || flows.length === 0) return '';
  const intro =
    'Allowed flows before → after, evaluated as the network gate does; **against intent** marks an intended flow now denied or an unintended one now allowed.\n\n';
  return `### Network flows\n\n${intro}${flowLines(flows, escapeMarkdown, (text) => `**${text}**`, '**against intent** ').join('\n')}\n`;
}

/** The same two sections for a terminal: a bold title each, lines indented by two. */
export function reviewText(
  plan: readonly EnvironmentSyncPlan[] | undefined,
  flows: readonly EnvironmentFlows[] | undefined,
  bold: (text: string) => string,
): string[] {
  const section = (title: string, lines: string[]) => [bold(title), ...lines.map((line) => (line ? `  ${line}` : line))];
  return [
    ...(plan && plan.length > 0 ? section('What Argo CD will do', planLines(plan, identity, identity)) : []),
    ...(flows && flows.length > 0 ? section('Network flows', flowLines(flows, identity, identity, 'AGAINST INTENT ')) : []),
  ];
}
