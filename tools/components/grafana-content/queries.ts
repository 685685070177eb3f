import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import { NAMESPACE } from '../common.ts';

export const LOKI_DATASOURCE_UID = 'loki';

/** The provisioned Loki datasource, by uid: dashboards and rules never depend on its display name. */
export const LOKI: DataSourceRef = { type: 'loki', uid: LOKI_DATASOURCE_UID };

/** A stream selector for one of the stack's own containers. */
export function stackLogs(container: string): string {
  return `{namespace="${NAMESPACE}", container="${container}"}`;
}

/** A Loki range query for a panel, against the provisioned datasource. */
export function lokiQuery(refId: string, expr: string, legendFormat?: string): DataqueryBuilder {
  const query = new DataqueryBuilder().refId(refId).datasource(LOKI).expr(expr).queryType('range');
  return legendFormat ? query.legendFormat(legendFormat) : query;
}
