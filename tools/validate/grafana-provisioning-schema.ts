/**
 * Grafana's provisioning file formats as its documentation states them, at the Grafana the catalog
 * pins (`GRAFANA_DOCS_VERSION`, equal to IMAGES.grafana.tag: a test holds them together): per file
 * kind (the directory Grafana reads it from) the known keys, their types, the required ones and
 * `apiVersion`, each field with the page that states it.
 *
 * Why documentation and not Grafana's code: github.com/grafana/grafana is AGPL-licensed and not to be
 * used here, and its tags are no Go module versions. Grafana itself decodes these files without
 * refusing unknown keys (a misspelt key is silently ignored), so this gate is stricter than Grafana on
 * purpose: what Grafana would ignore is what it would not do. Types are the documented ones: a quoted
 * number or bool where the documentation says int or bool is refused, whatever Grafana's reader
 * might make of it; only `$VAR` / `${VAR}` references stand for any scalar (they are interpolated).
 *
 * Read from the pages' sources in grafana/grafana `docs/sources/` as the code search had them, which
 * are older revisions than the v13.2 pages the URLs name (administration/provisioning/index.md at
 * 0025f3746dd6, alerting/set-up/provision-alerting-resources/file-provisioning/index.md at
 * 0050782206e9, datasources/loki/configure/index.md at 0c7936111f6b); the keys the alerting export
 * format adds since (isPaused, notification_settings, keep_firing_for, relativeTimeRange, …) from the
 * alerting provisioning HTTP API page, whose export the file page tells you to copy. The URLs are
 * where to re-check a fact at the pinned version; a key Grafana 13.2 documents but this table lacks is
 * refused until it is added here with its page.
 */
import type { DocumentedField } from './documented-schema.ts';

/** The Grafana release whose documentation these facts were read from. */
export const GRAFANA_DOCS_VERSION = '13.2.0';

const DOCS = `https://grafana.com/docs/grafana/v${GRAFANA_DOCS_VERSION.split('.').slice(0, 2).join('.')}`;
const DATASOURCES = `${DOCS}/administration/provisioning/#data-sources`;
const JSON_DATA = `${DOCS}/administration/provisioning/#json-data`;
const SECURE_JSON_DATA = `${DOCS}/administration/provisioning/#secure-json-data`;
const HTTP_HEADERS = `${DOCS}/administration/provisioning/#custom-http-headers-for-data-sources`;
const LOKI_DATASOURCE = `${DOCS}/datasources/loki/configure/#provision-the-data-source`;
const DASHBOARDS = `${DOCS}/administration/provisioning/#dashboards`;
const ALERTING = `${DOCS}/alerting/set-up/provision-alerting-resources/file-provisioning`;
const RULES = `${ALERTING}/#provision-alert-rules`;
const CONTACT_POINTS = `${ALERTING}/#provision-contact-points`;
const POLICIES = `${ALERTING}/#provision-notification-policies`;
const TEMPLATES = `${ALERTING}/#provision-templates`;
const MUTE_TIMINGS = `${ALERTING}/#provision-mute-timings`;
const ALERTING_API = `${DOCS}/developers/http_api/alerting_provisioning/`;

const f = (type: DocumentedField['type'], doc: string, more: Partial<DocumentedField> = {}): DocumentedField => ({ type, doc, ...more });
const required = (type: DocumentedField['type'], doc: string, more: Partial<DocumentedField> = {}): DocumentedField =>
  f(type, doc, { required: true, ...more });
const listOf = (items: DocumentedField, doc: string, more: Partial<DocumentedField> = {}): DocumentedField =>
  f('list', doc, { items, ...more });
const object = (fields: Record<string, DocumentedField>, doc: string, more: Partial<DocumentedField> = {}): DocumentedField =>
  f('object', doc, { fields, ...more });
const strings = (doc: string): DocumentedField => listOf(f('string', doc), doc);
const stringMap = (doc: string): DocumentedField => f('map', doc, { items: f('string', doc) });

/** `apiVersion: 1`: the version of every provisioning file format below. */
const apiVersion = (doc: string): DocumentedField => required('int', doc, { values: [1] });
const orgId = (doc: string): DocumentedField => f('int', doc);

// --- Data sources (provisioning/datasources) -------------------------------------------------------

/** jsonData keys every HTTP data source reads (the "JSON Data" table's _HTTP*_ rows). */
const HTTP_JSON_DATA: Record<string, DocumentedField> = {
  tlsAuth: f('bool', JSON_DATA),
  tlsAuthWithCACert: f('bool', JSON_DATA),
  tlsSkipVerify: f('bool', JSON_DATA),
  serverName: f('string', JSON_DATA),
  // The provisioning page types it string; the Loki page's own example writes `timeout: 60`.
  timeout: f(['number', 'string'], `${JSON_DATA} ${LOKI_DATASOURCE}`),
  keepCookies: strings(JSON_DATA),
};
const HTTP_HEADER_NAMES = [{ pattern: /^httpHeaderName\d+$/, field: f('string', HTTP_HEADERS) }];

/** jsonData by data source `type`, for the types the catalog provisions; other types' jsonData is theirs. */
export const JSON_DATA_BY_TYPE: Readonly<Record<string, DocumentedField>> = {
  loki: object(
    {
      ...HTTP_JSON_DATA,
      manageAlerts: f('bool', JSON_DATA),
      alertmanagerUid: f('string', JSON_DATA),
      maxLines: f(['number', 'string'], LOKI_DATASOURCE),
      derivedFields: listOf(
        object(
          {
            datasourceUid: f('string', LOKI_DATASOURCE),
            matcherRegex: f('string', LOKI_DATASOURCE),
            name: f('string', LOKI_DATASOURCE),
            url: f('string', LOKI_DATASOURCE),
            urlDisplayLabel: f('string', LOKI_DATASOURCE),
          },
          LOKI_DATASOURCE,
        ),
        LOKI_DATASOURCE,
      ),
    },
    `${JSON_DATA} ${LOKI_DATASOURCE}`,
    { patterns: HTTP_HEADER_NAMES },
  ),
  prometheus: object(
    {
      ...HTTP_JSON_DATA,
      timeInterval: f('string', JSON_DATA),
      httpMethod: f('string', JSON_DATA, { values: ['GET', 'POST'] }),
      customQueryParameters: f('string', JSON_DATA),
      manageAlerts: f('bool', JSON_DATA),
      alertmanagerUid: f('string', JSON_DATA),
      sigV4Auth: f('bool', JSON_DATA),
      sigV4AuthType: f('string', JSON_DATA),
      sigV4ExternalId: f('string', JSON_DATA),
      sigV4AssumeRoleArn: f('string', JSON_DATA),
      sigV4Region: f('string', JSON_DATA),
      sigV4Profile: f('string', JSON_DATA),
      prometheusVersion: f('string', JSON_DATA),
      prometheusType: f('string', JSON_DATA, { values: ['Prometheus', 'Cortex', 'Mimir', 'Thanos'] }),
      cacheLevel: f('string', JSON_DATA, { values: ['Low', 'Medium', 'High', 'None'] }),
      incrementalQuerying: f(['bool', 'string'], JSON_DATA),
      incrementalQueryOverlapWindow: f('string', JSON_DATA),
      disableRecordingRules: f('bool', JSON_DATA),
    },
    JSON_DATA,
    { patterns: HTTP_HEADER_NAMES },
  ),
};

const datasource = object(
  {
    name: required('string', DATASOURCES),
    type: required('string', DATASOURCES),
    access: required('string', DATASOURCES, { values: ['proxy', 'direct'] }),
    orgId: orgId(DATASOURCES),
    uid: f('string', DATASOURCES),
    url: f('string', DATASOURCES),
    user: f('string', DATASOURCES),
    database: f('string', DATASOURCES),
    basicAuth: f('bool', DATASOURCES),
    basicAuthUser: f('string', DATASOURCES),
    withCredentials: f('bool', DATASOURCES),
    isDefault: f('bool', DATASOURCES),
    // Judged by type in JSON_DATA_BY_TYPE; open here because each plugin defines its own.
    jsonData: f('map', JSON_DATA, { fields: {}, open: true }),
    secureJsonData: f('map', SECURE_JSON_DATA, { items: f('string', SECURE_JSON_DATA) }),
    version: f('int', DATASOURCES),
    editable: f('bool', DATASOURCES),
  },
  DATASOURCES,
);

// --- Dashboard providers (provisioning/dashboards) -------------------------------------------------

const provider = object(
  {
    name: required('string', DASHBOARDS),
    orgId: orgId(DASHBOARDS),
    folder: f('string', DASHBOARDS),
    folderUid: f('string', DASHBOARDS),
    type: f('string', DASHBOARDS),
    disableDeletion: f('bool', DASHBOARDS),
    updateIntervalSeconds: f('int', DASHBOARDS),
    allowUiUpdates: f('bool', DASHBOARDS),
    options: object({ path: required('string', DASHBOARDS), foldersFromFilesStructure: f('bool', DASHBOARDS) }, DASHBOARDS),
  },
  DASHBOARDS,
);

// --- Alerting (provisioning/alerting) --------------------------------------------------------------

const query = object(
  {
    refId: required('string', RULES),
    datasourceUid: required('string', RULES),
    // The query's own model: the data source's (or the `__expr__` expression's) to read.
    model: required('object', RULES, { fields: {}, open: true }),
    queryType: f('string', ALERTING_API),
    relativeTimeRange: object({ from: f('int', ALERTING_API), to: f('int', ALERTING_API) }, ALERTING_API),
  },
  RULES,
);

const notificationSettings = object(
  {
    receiver: required('string', ALERTING_API),
    group_by: strings(ALERTING_API),
    group_wait: f('duration', ALERTING_API),
    group_interval: f('duration', ALERTING_API),
    repeat_interval: f('duration', ALERTING_API),
    mute_time_intervals: strings(ALERTING_API),
    active_time_intervals: strings(ALERTING_API),
  },
  ALERTING_API,
);

const rule = object(
  {
    uid: required('string', RULES),
    title: required('string', RULES),
    condition: required('string', RULES),
    data: required('list', RULES, { items: query }),
    dashboardUid: f('string', RULES),
    panelId: f('int', RULES),
    noDataState: f('string', RULES, { values: ['NoData', 'Alerting', 'OK', 'KeepLast'] }),
    execErrState: f('string', RULES, { values: ['Error', 'Alerting', 'OK', 'KeepLast'] }),
    for: required('duration', RULES),
    keep_firing_for: f('duration', ALERTING_API),
    annotations: stringMap(RULES),
    labels: stringMap(RULES),
    isPaused: f('bool', ALERTING_API),
    notification_settings: notificationSettings,
    missing_series_evals_to_resolve: f('int', ALERTING_API),
  },
  RULES,
);

/** Contact point `settings` by receiver `type`, for the types the catalog provisions; other types' settings are theirs. */
export const SETTINGS_BY_RECEIVER_TYPE: Readonly<Record<string, DocumentedField>> = {
  webhook: object(
    {
      url: required('string', CONTACT_POINTS),
      httpMethod: f('string', CONTACT_POINTS, { values: ['POST', 'PUT'] }),
      username: f('string', CONTACT_POINTS),
      password: f('string', CONTACT_POINTS),
      authorization_scheme: f('string', CONTACT_POINTS),
      authorization_credentials: f('string', CONTACT_POINTS),
      maxAlerts: f(['string', 'int'], CONTACT_POINTS),
    },
    CONTACT_POINTS,
  ),
};

const receiver = object(
  {
    uid: required('string', CONTACT_POINTS),
    type: required('string', CONTACT_POINTS),
    // Judged by type in SETTINGS_BY_RECEIVER_TYPE.
    settings: required('object', CONTACT_POINTS, { fields: {}, open: true }),
    disableResolveMessage: f('bool', ALERTING_API),
  },
  CONTACT_POINTS,
);

const routeFields: Record<string, DocumentedField> = {
  receiver: f('string', POLICIES),
  group_by: strings(POLICIES),
  matchers: strings(POLICIES),
  object_matchers: listOf(strings(POLICIES), POLICIES),
  mute_time_intervals: strings(POLICIES),
  active_time_intervals: strings(ALERTING_API),
  group_wait: f('duration', POLICIES),
  group_interval: f('duration', POLICIES),
  repeat_interval: f('duration', POLICIES),
  continue: f('bool', ALERTING_API),
};
/** A child route: the policy's own fields, nested without end. */
const route: DocumentedField = object(routeFields, POLICIES);
routeFields['routes'] = listOf(route, POLICIES);

const byOrg = (key: string, doc: string): DocumentedField => object({ orgId: orgId(doc), [key]: required('string', doc) }, doc);

/** Provisioning file kinds, by the directory under `paths.provisioning` Grafana reads them from. */
export const PROVISIONING_FILES: Readonly<Record<'datasources' | 'dashboards' | 'alerting', DocumentedField>> = {
  datasources: object(
    {
      apiVersion: apiVersion(DATASOURCES),
      datasources: listOf(datasource, DATASOURCES),
      deleteDatasources: listOf(byOrg('name', DATASOURCES), DATASOURCES),
      prune: f('bool', DATASOURCES),
    },
    DATASOURCES,
  ),
  dashboards: object({ apiVersion: apiVersion(DASHBOARDS), providers: listOf(provider, DASHBOARDS) }, DASHBOARDS),
  // One directory, every alerting resource kind: a file may hold any of these lists.
  alerting: object(
    {
      apiVersion: apiVersion(ALERTING),
      groups: listOf(
        object(
          {
            orgId: orgId(RULES),
            name: required('string', RULES),
            folder: required('string', RULES),
            interval: required('duration', RULES),
            rules: required('list', RULES, { items: rule }),
          },
          RULES,
        ),
        RULES,
      ),
      deleteRules: listOf(byOrg('uid', RULES), RULES),
      contactPoints: listOf(
        object(
          {
            orgId: orgId(CONTACT_POINTS),
            name: required('string', CONTACT_POINTS),
            receivers: required('list', CONTACT_POINTS, { items: receiver }),
          },
          CONTACT_POINTS,
        ),
        CONTACT_POINTS,
      ),
      deleteContactPoints: listOf(byOrg('uid', CONTACT_POINTS), CONTACT_POINTS),
      policies: listOf(object({ orgId: orgId(POLICIES), ...routeFields }, POLICIES), POLICIES),
      resetPolicies: listOf(f('int', POLICIES), POLICIES),
      templates: listOf(
        object({ orgId: orgId(TEMPLATES), name: required('string', TEMPLATES), template: required('string', TEMPLATES) }, TEMPLATES),
        TEMPLATES,
      ),
      deleteTemplates: listOf(byOrg('name', TEMPLATES), TEMPLATES),
      muteTimes: listOf(
        object(
          {
            orgId: orgId(MUTE_TIMINGS),
            name: required('string', MUTE_TIMINGS),
            time_intervals: listOf(f('object', MUTE_TIMINGS, { fields: {}, open: true }), MUTE_TIMINGS),
          },
          MUTE_TIMINGS,
        ),
        MUTE_TIMINGS,
      ),
      deleteMuteTimes: listOf(byOrg('name', MUTE_TIMINGS), MUTE_TIMINGS),
    },
    ALERTING,
  ),
};
