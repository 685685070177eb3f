import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import { NAMESPACE } from '../../catalog/names.ts';

export const LOKI_DATASOURCE_UID = 'loki';

/** The provisioned Loki datasource, by uid: dashboards and rules never depend on its display name. */
export const LOKI: DataSourceRef = { type: 'loki', uid: LOKI_DATASOURCE_UID };

/** A stream selector for one of the stack's own containers. */
function stackLogs(container: string): string {
  return `{namespace="${NAMESPACE}", container="${container}"}`;
}

/** A Loki range query for a panel, against the provisioned datasource. */
export function lokiQuery(refId: string, expr: string, legendFormat?: string): DataqueryBuilder {
  const query = new DataqueryBuilder().refId(refId).datasource(LOKI).expr(expr).queryType('range');
  return legendFormat ? query.legendFormat(legendFormat) : query;
}

const lokiLines = stackLogs('loki');

/**
 * The pipelines that pick the stack's failure lines, each by the fields upstream writes
 * (`| logfmt …` and label filters on them), never by a substring of the whole line.
 * Rules and panels share them, so a dashboard shows what an alert counts.
 */
export const FAILURES = {
  /**
   * Any Loki error whose `err` is an S3 call that failed: aws-sdk-go-v2 formats it
   * `operation error S3: <Operation>, …` (vendor/github.com/aws/smithy-go/errors.go:60 in
   * grafana/loki v3.7.6), e.g. the ingester's `failed to flush` (pkg/ingester/flush.go:262), the
   * compactor's `failed to run compaction` (pkg/compactor/tables_manager.go:101).
   */
  lokiObjectStore: `${lokiLines} | logfmt level, err | level="error" | err=~".*operation error S3.*"`,
  /** The compactor's failed runs: pkg/compactor/tables_manager.go:87/101 (compaction) and :114/124 (retention), grafana/loki v3.7.6. */
  lokiCompactor: `${lokiLines} | logfmt level, msg | level="error" | msg=~"failed to run compaction|failed to apply retention"`,
  /**
   * Pushes answered 5xx, from dskit's HTTP middleware: `POST <uri> (<status>) <duration> Response: …` at warn
   * (vendor/github.com/grafana/dskit/middleware/logging.go:144). 502 and 503 are logged at debug there: not seen.
   */
  lokiPush5xx: `${lokiLines} | logfmt level, msg | level="warn" | msg=~"POST /loki/api/v1/push [(]5[0-9][0-9][)] .*"`,
  /** The ingester giving up on a flush (pkg/ingester/flush.go:240, after its retries) or one failed attempt (:262). */
  lokiFlush: `${lokiLines} | logfmt level, msg | level="error" | msg="failed to flush"`,
  /**
   * Queries a querier ran and failed: its stats line (pkg/logql/metrics.go:285, called from
   * pkg/logql/engine.go:298 with the error's HTTP status). Only these lines carry `latency`.
   * The frontend's stats line is written only for answers without error (pkg/querier/queryrange/stats.go:137).
   */
  lokiQuery5xx: `${lokiLines} | logfmt latency, status | latency=~"fast|slow" | status=~"5[0-9][0-9]"`,
  /** Query requests answered 5xx (except 502 and 503), from the same middleware line as pushes. */
  lokiQueryHttp5xx: `${lokiLines} | logfmt level, msg | level="warn" | msg=~"(GET|POST) /loki/api/v1/query(_range)?([?][^ ]*)? [(]5[0-9][0-9][)] .*"`,
  /** Alloy dropping a batch after its retries: internal/component/common/loki/client/shards.go:462, grafana/alloy v1.18.1. */
  alloyDroppedBatch: `${stackLogs('alloy')} | logfmt msg, status | msg="final error sending batch, no retries left, dropping data"`,
  /**
   * The one `Error: ` line MinIO prints per logged error (internal/logger/target/console/console.go:147); the other lines
   * of the entry (API, Time, DeploymentID, RequestID, stack frames) are separate Loki lines and not counted.
   */
  minioError: `${stackLogs('minio')} |~ "^Error: "`,
} as const;
