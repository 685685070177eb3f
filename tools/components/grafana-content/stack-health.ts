import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { FAILURES, LOKI, lokiQuery } from './queries.ts';

/** One series of a panel: a LogQL metric query and its legend. */
type Series = readonly [expr: string, legendFormat: string];

/** A bar chart of LogQL metric queries (targets A, B, …), with the question it answers. */
function bars(title: string, question: string, ...series: Series[]): TimeSeriesPanel {
  const panel = new TimeSeriesPanel().title(title).description(question).datasource(LOKI);
  series.forEach(([expr, legend], i) => panel.withTarget(lokiQuery(String.fromCharCode(65 + i), expr, legend)));
  return panel.drawStyle(GraphDrawStyle.Bars).fillOpacity(80).unit('short').span(12).height(8);
}

/** Per pod, how many lines of a pipeline in each interval. */
const perPod = (pipeline: string): string => `sum by (pod) (count_over_time(${pipeline} [$__auto]))`;

/** Loki, Alloy and MinIO judged by their own logs: the stack watching itself. */
export function stackHealthDashboard(): Dashboard {
  return new DashboardBuilder('Stack health')
    .uid('stack-health')
    .description('The logging stack from its own logs: Loki ingestion, storage and queries, Alloy shipping, MinIO storage.')
    .tags(['logs', 'loki', 'alloy', 'minio'])
    .readonly()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withPanel(
      bars(
        'Loki ingestion errors',
        'Is Loki refusing pushes with a server error (5xx; 502 and 503 are not logged) or failing to flush chunks to storage?',
        [perPod(FAILURES.lokiPush5xx), '{{pod}} push 5xx'],
        [perPod(FAILURES.lokiFlush), '{{pod}} flush failed'],
      ),
    )
    .withPanel(
      bars(
        'Loki object storage errors',
        'Is Loki failing S3 calls to its object store (flushes, index, compactor)? MinIO does not log failed requests: this is where they show.',
        [perPod(FAILURES.lokiObjectStore), '{{pod}}'],
      ),
    )
    .withPanel(
      bars(
        'Loki query errors',
        'Are queries failing inside Loki? Failed query executions on queriers, and query requests answered 5xx.',
        [perPod(FAILURES.lokiQuery5xx), '{{pod}} query failed'],
        [perPod(FAILURES.lokiQueryHttp5xx), '{{pod}} HTTP 5xx'],
      ),
    )
    .withPanel(
      bars('Loki compactor failures', 'Did a compaction (every 10 minutes) or retention run (every 15 minutes) fail?', [
        perPod(FAILURES.lokiCompactor),
        '{{pod}}',
      ]),
    )
    .withPanel(
      bars('Alloy targets per node', "How many containers is each node's Alloy shipping logs for?", [
        'count by (node) (sum by (node, namespace, pod, container) (count_over_time({node=~".+"} [$__auto])))',
        '{{node}}',
      ]),
    )
    .withPanel(
      bars(
        'Alloy dropped batches by HTTP status',
        'Is Alloy dropping batches it could not push (lines lost), and what did Loki answer (0: no answer)?',
        [`sum by (pod, status) (count_over_time(${FAILURES.alloyDroppedBatch} [$__auto]))`, '{{pod}} HTTP {{status}}'],
      ),
    )
    .withPanel(
      // MinIO answers S3 errors without logging them (minio/minio RELEASE.2025-09-07T16-13-09Z cmd/api-response.go:951 writeErrorResponse).
      bars(
        'MinIO internal and drive errors',
        'Is MinIO logging internal or drive errors (one count per error)? MinIO does not log the S3 requests it answers with an error: see Loki object storage errors.',
        [perPod(FAILURES.minioError), '{{pod}}'],
      ),
    )
    .build();
}
