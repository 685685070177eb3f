import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { LOKI, lokiQuery, stackLogs } from './queries.ts';

/** A bar chart of one LogQL metric query, with the question it answers. */
function bars(title: string, question: string, expr: string, legendFormat: string): TimeSeriesPanel {
  return new TimeSeriesPanel()
    .title(title)
    .description(question)
    .datasource(LOKI)
    .withTarget(lokiQuery('A', expr, legendFormat))
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(80)
    .unit('short')
    .span(12)
    .height(8);
}

/** Loki, Alloy and MinIO judged by their own logs: the stack watching itself. */
export function stackHealthDashboard(): Dashboard {
  const lokiErrors = `${stackLogs('loki')} |= "level=error"`;
  return new DashboardBuilder('Stack health')
    .uid('stack-health')
    .description('The logging stack from its own logs: Loki ingestion and queries, Alloy shipping, MinIO storage.')
    .tags(['logs', 'loki', 'alloy', 'minio'])
    .readonly()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withPanel(
      bars(
        'Loki ingestion errors',
        'Is Loki failing to accept or flush the logs Alloy pushes?',
        `sum by (pod) (count_over_time(${lokiErrors} |~ "(?i)(push|distributor|ingester|flush)" [$__auto]))`,
        '{{pod}}',
      ),
    )
    .withPanel(
      bars(
        'Loki query errors',
        'Are Grafana\'s queries failing inside Loki?',
        `sum by (pod) (count_over_time(${lokiErrors} |~ "(?i)(query|querier|frontend|scheduler)" [$__auto]))`,
        '{{pod}}',
      ),
    )
    .withPanel(
      bars(
        'Alloy targets per node',
        'How many containers is each node\'s Alloy shipping logs for?',
        'count by (node) (sum by (node, namespace, pod, container) (count_over_time({node=~".+"} [$__auto])))',
        '{{node}}',
      ),
    )
    .withPanel(
      bars(
        'Alloy dropped lines',
        'Is Alloy giving up on batches it could not push (lines lost)?',
        `sum by (pod) (count_over_time(${stackLogs('alloy')} |= "final error sending batch" [$__auto]))`,
        '{{pod}}',
      ),
    )
    .withPanel(
      bars(
        'MinIO errors',
        'Is the object store behind Loki failing requests?',
        `sum by (pod) (count_over_time(${stackLogs('minio')} |~ "(?i)error" [$__auto]))`,
        '{{pod}}',
      ),
    )
    .build();
}
