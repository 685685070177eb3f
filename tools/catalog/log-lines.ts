import { NAMESPACE } from './names.ts';

/**
 * The stack's containers whose log lines carry text they did not compose, so a substring of the
 * whole line says nothing about the line's own level or message: select their lines by parsed
 * fields instead (`tools/validate/logql.ts`, rule `grafana/logql-line-filter`).
 */
export const TEXT_EMBEDDING_STREAMS: readonly { labels: Readonly<Record<string, string>>; embeds: string }[] = [
  // grafana/loki v3.7.6 pkg/logql/metrics.go:166 logs every query it runs at info (`query="…"`);
  // vendor/github.com/grafana/dskit/middleware/logging.go:144 logs 5xx response bodies and request URIs.
  { labels: { namespace: NAMESPACE, container: 'loki' }, embeds: 'the text of every query it runs (query="…") and HTTP response bodies' },
  // grafana/alloy v1.18.1 internal/component/common/loki/client/shards.go:534 puts Loki's response line into `error`.
  { labels: { namespace: NAMESPACE, container: 'alloy' }, embeds: "Loki's responses to its pushes" },
  // minio/minio RELEASE.2025-09-07T16-13-09Z internal/logger/target/console/console.go:147 prints error texts, bucket and object names.
  { labels: { namespace: NAMESPACE, container: 'minio' }, embeds: 'error texts, bucket and object names' },
];
