import {
  StackingConfigBuilder,
  StackingMode,
  GraphDrawStyle,
  LogsSortOrder,
  LogsDedupStrategy,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { LOKI, lokiQuery } from './queries.ts';

/** A multi-value variable over one stream label's values, narrowed by the variables before it. */
function labelVariable(label: string, title: string, selector?: string): QueryVariableBuilder {
  return (
    new QueryVariableBuilder(label)
      .label(title)
      .datasource(LOKI)
      .query(selector ? `label_values(${selector}, ${label})` : `label_values(${label})`)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      // Loki refuses a selector whose every matcher matches the empty string, so "All" is `.+`.
      .allValue('.+')
  );
}

const SELECTED = '{namespace=~"$namespace", pod=~"$pod", container=~"$container"}';

/** A full-width panel of stacked bars: line counts over time, one series per legend value. */
function stackedBars(title: string, question: string, expr: string, legend: string): TimeSeriesPanel {
  return new TimeSeriesPanel()
    .title(title)
    .description(question)
    .datasource(LOKI)
    .withTarget(lokiQuery('A', expr, legend))
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
    .unit('short')
    .span(12)
    .height(8);
}

/** Everything the cluster's pods log, narrowed by namespace, pod and container. */
export function clusterLogsDashboard(): Dashboard {
  return new DashboardBuilder('Cluster logs')
    .uid('cluster-logs')
    .description('Logs of every pod in the cluster, as Alloy ships them to Loki.')
    .tags(['logs', 'loki'])
    .readonly()
    .time({ from: 'now-1h', to: 'now' })
    .refresh('1m')
    .withVariable(labelVariable('namespace', 'Namespace'))
    .withVariable(labelVariable('pod', 'Pod', '{namespace=~"$namespace"}'))
    .withVariable(labelVariable('container', 'Container', '{namespace=~"$namespace", pod=~"$pod"}'))
    .withPanel(
      stackedBars(
        'Log volume by namespace and level',
        'Which namespaces are logging, how much, and at what level (as Loki detected it)?',
        `sum by (namespace, detected_level) (count_over_time(${SELECTED} [$__auto]))`,
        '{{namespace}} {{detected_level}}',
      ),
    )
    .withPanel(
      stackedBars(
        'Error lines by namespace',
        'Which namespaces are logging errors right now, whatever their log format?',
        `sum by (namespace) (count_over_time(${SELECTED} | detected_level=~"error|critical|fatal" [$__auto]))`,
        '{{namespace}}',
      ),
    )
    .withPanel(
      new LogsPanel()
        .title('Logs')
        .description('What exactly did the selected pods and containers log?')
        .datasource(LOKI)
        .withTarget(lokiQuery('A', SELECTED).maxLines(1000))
        .showTime(true)
        .showLabels(false)
        .wrapLogMessage(true)
        .enableLogDetails(true)
        .sortOrder(LogsSortOrder.Descending)
        .dedupStrategy(LogsDedupStrategy.None)
        .span(24)
        .height(16),
    )
    .build();
}
