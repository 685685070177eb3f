import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { parse as parseYaml } from 'yaml';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

/** Streams whose lines carry text their program did not compose (a logged query, a response body). */
export interface TextEmbeddingStream {
  /** Stream labels that identify them, e.g. `{namespace: 'observability', container: 'loki'}`. */
  labels: Readonly<Record<string, string>>;
  /** What they embed, for the finding's message. */
  embeds: string;
}

/** What a query may name: the stream labels the log shipper writes, and what Loki adds beside them. */
export interface KnownLabels {
  /** Stream labels: the only ones a stream selector `{…}` can match. */
  stream: readonly string[];
  /** Structured metadata and special labels, usable in label filters and groupings after the selector. */
  other: readonly string[];
  /** Streams a whole-line substring filter must not judge (`grafana/logql-line-filter`). */
  embedding: readonly TextEmbeddingStream[];
}

/** Loki ≥ 3 attaches `detected_level` as structured metadata; `__error__` marks lines a parser failed on. */
export const LOKI_ADDED_LABELS: readonly string[] = ['detected_level', '__error__', '__error_details__'];

export interface LogqlProblem {
  kind: 'syntax' | 'unknown-label' | 'line-filter';
  message: string;
}

/** One stream matcher of a selector: `name op "value"`, the value unquoted. */
export interface StreamMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A line filter stage: `|= "text"`, `!= "text"`, `|~ "re"`, `!~ "re"`. */
export interface LineFilterStage {
  op: '|=' | '!=' | '|~' | '!~';
  value: string;
  /** The stage as written in the query. */
  text: string;
}

/** One log pipeline of a query (a log query, or one range aggregation's): its selector and its stages in order. */
export interface LogPipeline {
  matchers: StreamMatcher[];
  /** Pipeline stage nodes (`PipelineStage`), in order, for callers that evaluate them. */
  stages: SyntaxNode[];
  lineFilters: LineFilterStage[];
}

export class LogqlStringError extends Error {
  override readonly name = 'LogqlStringError';
}

const GO_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * The value of a LogQL string literal: a Go interpreted string ("…", escapes as in Go) or a raw
 * string (`…`), as Loki's lexer reads them (grafana/loki v3.7.6 pkg/logql/syntax/lex.go:198, Prometheus' strutil.Unquote).
 * Throws LogqlStringError on an escape this reader does not know (\x, \u, octal).
 */
function unquoteLogql(literal: string): string {
  if (literal.startsWith('`') && literal.endsWith('`') && literal.length >= 2) return literal.slice(1, -1);
  if (!literal.startsWith('"') || !literal.endsWith('"') || literal.length < 2)
    throw new LogqlStringError(`not a LogQL string literal: ${literal}`);
  return literal.slice(1, -1).replace(/\\(.)/gs, (_, c: string) => {
    const decoded = GO_ESCAPES[c];
    if (decoded === undefined) throw new LogqlStringError(`unsupported escape \\${c} in ${literal}: write the character itself`);
    return decoded;
  });
}

const MATCH_OPS: Record<string, StreamMatcher['op']> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const LINE_OPS: Record<string, LineFilterStage['op']> = { PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~' };

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.name === name) found.push(n);
    for (const c of childrenOf(n)) visit(c);
  };
  visit(node);
  return found;
}

/** `name op value` of a `Matcher` node (in a selector or a label filter). */
export function matcherOf(node: SyntaxNode, text: string): StreamMatcher {
  const [name, op, value] = childrenOf(node);
  const matchOp = op ? MATCH_OPS[op.name] : undefined;
  if (!name || !matchOp || !value) throw new LogqlStringError(`unreadable matcher ${text.slice(node.from, node.to)}`);
  return { name: text.slice(name.from, name.to), op: matchOp, value: unquoteLogql(text.slice(value.from, value.to)) };
}

function lineFiltersOf(stage: SyntaxNode, text: string): LineFilterStage[] {
  return descendants(stage, 'LineFilter').map((filter) => {
    const op = filter.getChild('Filter')?.firstChild;
    const value = filter.getChild('String');
    const lineOp = op ? LINE_OPS[op.name] : undefined;
    if (!lineOp || !value) throw new LogqlStringError(`unsupported line filter ${text.slice(filter.from, filter.to)}`);
    return { op: lineOp, value: unquoteLogql(text.slice(value.from, value.to)), text: text.slice(filter.from, filter.to) };
  });
}

/** The stages of a `PipelineExpr`, left to right (the grammar nests them to the left). */
function stagesOf(pipeline: SyntaxNode | null): SyntaxNode[] {
  if (!pipeline) return [];
  return childrenOf(pipeline).flatMap((c) => (c.name === 'PipelineExpr' ? stagesOf(c) : c.name === 'PipelineStage' ? [c] : []));
}

/**
 * Every log pipeline of a parsed LogQL expression (`text` as parsed, Grafana's interval variables
 * already replaced): one per log query or range aggregation, with its selector's matchers.
 */
export function logPipelines(top: SyntaxNode, text: string): LogPipeline[] {
  const owners = [...descendants(top, 'LogRangeExpr'), ...descendants(top, 'LogExpr')];
  return owners.map((owner) => {
    const matchers = descendants(owner.getChild('Selector') ?? owner, 'Matcher').map((m) => matcherOf(m, text));
    const stages = stagesOf(owner.getChild('PipelineExpr'));
    return { matchers, stages, lineFilters: stages.flatMap((s) => lineFiltersOf(s, text)) };
  });
}

/** Whether a selector may select a stream with these labels; a Grafana variable (`$x`) may be anything. */
function mayMatch(matchers: readonly StreamMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => {
    const value = labels[m.name];
    if (value === undefined || m.value.includes('$')) return true;
    if (m.op === '=' || m.op === '!=') return (value === m.value) === (m.op === '=');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${m.value})$`);
    } catch {
      return true;
    }
    return re.test(value) === (m.op === '=~');
  });
}

/** A regex line filter anchored at the start of the line only sees what the program itself wrote there. */
const anchored = (filter: LineFilterStage): boolean => filter.op === '|~' && filter.value.startsWith('^');

function lineFilterProblems(pipelines: readonly LogPipeline[], embedding: readonly TextEmbeddingStream[]): LogqlProblem[] {
  return pipelines.flatMap((pipeline) => {
    const seen = embedding.filter((stream) => mayMatch(pipeline.matchers, stream.labels));
    if (seen.length === 0) return [];
    return pipeline.lineFilters
      .filter((f) => !anchored(f))
      .map((f) => ({
        kind: 'line-filter' as const,
        message: `line filter ${f.text} judges the whole line, and the selector reaches ${seen
          .map(
            (s) =>
              `{${Object.entries(s.labels)
                .map(([k, v]) => `${k}="${v}"`)
                .join(', ')}}, whose lines embed ${s.embeds}`,
          )
          .join(
            '; ',
          )}: select by parsed fields (| logfmt level, msg | level="error") or detected_level, or anchor a regex at the line start (|~ "^…")`,
      }));
  });
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
    return [
      {
        kind: 'syntax',
        message: `LogQL syntax error at character ${first + 1}, near "${near}": fix the expression ${JSON.stringify(expr)}`,
      },
    ];
  }
  const problems: LogqlProblem[] = [];
  try {
    problems.push(...lineFilterProblems(logPipelines(tree.topNode, text), known.embedding));
  } catch (error) {
    if (!(error instanceof LogqlStringError)) throw error;
    return [{ kind: 'syntax', message: `${error.message}: fix the expression ${JSON.stringify(expr)}` }];
  }
  const streamLabels = new Set(known.stream);
  const anyLabel = new Set([...known.stream, ...known.other]);
  for (const label of new Set(stream)) {
    if (!streamLabels.has(label))
      problems.push({
        kind: 'unknown-label',
        message: `stream selector matches label "${label}", which no log line carries (stream labels: ${known.stream.join(', ')})`,
      });
  }
  if (!extracts) {
    for (const label of new Set(used)) {
      if (!anyLabel.has(label))
        problems.push({
          kind: 'unknown-label',
          message: `label "${label}" is neither a stream label (${known.stream.join(', ')}) nor added by Loki, and no parser stage extracts it`,
        });
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

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  title?: string;
  targets?: Target[];
  panels?: Panel[];
  datasource?: { type?: string };
}
interface DashboardJson {
  title?: string;
  panels?: Panel[];
  templating?: { list?: { name?: string; type?: string; query?: unknown }[] };
}
interface RulesFile {
  groups?: { rules?: { title?: string; data?: { refId?: string; datasourceUid?: string; model?: { expr?: string } }[] }[] }[];
}

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
    if (match?.[2])
      queries.push({ file, where: `${name} variable "${variable.name ?? ''}"`, expr: match[1] ?? '', variableLabel: match[2] });
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
      throw new GrafanaContentError(`/data/${file}: does not parse as ${json ? 'JSON' : 'YAML'}: fix the generator that writes it`, {
        cause: error,
      });
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
    problems.push({
      kind: 'unknown-label',
      message: `lists values of label "${query.variableLabel}", which no log line carries (stream labels: ${known.stream.join(', ')})`,
    });
  }
  return problems;
}

/**
 * `grafana/logql-syntax`, `grafana/logql-unknown-label` and `grafana/logql-line-filter`: every query in every rendered ConfigMap of an app.
 */
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
        queryProblems(query, known).map((problem) => ({
          rule: `grafana/logql-${problem.kind}`,
          ...at,
          path: `/data/${query.file}`,
          message: `${query.where}: ${problem.message}`,
        })),
      );
    });
}
