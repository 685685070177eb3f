import { ContactPointBuilder, NotificationPolicyBuilder, QueryBuilder, RuleBuilder, type Rule } from '@grafana/grafana-foundation-sdk/alerting';
import { TypeReduceBuilder, TypeThresholdBuilder } from '@grafana/grafana-foundation-sdk/expr';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import type { Environment } from '../../catalog/types.ts';
import { toYaml } from '../../yaml.ts';
import { LOKI, LOKI_DATASOURCE_UID, stackLogs } from './queries.ts';

/** The Grafana folder and rule group the stack's alert rules live in. */
export const ALERT_FOLDER = 'Observability stack';
const RULE_GROUP = 'observability-stack';

/** The environment variable the prod contact point's webhook URL reaches Grafana through (never written in git). */
export const WEBHOOK_URL_ENV = 'ALERT_WEBHOOK_URL';

const EXPRESSIONS = '__expr__';

interface RuleSpec {
  uid: string;
  title: string;
  expr: string;
  /** Seconds of history the Loki query sees. */
  window: number;
  above: number;
  for: string;
  summary: string;
}

/** A Loki instant query A, reduced to its last value B, firing per series when B is above the threshold (C). */
function rule(spec: RuleSpec): Rule {
  return new RuleBuilder(spec.title)
    .uid(spec.uid)
    .condition('C')
    .withQuery(
      new QueryBuilder('A')
        .datasourceUid(LOKI_DATASOURCE_UID)
        .relativeTimeRange({ from: spec.window, to: 0 })
        .model(new DataqueryBuilder().refId('A').datasource(LOKI).expr(spec.expr).queryType('instant')),
    )
    .withQuery(new QueryBuilder('B').datasourceUid(EXPRESSIONS).model(new TypeReduceBuilder().refId('B').expression('A').reducer('last')))
    .withQuery(
      new QueryBuilder('C')
        .datasourceUid(EXPRESSIONS)
        .model(new TypeThresholdBuilder().refId('C').expression('B').conditions([{ evaluator: { type: 'gt', params: [spec.above] } }])),
    )
    // No series means nothing is wrong: every query returns only the offending nodes, namespaces or pods.
    .noDataState('OK')
    .execErrState('Error')
    .forDuration(spec.for)
    .annotations({ summary: spec.summary })
    .labels({ stack: 'observability' })
    .build();
}

/** The stack's alert rules, with this environment's thresholds. */
export function alertRules(env: Environment): Rule[] {
  const seen = '{node=~".+"}';
  return [
    rule({
      uid: 'alloy-node-silent',
      title: 'AlloyNodeSilent',
      expr: `sum by (node) (count_over_time(${seen} [1h])) unless sum by (node) (count_over_time(${seen} [10m]))`,
      window: 3600,
      above: 0,
      for: '0s',
      summary: 'No logs from node {{ .Labels.node }} for 10 minutes: its Alloy pod is down or cannot push to Loki.',
    }),
    rule({
      uid: 'namespace-error-rate',
      title: 'NamespaceErrorRate',
      expr: 'sum by (namespace) (rate({namespace=~".+"} | detected_level=~"error|critical|fatal" [5m]))',
      window: 300,
      above: env.grafana.alerting.errorLinesPerSecond,
      for: '5m',
      summary: `Namespace {{ .Labels.namespace }} logs more than ${env.grafana.alerting.errorLinesPerSecond} error lines per second.`,
    }),
    rule({
      uid: 'loki-storage-errors',
      title: 'LokiStorageErrors',
      expr: `sum by (pod) (count_over_time(${stackLogs('loki')} |= "level=error" |~ "(?i)(s3|bucket|object ?store|compactor|retention)" [5m]))`,
      window: 300,
      above: 0,
      for: '5m',
      summary: 'Loki pod {{ .Labels.pod }} reports object storage (S3) or compactor errors: chunks may not be stored or retention may not run.',
    }),
  ];
}

/** The rule file Grafana provisions from `provisioning/alerting`: only the fields its file format reads. */
export function alertRulesFile(env: Environment): string {
  const rules = alertRules(env).map((r) => ({
    uid: r.uid,
    title: r.title,
    condition: r.condition,
    // The SDK's query models carry marker methods; the file holds their JSON form.
    data: JSON.parse(JSON.stringify(r.data)) as unknown,
    noDataState: r.noDataState,
    execErrState: r.execErrState,
    for: r.for,
    annotations: r.annotations,
    labels: r.labels,
    isPaused: false,
  }));
  return toYaml({ apiVersion: 1, groups: [{ orgId: 1, name: RULE_GROUP, folder: ALERT_FOLDER, interval: '1m', rules }] });
}

/** Contact point and notification policy, when the environment has somewhere to send alerts. */
export function notificationsFile(env: Environment): string | undefined {
  const contact = env.grafana.alerting.contactPoint;
  if (!contact) return undefined;
  const receiver = new ContactPointBuilder()
    .uid(contact.name)
    .name(contact.name)
    .type('webhook')
    // Grafana expands environment variables in provisioning files; the URL itself stays in the Secret.
    .settings({ url: `$${WEBHOOK_URL_ENV}`, httpMethod: 'POST' })
    .disableResolveMessage(false)
    .build();
  const { name, ...receiverFields } = receiver;
  const policy = new NotificationPolicyBuilder()
    .receiver(contact.name)
    .groupBy(['grafana_folder', 'alertname'])
    .groupWait('30s')
    .groupInterval('5m')
    .repeatInterval('4h')
    .build();
  return toYaml({
    apiVersion: 1,
    contactPoints: [{ orgId: 1, name, receivers: [receiverFields] }],
    policies: [{ orgId: 1, ...policy }],
  });
}
