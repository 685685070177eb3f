/**
 * The documented arguments and blocks of every Alloy component the catalog's configuration uses, at
 * the Alloy release the catalog pins (`ALLOY_DOCS_VERSION`, equal to IMAGES.alloy.tag: a test holds
 * them together). Facts only: names, types as the docs write them, which arguments are required.
 * Read from the reference tables ("Arguments", "Blocks" and each block's section) of Alloy's own
 * documentation at that tag (docs/sources/reference/components/<group>/<component>.md and the shared
 * blocks it includes, in the github.com/grafana/alloy module at v1.18.1), published at
 * `alloyDocUrl(component, anchor)`: the component's page, `#arguments`, or the block's section.
 *
 * Why documentation and not Alloy's code: decoding arguments into each component's Go types needs
 * Alloy's main module, which does not build from the Go module proxy (test/upstream/alloy/main.go).
 * A component used by the configuration but missing here is a finding (`alloy/component-arguments`),
 * so this table grows with the configuration; add a component from its page at the pinned version.
 */

/** The Alloy release whose documentation these facts were read from. */
export const ALLOY_DOCS_VERSION = 'v1.18.1';

/** A block of a component: its section's anchor on the component's page and its arguments. */
export interface AlloyBlockSchema {
  anchor: string;
  /** Argument name -> Alloy type as documented (`string`, `duration`, `list(string)`, `map(string)`, `secret`, capsule names). */
  arguments: Readonly<Record<string, string>>;
  required?: readonly string[];
  /** Blocks whose inner blocks (nested stages, metric kinds, rules) this table does not list: those are not judged. */
  innerBlocks?: 'unchecked';
}

export interface AlloyComponentSchema {
  /** The page under https://grafana.com/docs/alloy/<version>/reference/components/. */
  doc: string;
  arguments: Readonly<Record<string, string>>;
  required?: readonly string[];
  /** Block path (`endpoint > tls_config`) -> its schema. */
  blocks?: Readonly<Record<string, AlloyBlockSchema>>;
}

/** The documentation page (and section) a fact was read from. */
export function alloyDocUrl(component: AlloyComponentSchema, anchor = 'arguments'): string {
  const minor = ALLOY_DOCS_VERSION.split('.').slice(0, 2).join('.');
  return `https://grafana.com/docs/alloy/${minor}/reference/components/${component.doc}#${anchor}`;
}

/**
 * Blocks Alloy's documentation shares between the components that make HTTP requests (the pages include
 * docs/sources/shared/reference/components/{authorization,basic-auth,oauth2,tls-config}-block.md): one
 * entry each, the same under every component and path that holds them.
 */
/**
 * A relabeling rule's arguments, the same table in Alloy's shared rule-block.md, rule-block-logs.md
 * and write_relabel_config.md (docs/sources/shared/reference/components/ at v1.18.1).
 */
const RELABEL_RULE_ARGUMENTS = {
  action: 'string',
  modulus: 'uint',
  regex: 'string',
  replacement: 'string',
  separator: 'string',
  source_labels: 'list(string)',
  target_label: 'string',
};

const TLS_CONFIG_BLOCK: AlloyBlockSchema = {
  anchor: 'tls_config',
  arguments: {
    ca_pem: 'string',
    ca_file: 'string',
    cert_pem: 'string',
    cert_file: 'string',
    insecure_skip_verify: 'bool',
    key_file: 'string',
    key_pem: 'secret',
    min_version: 'string',
    server_name: 'string',
  },
};
const OAUTH2_BLOCK: AlloyBlockSchema = {
  anchor: 'oauth2',
  arguments: {
    client_id: 'string',
    client_secret_file: 'string',
    client_secret: 'secret',
    endpoint_params: 'map(string)',
    no_proxy: 'string',
    proxy_connect_header: 'map(list(secret))',
    proxy_from_environment: 'bool',
    proxy_url: 'string',
    scopes: 'list(string)',
    token_url: 'string',
  },
};
const BASIC_AUTH_BLOCK: AlloyBlockSchema = {
  anchor: 'basic_auth',
  arguments: { password_file: 'string', password: 'secret', username: 'string' },
};
const AUTHORIZATION_BLOCK: AlloyBlockSchema = {
  anchor: 'authorization',
  arguments: { credentials_file: 'string', credentials: 'secret', type: 'string' },
};

export const ALLOY_COMPONENTS: Readonly<Record<string, AlloyComponentSchema>> = {
  'discovery.kubernetes': {
    doc: 'discovery/discovery.kubernetes/',
    arguments: {
      role: 'string',
      api_server: 'string',
      bearer_token_file: 'string',
      bearer_token: 'secret',
      enable_http2: 'bool',
      follow_redirects: 'bool',
      http_headers: 'map(list(secret))',
      kubeconfig_file: 'string',
      no_proxy: 'string',
      proxy_connect_header: 'map(list(secret))',
      proxy_from_environment: 'bool',
      proxy_url: 'string',
    },
    required: ['role'],
    blocks: {
      attach_metadata: { anchor: 'attach_metadata', arguments: { node: 'bool', namespace: 'bool' } },
      authorization: AUTHORIZATION_BLOCK,
      basic_auth: BASIC_AUTH_BLOCK,
      namespaces: { anchor: 'namespaces', arguments: { names: 'list(string)', own_namespace: 'bool' } },
      oauth2: OAUTH2_BLOCK,
      'oauth2 > tls_config': TLS_CONFIG_BLOCK,
      selectors: { anchor: 'selectors', arguments: { role: 'string', field: 'string', label: 'string' }, required: ['role'] },
      tls_config: TLS_CONFIG_BLOCK,
    },
  },
  'discovery.relabel': {
    doc: 'discovery/discovery.relabel/',
    arguments: { targets: 'list(map(string))' },
    required: ['targets'],
    blocks: {
      rule: {
        anchor: 'rule',
        arguments: RELABEL_RULE_ARGUMENTS,
      },
    },
  },
  'local.file_match': {
    doc: 'local/local.file_match/',
    arguments: { path_targets: 'list(map(string))', ignore_older_than: 'duration', sync_period: 'duration' },
    required: ['path_targets'],
  },
  'loki.process': {
    doc: 'loki/loki.process/',
    arguments: { forward_to: 'list(LogsReceiver)' },
    required: ['forward_to'],
    blocks: {
      'stage.cri': {
        anchor: 'stagecri',
        arguments: { max_partial_line_size_truncate: 'bool', max_partial_line_size: 'number', max_partial_lines: 'number' },
      },
      'stage.decolorize': { anchor: 'stagedecolorize', arguments: {} },
      'stage.docker': { anchor: 'stagedocker', arguments: {} },
      'stage.drop': {
        anchor: 'stagedrop',
        arguments: {
          drop_counter_reason: 'string',
          expression: 'string',
          longer_than: 'string',
          older_than: 'duration',
          separator: 'string',
          source: 'string',
          value: 'string',
        },
      },
      'stage.eventlogmessage': {
        anchor: 'stageeventlogmessage',
        arguments: { drop_invalid_labels: 'bool', overwrite_existing: 'bool', source: 'string' },
      },
      'stage.geoip': {
        anchor: 'stagegeoip',
        arguments: { db: 'string', source: 'string', custom_lookups: 'map(string)', db_type: 'string' },
        required: ['db', 'source'],
      },
      'stage.json': {
        anchor: 'stagejson',
        arguments: { expressions: 'map(string)', regex: 'string', drop_malformed: 'bool', source: 'string' },
      },
      'stage.label_drop': { anchor: 'stagelabel_drop', arguments: { values: 'list(string)' } },
      'stage.label_keep': { anchor: 'stagelabel_keep', arguments: { values: 'list(string)' } },
      'stage.labels': { anchor: 'stagelabels', arguments: { values: 'map(string)', source_type: 'string' } },
      'stage.limit': {
        anchor: 'stagelimit',
        arguments: { burst: 'number', rate: 'number', by_label_name: 'string', drop: 'bool', max_distinct_labels: 'number' },
        required: ['burst', 'rate'],
      },
      'stage.logfmt': { anchor: 'stagelogfmt', arguments: { mapping: 'map(string)', regex: 'string', source: 'string' } },
      'stage.luhn': {
        anchor: 'stageluhn',
        arguments: { delimiters: 'string', min_length: 'int', replacement: 'string', source: 'string' },
      },
      'stage.match': {
        anchor: 'stagematch',
        arguments: { selector: 'string', action: 'string', drop_counter_reason: 'string', pipeline_name: 'string' },
        required: ['selector'],
        innerBlocks: 'unchecked',
      },
      'stage.metrics': { anchor: 'stagemetrics', arguments: {}, innerBlocks: 'unchecked' },
      'stage.multiline': {
        anchor: 'stagemultiline',
        arguments: { firstline: 'string', max_lines: 'number', max_wait_time: 'duration', trim_newlines: 'bool' },
        required: ['firstline'],
      },
      'stage.output': { anchor: 'stageoutput', arguments: { source: 'string' }, required: ['source'] },
      'stage.pack': { anchor: 'stagepack', arguments: { labels: 'list(string)', ingest_timestamp: 'bool' }, required: ['labels'] },
      'stage.pattern': {
        anchor: 'stagepattern',
        arguments: { pattern: 'string', source: 'string', labels_from_groups: 'bool' },
        required: ['pattern'],
      },
      'stage.regex': {
        anchor: 'stageregex',
        arguments: { expression: 'string', source: 'string', labels_from_groups: 'bool' },
        required: ['expression'],
      },
      'stage.replace': {
        anchor: 'stagereplace',
        arguments: { expression: 'string', replace: 'string', source: 'string' },
        required: ['expression'],
      },
      'stage.sampling': { anchor: 'stagesampling', arguments: { rate: 'float', drop_counter_reason: 'string' }, required: ['rate'] },
      'stage.static_labels': { anchor: 'stagestatic_labels', arguments: { values: 'map(string)' } },
      'stage.structured_metadata': { anchor: 'stagestructured_metadata', arguments: { values: 'map(string)', regex: 'string' } },
      'stage.structured_metadata_drop': { anchor: 'stagestructured_metadata_drop', arguments: { values: 'list(string)' } },
      'stage.template': { anchor: 'stagetemplate', arguments: { source: 'string', template: 'string' }, required: ['source', 'template'] },
      'stage.tenant': { anchor: 'stagetenant', arguments: { label: 'string', source: 'string', value: 'string' } },
      'stage.timestamp': {
        anchor: 'stagetimestamp',
        arguments: {
          format: 'string',
          source: 'string',
          action_on_failure: 'string',
          action_on_duplicate_timestamp: 'string',
          fallback_formats: 'list(string)',
          location: 'string',
        },
        required: ['format', 'source'],
      },
      'stage.truncate': { anchor: 'stagetruncate', arguments: {}, innerBlocks: 'unchecked' },
      'stage.windowsevent': {
        anchor: 'stagewindowsevent',
        arguments: { source: 'string', drop_invalid_labels: 'bool', overwrite_existing: 'bool' },
      },
    },
  },
  'loki.source.file': {
    doc: 'loki/loki.source.file/',
    arguments: {
      forward_to: 'list(LogsReceiver)',
      targets: 'list(map(string))',
      encoding: 'string',
      legacy_positions_file: 'string',
      on_positions_file_error: 'string',
      tail_from_end: 'bool',
    },
    required: ['forward_to', 'targets'],
    blocks: {
      decompression: {
        anchor: 'decompression',
        arguments: { enabled: 'bool', format: 'string', initial_delay: 'duration' },
        required: ['enabled', 'format'],
      },
      file_match: { anchor: 'file_match', arguments: { enabled: 'bool', ignore_older_than: 'duration', sync_period: 'duration' } },
      file_watch: { anchor: 'file_watch', arguments: { max_poll_frequency: 'duration', min_poll_frequency: 'duration' } },
    },
  },
  'loki.write': {
    doc: 'loki/loki.write/',
    arguments: { external_labels: 'map(string)', max_streams: 'int' },
    blocks: {
      endpoint: {
        anchor: 'endpoint',
        arguments: {
          url: 'string',
          batch_size: 'string',
          batch_wait: 'duration',
          bearer_token_file: 'string',
          bearer_token: 'secret',
          enable_http2: 'bool',
          follow_redirects: 'bool',
          http_headers: 'map(list(secret))',
          headers: 'map(string)',
          max_backoff_period: 'duration',
          max_backoff_retries: 'int',
          min_backoff_period: 'duration',
          name: 'string',
          no_proxy: 'string',
          proxy_connect_header: 'map(list(secret))',
          proxy_from_environment: 'bool',
          proxy_url: 'string',
          remote_timeout: 'duration',
          retry_on_http_429: 'bool',
          tenant_id: 'string',
        },
        required: ['url'],
      },
      'endpoint > authorization': AUTHORIZATION_BLOCK,
      'endpoint > basic_auth': BASIC_AUTH_BLOCK,
      'endpoint > oauth2': OAUTH2_BLOCK,
      'endpoint > oauth2 > tls_config': TLS_CONFIG_BLOCK,
      'endpoint > queue_config': {
        anchor: 'queue_config',
        arguments: { block_on_overflow: 'bool', capacity: 'string', drain_timeout: 'duration', min_shards: 'number' },
      },
      'endpoint > tls_config': TLS_CONFIG_BLOCK,
      wal: {
        anchor: 'wal',
        arguments: {
          drain_timeout: 'duration',
          enabled: 'bool',
          max_read_frequency: 'duration',
          max_segment_age: 'duration',
          min_read_frequency: 'duration',
        },
      },
    },
  },
  'prometheus.remote_write': {
    doc: 'prometheus/prometheus.remote_write/',
    arguments: { external_labels: 'map(string)' },
    blocks: {
      endpoint: {
        anchor: 'endpoint',
        arguments: {
          url: 'string',
          bearer_token_file: 'string',
          bearer_token: 'secret',
          enable_http2: 'bool',
          follow_redirects: 'bool',
          http_headers: 'map(list(secret))',
          headers: 'map(string)',
          name: 'string',
          no_proxy: 'string',
          protobuf_message: 'string',
          proxy_connect_header: 'map(list(secret))',
          proxy_from_environment: 'bool',
          proxy_url: 'string',
          remote_timeout: 'duration',
          round_robin_dns: 'bool',
          send_exemplars: 'bool',
          send_native_histograms: 'bool',
        },
        required: ['url'],
      },
      'endpoint > authorization': AUTHORIZATION_BLOCK,
      'endpoint > azuread': { anchor: 'azuread', arguments: { cloud: 'string', scope: 'string' } },
      'endpoint > azuread > managed_identity': { anchor: 'managed_identity', arguments: { client_id: 'string' }, required: ['client_id'] },
      'endpoint > azuread > oauth': {
        anchor: 'oauth',
        arguments: { client_id: 'string', client_secret: 'secret', tenant_id: 'string' },
        required: ['client_id', 'client_secret', 'tenant_id'],
      },
      'endpoint > azuread > sdk': { anchor: 'sdk', arguments: { tenant_id: 'string' }, required: ['tenant_id'] },
      'endpoint > azuread > workload_identity': {
        anchor: 'workload_identity',
        arguments: { client_id: 'string', tenant_id: 'string', token_file_path: 'string' },
        required: ['client_id', 'tenant_id'],
      },
      'endpoint > basic_auth': BASIC_AUTH_BLOCK,
      'endpoint > google_iam': { anchor: 'google_iam', arguments: { credentials_file: 'string' } },
      'endpoint > metadata_config': {
        anchor: 'metadata_config',
        arguments: { max_samples_per_send: 'number', send_interval: 'duration', send: 'bool' },
      },
      'endpoint > oauth2': OAUTH2_BLOCK,
      'endpoint > oauth2 > tls_config': TLS_CONFIG_BLOCK,
      'endpoint > queue_config': {
        anchor: 'queue_config',
        arguments: {
          batch_send_deadline: 'duration',
          capacity: 'number',
          max_backoff: 'duration',
          max_samples_per_send: 'number',
          max_shards: 'number',
          min_backoff: 'duration',
          min_shards: 'number',
          retry_on_http_429: 'bool',
          sample_age_limit: 'duration',
        },
      },
      'endpoint > sigv4': {
        anchor: 'sigv4',
        arguments: {
          access_key: 'string',
          external_id: 'string',
          profile: 'string',
          region: 'string',
          role_arn: 'string',
          secret_key: 'secret',
          service_name: 'string',
          use_fips_sts_endpoint: 'bool',
        },
      },
      'endpoint > tls_config': TLS_CONFIG_BLOCK,
      'endpoint > write_relabel_config': {
        anchor: 'write_relabel_config',
        arguments: RELABEL_RULE_ARGUMENTS,
      },
      wal: { anchor: 'wal', arguments: { truncate_frequency: 'duration', min_keepalive_time: 'duration', max_keepalive_time: 'duration' } },
    },
  },
  'prometheus.scrape': {
    doc: 'prometheus/prometheus.scrape/',
    arguments: {
      forward_to: 'list(MetricsReceiver)',
      targets: 'list(map(string))',
      bearer_token_file: 'string',
      bearer_token: 'secret',
      body_size_limit: 'int',
      convert_classic_histograms_to_nhcb: 'bool',
      enable_compression: 'bool',
      enable_http2: 'bool',
      enable_protobuf_negotiation: 'bool',
      enable_type_and_unit_labels: 'bool',
      extra_metrics: 'bool',
      follow_redirects: 'bool',
      http_headers: 'map(list(secret))',
      honor_labels: 'bool',
      honor_timestamps: 'bool',
      honor_metadata: 'bool',
      job_name: 'string',
      label_limit: 'uint',
      label_name_length_limit: 'uint',
      label_value_length_limit: 'uint',
      metric_name_escaping_scheme: 'string',
      metric_name_validation_scheme: 'string',
      metrics_path: 'string',
      native_histogram_bucket_limit: 'uint',
      native_histogram_min_bucket_factor: 'float64',
      no_proxy: 'string',
      params: 'map(list(string))',
      proxy_connect_header: 'map(list(secret))',
      proxy_from_environment: 'bool',
      proxy_url: 'string',
      sample_limit: 'uint',
      scheme: 'string',
      scrape_classic_histograms: 'bool',
      scrape_failure_log_file: 'string',
      scrape_fallback_protocol: 'string',
      scrape_interval: 'duration',
      scrape_native_histograms: 'bool',
      scrape_protocols: 'list(string)',
      scrape_timeout: 'duration',
      target_limit: 'uint',
      track_timestamps_staleness: 'bool',
    },
    required: ['forward_to', 'targets'],
    blocks: {
      authorization: AUTHORIZATION_BLOCK,
      basic_auth: BASIC_AUTH_BLOCK,
      clustering: { anchor: 'clustering', arguments: { enabled: 'bool' }, required: ['enabled'] },
      oauth2: OAUTH2_BLOCK,
      'oauth2 > tls_config': TLS_CONFIG_BLOCK,
      tls_config: TLS_CONFIG_BLOCK,
    },
  },
};
