import {
  ContactPointBuilder,
  NotificationPolicyBuilder,
  QueryBuilder,
  RuleBuilder,
  type Rule,
} from '@grafana/grafana-foundation-sdk/alerting';
import { TypeReduceBuilder, TypeThresholdBuilder } from '@grafana/grafana-foundation-sdk/expr';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import type { Environment } from '../../catalog/types.ts';
import { toYaml } from '../../yaml.ts';
import { FAILURES, LOKI, LOKI_DATASOURCE_UID } from './queries.ts';

/**
 * The Grafana folder the stack's alert rules live in. Grafana finds an alert group's folder by its
 * title path (pkg/services/provisioning/alerting/rules_types.go, `folder`), a dashboard provider's
 * by `folderUid`: sharing a title with a dashboard folder can make two folders of that name, so
 * this title is the alerts' own (gate `grafana/folder-collision`).
 */
export const ALERT_FOLDER = 'Observability stack alerts';

/** Rule groups: each evaluates its rules at its own interval. */
const RULE_GROUPS = {
  /** The stack's failures, every minute. */
  stack: { name: 'observability-stack', interval: '1m' },
  /** Node silence reads every stream of the last hour: every 5 minutes is enough for a 10-minute silence. */
  nodes: { name: 'observability-stack-nodes', interval: '5m' },
} as const;

type RuleGroup = keyof typeof RULE_GROUPS;

/** The environment variable the prod contact point's webhook URL reaches Grafana through (never written in git). */
export const WEBHOOK_URL_ENV = 'ALERT_WEBHOOK_URL';

const EXPRESSIONS = '__expr__';

interface RuleSpec {
  group: RuleGroup;
  uid: string;
  title: string;
  expr: string;
  /** Seconds of history the Loki query sees. */
  window: number;
  above: number;
  for: string;
  summary: string;
  /** What the rule catches and what it cannot see (the annotation `description`, and the README's alert table). */
  description: string;
}

/** A provisioned rule with the group it is evaluated in. */
export interface GroupedRule {
  group: RuleGroup;
  rule: Rule;
}

/** A Loki instant query A, reduced to its last value B, firing per series when B is above the threshold (C). */
function rule(spec: RuleSpec): GroupedRule {
  const built = new RuleBuilder(spec.title)
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
      new QueryBuilder('C').datasourceUid(EXPRESSIONS).model(
        new TypeThresholdBuilder()
          .refId('C')
          .expression('B')
          .conditions([{ evaluator: { type: 'gt', params: [spec.above] } }]),
      ),
    )
    // No series means nothing is wrong: every query returns only the offending nodes, namespaces or pods.
    .noDataState('OK')
    .execErrState('Error')
    .forDuration(spec.for)
    .annotations({ summary: spec.summary, description: spec.description })
    .labels({ stack: 'observability' })
    .build();
  return { group: spec.group, rule: built };
}

/** The stack's alert rules with the group each is evaluated in, with this environment's thresholds. */
function groupedAlertRules(env: Environment): GroupedRule[] {
  const seen = '{node=~".+"}';
  return [
    rule({
      group: 'nodes',
      uid: 'alloy-node-silent',
      title: 'AlloyNodeSilent',
      expr: `sum by (node) (count_over_time(${seen} [50m] offset 10m)) unless sum by (node) (count_over_time(${seen} [10m]))`,
      window: 3600,
      above: 0,
      for: '0s',
      summary:
        'No logs from node {{ .Labels.node }} for 10 minutes after logs in the 50 minutes before: its Alloy pod is down or cannot push to Loki.',
      description:
        "Catches a node silent for 10 to 60 minutes, seen within one 5-minute evaluation. A node silent for longer leaves the rule's hour of history and the alert resolves while the node is still silent; a node removed from the cluster fires it too, for about 50 minutes, then it resolves by itself.",
    }),
    rule({
      group: 'stack',
      uid: 'namespace-error-rate',
      title: 'NamespaceErrorRate',
      expr: 'sum by (namespace) (rate({namespace=~".+"} | detected_level=~"error|critical|fatal" [5m]))',
      window: 300,
      above: env.grafana.alerting.errorLinesPerSecond,
      for: '5m',
      summary: `Namespace {{ .Labels.namespace }} logs more than ${env.grafana.alerting.errorLinesPerSecond} error lines per second.`,
      description:
        'Counts lines whose level Loki detected as error, critical or fatal (detected_level: the `level` label Alloy sets for JSON lines, else the logfmt `level` field, else a level word in plain text). Cannot see errors logged without a level Loki recognises.',
    }),
    rule({
      group: 'stack',
      uid: 'loki-storage-errors',
      title: 'LokiStorageErrors',
      expr: `sum by (pod) (count_over_time(${FAILURES.lokiObjectStore} [5m]))`,
      window: 300,
      above: 0,
      for: '5m',
      summary: 'Loki pod {{ .Labels.pod }} fails S3 calls to its object store: chunks may not be stored, queries may miss data.',
      description:
        'Catches Loki error lines whose err is a failed S3 call (`operation error S3: …`): failed chunk flushes, index uploads and downloads, compactor reads and writes. Cannot see failures Loki logs at warn or debug, nor object-store trouble that never reaches a Loki call.',
    }),
    rule({
      group: 'stack',
      uid: 'loki-compactor-failing',
      title: 'LokiCompactorFailing',
      expr: `sum by (pod) (count_over_time(${FAILURES.lokiCompactor} [20m]))`,
      // Compaction runs every 10 minutes, retention every 15 (10m + 5m jitter): 20 minutes hold at least one run of each.
      window: 1200,
      above: 0,
      for: '0s',
      summary:
        'Loki pod {{ .Labels.pod }} failed a compaction or retention run: the index is not compacted or expired chunks are not deleted.',
      description:
        'Catches the compactor\'s "failed to run compaction" and "failed to apply retention" lines within 20 minutes (one compaction run every 10, one retention run every 15). Resolves 20 minutes after the last failed run. Cannot see a compactor that does not run at all (no line is logged).',
    }),
  ];
}

/** The stack's alert rules, with this environment's thresholds. */
export function alertRules(env: Environment): Rule[] {
  return groupedAlertRules(env).map((r) => r.rule);
}

/** The rule file Grafana provisions from `provisioning/alerting`: only the fields its file format reads. */
export function alertRulesFile(env: Environment): string {
  const fields = (r: Rule) => ({
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
  });
  const rules = groupedAlertRules(env);
  const groups = (Object.keys(RULE_GROUPS) as RuleGroup[]).map((group) => ({
    orgId: 1,
    ...RULE_GROUPS[group],
    folder: ALERT_FOLDER,
    rules: rules.filter((r) => r.group === group).map((r) => fields(r.rule)),
  }));
  return toYaml({ apiVersion: 1, groups: groups.filter((g) => g.rules.length > 0) });
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
