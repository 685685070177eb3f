import { describe, expect, it } from 'vitest';
import { prod } from '../../../tools/catalog/environments.ts';
import { grafana } from '../../../tools/components/grafana.ts';
import { grafanaQueries } from '../../../tools/validate/logql.ts';
import { compileQuery } from '../../support/logql-pipeline.ts';
import { corpusLines, logfmtValue, readCorpus } from '../../support/log-corpus.ts';

const corpus = readCorpus();

// GIVEN every rule and panel query as prod's Grafana provisions them (variables list label values: not pipelines)
const queries = grafana(prod)
  .filter((o) => o.kind === 'ConfigMap')
  .flatMap((c) => grafanaQueries(c))
  .filter((q) => q.variableLabel === undefined);
const byWhere = new Map(queries.map((q) => [q.where, q.expr]));

// AND every corpus line, the per-query lines printed once per query with that query's own text
const lines = corpusLines(corpus, queries);

describe('the log corpus', () => {
  it('lists every rule and panel query in queries.json', async () => {
    const listing = Object.fromEntries(byWhere);
    await expect(`${JSON.stringify(listing, null, 2)}\n`).toMatchFileSnapshot('../../fixtures/logs/queries.json');
  });

  it('is well formed: known streams, pinned sources, ASCII lines, names of real queries, a failure line for every detecting query', () => {
    const ids = corpus.lines.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const l of [...corpus.lines, ...corpus.perQuery]) {
      expect(corpus.streams[l.stream], l.id).toBeDefined();
      expect(l.source, l.id).toMatch(
        /^(grafana\/loki v3\.7\.6|grafana\/alloy v1\.18\.1|minio\/minio RELEASE\.2025-09-07T16-13-09Z|an application)/,
      );
      expect(l.line, l.id).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(corpus.perQuery.every((t) => t.line.includes('query={{query}}'))).toBe(true);
    const named = [...corpus.everyLine, ...corpus.lines.flatMap((l) => l.seenBy)];
    expect(named.filter((n) => !byWhere.has(n))).toEqual([]);
    expect([...byWhere.keys()].filter((w) => !named.includes(w))).toEqual([]);
  });
});

describe("Node-side check of every query's log pipeline on the corpus (the check: Loki's AGPL engine is not used)", () => {
  for (const [where, expr] of byWhere) {
    it(`${where} keeps exactly the lines it names`, () => {
      // WHEN the query's log pipelines run over every line with the stream labels Alloy attaches
      const keep = compileQuery(expr);
      const kept = lines.filter((l) => keep(l.labels, l.line)).map((l) => l.id);
      // THEN it keeps every line that names it (all, for a query over streams) and nothing else: not its own query-stats line
      const expected = lines.filter((l) => corpus.everyLine.includes(where) || l.seenBy.includes(where)).map((l) => l.id);
      expect(kept).toEqual(expected);
    });
  }

  it('the queries as they were keep their own query-stats line, and miss what they name', () => {
    // GIVEN the storage rule and the ingestion panel before they selected by parsed fields
    const stackLoki = '{namespace="observability", container="loki"}';
    const before = {
      storage: `sum by (pod) (count_over_time(${stackLoki} |= "level=error" |~ "(?i)(s3|bucket|object ?store|compactor|retention)" [5m]))`,
      ingestion: `sum by (pod) (count_over_time(${stackLoki} |= "level=error" |~ "(?i)(push|distributor|ingester|flush)" [1m]))`,
    };
    const template = corpus.perQuery[0];
    if (!template) throw new Error('no per-query line in the corpus');
    const ownLine = (expr: string): string => template.line.replace('{{query}}', logfmtValue(expr));
    const labels = corpus.streams[template.stream] ?? {};
    // WHEN each runs over the stats line Loki prints for its own evaluation
    // THEN it keeps it: the rule fired on itself every minute
    expect(compileQuery(before.storage)(labels, ownLine(before.storage))).toBe(true);
    expect(compileQuery(before.ingestion)(labels, ownLine(before.ingestion))).toBe(true);
    // AND a failed compaction run and a push answered 500 were not in what they kept
    const line = (id: string) => corpus.lines.find((l) => l.id === id);
    const compaction = line('loki-compaction-failed');
    const push = line('loki-push-500');
    expect(compaction && compileQuery(before.storage)(corpus.streams[compaction.stream] ?? {}, compaction.line)).toBe(false);
    expect(push && compileQuery(before.ingestion)(corpus.streams[push.stream] ?? {}, push.line)).toBe(false);
  });
});
