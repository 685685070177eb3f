import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { dev } from '../../tools/catalog/environments.ts';
import { alloyConfig } from '../../tools/components/alloy.ts';
import { ALLOY_STREAM_LABELS } from '../../tools/catalog/names.ts';
import { TEXT_EMBEDDING_STREAMS } from '../../tools/catalog/log-lines.ts';
import type { RenderedTree } from '../../tools/render/tree.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import { validateTree } from '../../tools/validate/index.ts';
import { checkLogql, grafanaQueries, queryProblems, LOKI_ADDED_LABELS, type KnownLabels } from '../../tools/validate/logql.ts';
import { renderCommitted } from '../support/repo.ts';

const known: KnownLabels = { stream: ALLOY_STREAM_LABELS, other: LOKI_ADDED_LABELS, embedding: TEXT_EMBEDDING_STREAMS };

describe('checkLogql', () => {
  it('accepts a metric query over Alloy labels with a Grafana interval variable', () => {
    // GIVEN a query as a dashboard panel writes it
    const expr = 'sum by (namespace, level) (count_over_time({namespace="shop", pod=~"$pod"} |= "boom" [$__auto]))';
    // WHEN it is checked / THEN nothing is wrong
    expect(checkLogql(expr, known)).toEqual([]);
  });

  it('reports a syntax error with its position', () => {
    // GIVEN an aggregation missing its closing parenthesis
    const problems = checkLogql('sum(rate({namespace="a"}[5m])', known);
    // THEN one syntax problem, naming where the parser gave up
    expect(problems).toHaveLength(1);
    expect(problems[0]?.kind).toBe('syntax');
    expect(problems[0]?.message).toMatch(/^LogQL syntax error at character \d+/);
  });

  it('reports a stream selector on a label Alloy never writes', () => {
    // GIVEN a selector on `app`, which Alloy's relabel rules do not set
    const problems = checkLogql('{app="grafana"}', known);
    // THEN the label is named
    expect(problems.map((p) => p.kind)).toEqual(['unknown-label']);
    expect(problems[0]?.message).toContain('label "app"');
  });

  it("accepts Loki's detected_level as a filter but not as a stream label", () => {
    // WHEN the structured metadata is used after the selector, and then inside it
    const filter = checkLogql('{namespace="a"} | detected_level="error"', known);
    const selector = checkLogql('{detected_level="error"}', known);
    // THEN only the selector is wrong
    expect(filter).toEqual([]);
    expect(selector.map((p) => p.message)).toEqual([expect.stringContaining('label "detected_level"')]);
  });

  it('judges groupings and filters on unknown labels unless a parser stage extracted them', () => {
    // GIVEN the same label used without and with a logfmt parser
    const bare = checkLogql('sum by (caller) (count_over_time({namespace="a"} | component="x" [5m]))', known);
    const parsed = checkLogql('sum by (caller) (count_over_time({namespace="a"} | logfmt | component="x" [5m]))', known);
    // THEN only the bare query is reported, for both labels
    expect(bare.map((p) => p.message)).toEqual([expect.stringContaining('label "caller"'), expect.stringContaining('label "component"')]);
    expect(parsed).toEqual([]);
  });
});

describe('the whole-line filter gate', () => {
  const lineFilter = (expr: string): string[] =>
    checkLogql(expr, known)
      .filter((p) => p.kind === 'line-filter')
      .map((p) => p.message);

  it("reports substring filters on Loki's lines, which embed every query Loki runs", () => {
    // GIVEN the storage rule as it was: it matched its own query in Loki's query-stats line
    const problems = lineFilter(
      'sum by (pod) (count_over_time({namespace="observability", container="loki"} |= "level=error" |~ "(?i)(s3|bucket)" [5m]))',
    );
    // THEN both filters are reported, naming the stream and what it embeds
    expect(problems).toEqual([
      expect.stringMatching(
        /^line filter \|= "level=error" judges the whole line, and the selector reaches \{namespace="observability", container="loki"\}, whose lines embed the text of every query it runs/,
      ),
      expect.stringMatching(/^line filter \|~ "\(\?i\)\(s3\|bucket\)" judges the whole line/),
    ]);
  });

  it('reports a filter on a selector that may reach the stack through a variable or a regex', () => {
    // WHEN the selector is a dashboard variable, or a regex matching the stack's namespace
    // THEN both may select Loki's or Alloy's lines, and are reported
    expect(lineFilter('{namespace=~"$namespace"} != "debug"')).toHaveLength(1);
    expect(lineFilter('{namespace=~"obs.*", container=~"alloy|minio"} |= "error"')).toEqual([expect.stringContaining('container="alloy"')]);
  });

  it('accepts parsed fields, a regex anchored at the line start, and selectors that cannot reach the stack', () => {
    // GIVEN the queries this repository uses, and one on an application namespace
    const accepted = [
      '{namespace="observability", container="loki"} | logfmt level, msg | level="error" | msg="failed to flush"',
      '{namespace="observability", container="minio"} |~ "^Error: "',
      '{namespace="shop"} |= "timeout"',
      '{namespace="observability", container="bucket-setup"} |= "x"',
    ];
    // THEN none is reported
    for (const expr of accepted) expect(lineFilter(expr), expr).toEqual([]);
  });
});

describe('the labels Alloy sets', () => {
  it("are exactly what the rendered Alloy config writes: its relabel targets, its stage.labels, stage.cri's stream and loki.source.file's filename", () => {
    // GIVEN the Alloy configuration as generated
    const config = alloyConfig(dev);
    // WHEN the labels it sets are read from it: relabel targets (not the __ labels Alloy drops), stage.labels keys,
    // and the labels its stages add (grafana/alloy v1.18.1: stages/cri.go:121 `stream`, source/file/tailer.go:66 `filename`)
    const relabelled = [...config.matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1] ?? '').filter((l) => !l.startsWith('__'));
    const staged = [...config.matchAll(/stage\.labels\s*\{\s*values\s*=\s*\{([^}]*)\}/g)].flatMap((m) =>
      [...(m[1] ?? '').matchAll(/(\w+)\s*=/g)].map((k) => k[1] ?? ''),
    );
    const byStages = [
      ...(config.includes('stage.cri {') ? ['stream'] : []),
      ...(config.includes('loki.source.file "') ? ['filename'] : []),
    ];
    // THEN the list the LogQL gate uses is that set
    expect([...ALLOY_STREAM_LABELS].sort()).toEqual([...relabelled, ...staged, ...byStages].sort());
  });
});

describe('queryProblems', () => {
  it('reports a label_values variable over a label nobody writes, and checks its selector', () => {
    // GIVEN a variable listing `app` values under a selector on `team`
    const problems = queryProblems(
      { file: 'd.json', where: 'dashboard "D" variable "app"', expr: '{team="a"}', variableLabel: 'app' },
      known,
    );
    // THEN both labels are reported
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('label "team"'), expect.stringContaining('label "app"')]);
  });
});

describe('Grafana content as rendered', async () => {
  // GIVEN every committed overlay rendered by kustomize
  const committed = await renderCommitted();
  const grafanaMaps = committed.apps
    .filter((a) => a.component === 'grafana')
    .flatMap((a) => a.objects.filter((o) => o.kind === 'ConfigMap'));

  it('every dashboard, variable and alert rule query parses and names only labels Alloy or Loki write', () => {
    // WHEN every query is pulled from the rendered ConfigMaps
    const queries = grafanaMaps.flatMap((c) => grafanaQueries(c));
    // THEN both dashboards' panels, the variables and all alert rules are found, and none has a problem
    const where = new Set(queries.map((q) => q.where));
    expect(where).toContain('dashboard "Cluster logs" panel "Log volume by namespace and level" query A');
    expect(where).toContain('dashboard "Cluster logs" variable "container"');
    expect(where).toContain('dashboard "Stack health" panel "MinIO internal and drive errors" query A');
    expect(where).toContain('alert rule "LokiStorageErrors" query A');
    expect(queries.length).toBeGreaterThanOrEqual(2 * (3 + 3 + 9 + 4));
    for (const query of queries) expect(queryProblems(query, known), `${query.where}: ${query.expr}`).toEqual([]);
  });

  const mutate = (configMap: string, file: string, edit: (text: string) => string): RenderedTree => {
    const tree = structuredClone(committed);
    const found = tree.apps
      .find((a) => a.env === 'dev' && a.component === 'grafana')
      ?.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configMap);
    const data = found?.['data'] as Record<string, string> | undefined;
    if (!data?.[file]) throw new Error(`no ${file} in ConfigMap ${configMap}`);
    data[file] = edit(data[file]);
    return tree;
  };
  const errors = (tree: RenderedTree): string[] =>
    validateTree(tree, catalog)
      .findings.filter((f) => f.severity === 'error')
      .map(formatFinding);

  it('a panel query with a syntax error fails check, naming dashboard, panel and query', () => {
    // GIVEN the cluster logs dashboard with an unbalanced parenthesis in one panel
    const tree = mutate('grafana-dashboards-logs', 'cluster-logs.json', (text) =>
      text.replace('"sum by (namespace) (count_over_time(', '"sum by (namespace) ((count_over_time('),
    );
    // WHEN the gates run / THEN exactly that query is an error
    expect(errors(tree)).toEqual([
      expect.stringMatching(
        /^error grafana\/logql-syntax: dev\/grafana ConfigMap observability\/grafana-dashboards-logs \/data\/cluster-logs\.json: dashboard "Cluster logs" panel "Error lines by namespace" query A: LogQL syntax error at character \d+/,
      ),
    ]);
  });

  it('a panel query on a label nobody writes fails check, naming dashboard, panel and query', () => {
    // GIVEN the stack health dashboard selecting on `app` instead of `container`
    const tree = mutate('grafana-dashboards-stack', 'stack-health.json', (text) =>
      text.replace('container=\\"minio\\"', 'app=\\"minio\\"'),
    );
    // WHEN the gates run / THEN the label, dashboard, panel and query are named
    expect(errors(tree)).toEqual([
      'error grafana/logql-unknown-label: dev/grafana ConfigMap observability/grafana-dashboards-stack /data/stack-health.json: dashboard "Stack health" panel "MinIO internal and drive errors" query A: stream selector matches label "app", which no log line carries (stream labels: namespace, pod, container, node, level, stream, filename)',
    ]);
  });

  it('a dashboard file that is not JSON fails check, naming the file', () => {
    // GIVEN the stack health dashboard cut in half
    const tree = mutate('grafana-dashboards-stack', 'stack-health.json', (text) => text.slice(0, text.length / 2));
    // WHEN the gates run / THEN the ConfigMap and file are named
    expect(errors(tree)).toEqual([
      expect.stringMatching(
        /^error grafana\/unreadable-file: dev\/grafana ConfigMap observability\/grafana-dashboards-stack: \/data\/stack-health\.json: does not parse as JSON/,
      ),
    ]);
  });

  it("a whole-line filter on MinIO's lines fails check, naming dashboard, panel and query", () => {
    // GIVEN the MinIO panel counting every line that contains "error", stack frames included
    const tree = mutate('grafana-dashboards-stack', 'stack-health.json', (text) => text.replace('|~ \\"^Error: \\"', '|~ \\"(?i)error\\"'));
    // WHEN the gates run / THEN exactly that query is an error
    expect(errors(tree)).toEqual([
      expect.stringMatching(
        /^error grafana\/logql-line-filter: dev\/grafana ConfigMap observability\/grafana-dashboards-stack \/data\/stack-health\.json: dashboard "Stack health" panel "MinIO internal and drive errors" query A: line filter \|~ "\(\?i\)error" judges the whole line/,
      ),
    ]);
  });

  it('an alert rule on an unknown label fails check, naming the rule and query', () => {
    // GIVEN the error-rate rule grouping by `service`
    const tree = mutate('grafana-alerting', 'rules.yaml', (text) => text.replace('sum by (namespace) (rate(', 'sum by (service) (rate('));
    // WHEN the gates run / THEN the rule is named
    expect(errors(tree)).toEqual([
      expect.stringContaining('/data/rules.yaml: alert rule "NamespaceErrorRate" query A: label "service" is neither a stream label'),
    ]);
  });
});
