import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { parse as parseYaml } from 'yaml';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

/** What a query may name: the stream labels the log shipper writes, and what Loki adds beside them. */
export interface KnownLabels {
  /** Stream labels: the only ones a stream selector `{…}` can match. */
  stream: readonly string[];
  /** Structured metadata and special labels, usable in label filters and groupings after the selector. */
  other: readonly string[];
}

/** Loki ≥ 3 attaches `detected_level` as structured metadata; `__error__` marks lines a parser failed on. */
export const LOKI_ADDED_LABELS: readonly string[] = ['detected_level', '__error__', '__error_details__'];

export interface LogqlProblem {
  kind: 'syntax' | 'unknown-label';
  message: string;
}

// Grafana substitutes its interval variables before a query reaches Loki; any duration parses the same.
const GRAFANA_INTERVALS = /\$__(auto|interval|rate_interval|range)\b|\$\{__(auto|interval|rate_interval|range)\}/g;

/** Stages after which a query may name labels Loki extracted from the line itself. */
const EXTRACTING = new Set(['LabelParser', 'JsonExpressionParser', 'LogfmtParser', 'LogfmtExpressionParser', 'LabelFormatExpr']);
const FILTERS = new Set(['LabelFilter', 'IpLabelFilter', 'UnitFilter', 'NumberFilter']);
const SELECTOR = new Set(['Selector']);
const GROUPING = new Set(['Grouping']);

function within(node: SyntaxNode, names: ReadonlySet<string>, stop: string): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (names.has(n.name)) return true;
    if (n.name === stop) return false;
  }
  return false;
}

/** Parses one LogQL expression with Grafana's grammar and checks every label it names. */
export function checkLogql(expr: string, known: KnownLabels): LogqlProblem[] {
  const text = expr.replace(GRAFANA_INTERVALS, '1m');
  const tree = parser.parse(text);
  const errors: number[] = [];
  const stream: string[] = [];
  const used: string[] = [];
  let extracts = false;
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) errors.push(ref.from);
      if (EXTRACTING.has(ref.name)) extracts = true;
      if (ref.name !== 'Identifier') return;
      const label = text.slice(ref.from, ref.to);
      if (within(ref.node, SELECTOR, 'LogQL')) stream.push(label);
      else if (within(ref.node, FILTERS, 'PipelineStage') || within(ref.node, GROUPING, 'LogQL')) used.push(label);
    },
  });
  const first = errors[0];
  if (first !== undefined) {
    const near = text.slice(first, first + 20) || 'end of query';
    return [{ kind: 'syntax', message: `LogQL syntax error at character ${first + 1}, near "${near}": fix the expression ${JSON.stringify(expr)}` }];
  }
  const problems: LogqlProblem[] = [];
  const streamLabels = new Set(known.stream);
  const anyLabel = new Set([...known.stream, ...known.other]);
  for (const label of new Set(stream)) {
    if (!streamLabels.has(label)) problems.push({ kind: 'unknown-label', message: `stream selector matches label "${label}", which no log line carries (stream labels: ${known.stream.join(', ')})` });
  }
  if (!extracts) {
    for (const label of new Set(used)) {
      if (!anyLabel.has(label)) problems.push({ kind: 'unknown-label', message: `label "${label}" is neither a stream label (${known.stream.join(', ')}) nor added by Loki, and no parser stage extracts it` });
    }
  }
  return problems;
}

/** One LogQL expression found in provisioned Grafana content, and where. */
export interface GrafanaQuery {
  /** ConfigMap data key: the provisioned file. */
  file: string;
  /** `dashboard "…" panel "…" query A`, `alert rule "…" query A`, `dashboard "…" variable "…"`. */
  where: string;
  expr: string;
  /** Only the stream selector is LogQL (a `label_values(selector, label)` variable); the label is a stream label. */
  variableLabel?: string;
}

interface Target { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } }
interface Panel { title?: string; targets?: Target[]; panels?: Panel[]; datasource?: { type?: string } }
interface DashboardJson { title?: string; panels?: Panel[]; templating?: { list?: { name?: string; type?: string; query?: unknown }[] } }
interface RulesFile { groups?: { rules?: { title?: string; data?: { refId?: string; datasourceUid?: string; model?: { expr?: string } }[] }[] }[] }

const LABEL_VALUES = /^label_values\(\s*(?:(\{.*\})\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)$/s;

function dashboardQueries(file: string, dashboard: DashboardJson): GrafanaQuery[] {
  const name = `dashboard "${dashboard.title ?? file}"`;
  const queries: GrafanaQuery[] = [];
  const visit = (panels: readonly Panel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === 'string' && (target.datasource?.type ?? panel.datasource?.type) === 'loki') {
          queries.push({ file, where: `${name} panel "${panel.title ?? ''}" query ${target.refId ?? '?'}`, expr: target.expr });
        }
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels ?? []);
  for (const variable of dashboard.templating?.list ?? []) {
    const match = variable.type === 'query' && typeof variable.query === 'string' ? LABEL_VALUES.exec(variable.query.trim()) : null;
    if (match?.[2]) queries.push({ file, where: `${name} variable "${variable.name ?? ''}"`, expr: match[1] ?? '', variableLabel: match[2] });
  }
  return queries;
}

function ruleQueries(file: string, rules: RulesFile): GrafanaQuery[] {
  return (rules.groups ?? []).flatMap((group) =>
    (group.rules ?? []).flatMap((rule) =>
      (rule.data ?? []).flatMap((query) =>
        query.datasourceUid !== '__expr__' && typeof query.model?.expr === 'string'
          ? [{ file, where: `alert rule "${rule.title ?? ''}" query ${query.refId ?? '?'}`, expr: query.model.expr }]
          : [],
      ),
    ),
  );
}

export class GrafanaContentError extends Error {
  override readonly name = 'GrafanaContentError';
}

/**
 * Every LogQL expression in a ConfigMap's provisioned dashboards (`*.json`) and alert rule files
 * (`*.yaml` with `groups`). Throws GrafanaContentError naming the file when one does not parse.
 */
export function grafanaQueries(configMap: KubeObject): GrafanaQuery[] {
  const data = (configMap['data'] ?? {}) as Record<string, string>;
  return Object.entries(data).flatMap(([file, text]) => {
    const json = file.endsWith('.json');
    if (!json && !file.endsWith('.yaml') && !file.endsWith('.yml')) return [];
    let content: unknown;
    try {
      content = json ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new GrafanaContentError(`/data/${file}: does not parse as ${json ? 'JSON' : 'YAML'}: fix the generator that writes it`, { cause: error });
    }
    if (json) {
      const dashboard = content as DashboardJson;
      return dashboard.panels || dashboard.templating ? dashboardQueries(file, dashboard) : [];
    }
    const rules = content as RulesFile | null;
    return rules && Array.isArray(rules.groups) ? ruleQueries(file, rules) : [];
  });
}

/** What is wrong with one query found in Grafana content: its LogQL, and for a variable the label it lists. */
export function queryProblems(query: GrafanaQuery, known: KnownLabels): LogqlProblem[] {
  if (query.variableLabel === undefined) return checkLogql(query.expr, known);
  const problems = query.expr ? checkLogql(query.expr, known) : [];
  if (!known.stream.includes(query.variableLabel)) {
    problems.push({ kind: 'unknown-label', message: `lists values of label "${query.variableLabel}", which no log line carries (stream labels: ${known.stream.join(', ')})` });
  }
  return problems;
}

/** `grafana/logql-syntax` and `grafana/logql-unknown-label`: every query in every rendered ConfigMap of an app. */
export function logqlFindings(app: RenderedApp, known: KnownLabels): Finding[] {
  return app.objects
    .filter((o) => o.kind === 'ConfigMap')
    .flatMap((configMap): Finding[] => {
      const at = { severity: 'error' as const, env: app.env, component: app.component, object: describeObject(configMap) };
      let queries: GrafanaQuery[];
      try {
        queries = grafanaQueries(configMap);
      } catch (error) {
        if (!(error instanceof GrafanaContentError)) throw error;
        return [{ rule: 'grafana/unreadable-file', ...at, message: error.message }];
      }
      return queries.flatMap((query) =>
        queryProblems(query, known).map((problem) => ({ rule: `grafana/logql-${problem.kind}`, ...at, path: `/data/${query.file}`, message: `${query.where}: ${problem.message}` })),
      );
    });
}
