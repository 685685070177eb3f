/**
 * Loki's own LogQL code decides (test/fixtures/logs/README.md's contract): every rule's and panel's
 * query parsed by syntax.ParseExpr, and the pipeline of each of its log selectors (metric ranges,
 * both sides of a binary operation and `offset` included) run over the corpus with the stream labels
 * Alloy attaches and the detected_level Loki's distributor adds. Each query keeps exactly the lines
 * that name it, and each grouping label is set on every line it keeps.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../../tools/upstream/programs.ts';
import { corpusLines, readCorpus, readQueries } from '../support/log-corpus.ts';
import { substituteGrafana } from '../support/logql-pipeline.ts';
import { BIN_DIR } from './support/programs.ts';

const LOKI = join(BIN_DIR, 'loki');

interface LogqlResponse {
  detectedLevel: Record<string, string>;
  queries: Record<string, { error?: string; selectors: number; groupBy: string[]; kept: { id: string; labels: Record<string, string> }[] }>;
}

/** Runs `loki logql` (test/upstream/loki/logql.go) over the queries (Grafana's variables substituted) and lines. */
async function runLogql(queries: Record<string, string>, lines: readonly { id: string; labels: Record<string, string>; line: string }[]): Promise<LogqlResponse> {
  const request = { queries: Object.fromEntries(Object.entries(queries).map(([where, expr]) => [where, substituteGrafana(expr)])), lines };
  const run = await runProgram(LOKI, ['logql'], { stdin: JSON.stringify(request), env: {} });
  if (run.code !== 0) throw new Error(`loki logql failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as LogqlResponse;
}

const corpus = readCorpus();
const queries = readQueries();
const lines = corpusLines(
  corpus,
  Object.entries(queries).map(([where, expr]) => ({ where, expr })),
);
const response = await runLogql(queries, lines);

describe("every rule and panel query, run by Loki's own LogQL code over the log corpus", () => {
  it('covers every query the corpus names', () => {
    expect(Object.keys(response.queries).sort()).toEqual(Object.keys(queries).sort());
  });

  for (const where of Object.keys(queries)) {
    it(`${where} parses and keeps exactly the lines it names, its grouping labels set on each`, () => {
      const result = response.queries[where];
      expect(result?.error).toBeUndefined();
      expect(result?.selectors).toBeGreaterThan(0);
      const expected = lines.filter((l) => corpus.everyLine.includes(where) || l.seenBy.includes(where)).map((l) => l.id);
      expect(result?.kept.map((k) => k.id)).toEqual(expected);
      for (const kept of result?.kept ?? []) for (const label of result?.groupBy ?? []) expect(kept.labels[label], `${kept.id}: ${label}`).toBeTruthy();
    });
  }

  it("Loki's distributor gives every Loki, Alloy and MinIO line the level the corpus stream implies", () => {
    // a JSON line with a level field: Alloy's stage.json label; logfmt lines: their level field
    expect(response.detectedLevel['shop-json-error']).toBe('error');
    expect(response.detectedLevel['loki-compaction-failed']).toBe('error');
    expect(response.detectedLevel['shop-logfmt-info-mentions-error']).toBe('info');
  });

  it("the storage rule as it was matches its own query-stats line (Loki's engine agrees with the issue)", async () => {
    // GIVEN the rule before it selected by parsed fields, and the stats line Loki prints when it runs it
    const before = 'sum by (pod) (count_over_time({namespace="observability", container="loki"} |= "level=error" |~ "(?i)(s3|bucket|object ?store|compactor|retention)" [5m]))';
    const own = corpusLines({ ...corpus, lines: [] }, [{ where: 'before', expr: before }]);
    // WHEN Loki runs it over that line and the failed compaction
    const compaction = lines.find((l) => l.id === 'loki-compaction-failed');
    const result = await runLogql({ before }, [...own, ...(compaction ? [compaction] : [])]);
    // THEN it keeps its own stats lines and misses the compaction failure
    expect(result.queries['before']?.kept.map((k) => k.id)).toEqual(own.map((l) => l.id));
  });
});
