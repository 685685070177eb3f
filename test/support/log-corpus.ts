/** test/fixtures/logs/: the log corpus and the exported queries, read and expanded as its README's contract says. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Labels } from './logql-pipeline.ts';

/** test/fixtures/logs/corpus.yaml: real-format log lines of the pinned Loki, Alloy and MinIO (see its header). */
export interface Corpus {
  streams: Record<string, Labels>;
  everyLine: string[];
  lines: { id: string; stream: string; source: string; line: string; seenBy: string[] }[];
  perQuery: { id: string; stream: string; source: string; line: string }[];
}

export function readCorpus(): Corpus {
  return parse(readFileSync(new URL('../fixtures/logs/corpus.yaml', import.meta.url), 'utf8')) as Corpus;
}

/** test/fixtures/logs/queries.json: every rule and panel query, by where it is. */
export function readQueries(): Record<string, string> {
  return JSON.parse(readFileSync(new URL('../fixtures/logs/queries.json', import.meta.url), 'utf8')) as Record<string, string>;
}

/** A value as go-kit's logfmt encoder writes it (go-logfmt encode.go:235-249, jsonstring.go:37-90), for ASCII text. */
export function logfmtValue(value: string): string {
  if (value !== '' && !/[\x00-\x20="\x7f]/.test(value)) return value;
  const escaped = value.replace(/[\\"\n\r\t]|[\x00-\x1f\x7f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${escaped}"`;
}

export interface CorpusLine {
  id: string;
  labels: Labels;
  line: string;
  seenBy: string[];
}

/** Every corpus line with its stream labels; each `perQuery` line once per query, that query's text logfmt-quoted in place. */
export function corpusLines(corpus: Corpus, queries: readonly { where: string; expr: string }[]): CorpusLine[] {
  return [
    ...corpus.lines.map((l) => ({ id: l.id, labels: corpus.streams[l.stream] ?? {}, line: l.line, seenBy: l.seenBy })),
    ...corpus.perQuery.flatMap((template) =>
      queries.map((q) => ({
        id: `${template.id} for ${q.where}`,
        labels: corpus.streams[template.stream] ?? {},
        line: template.line.replace('{{query}}', logfmtValue(q.expr)),
        seenBy: [] as string[],
      })),
    ),
  ];
}
