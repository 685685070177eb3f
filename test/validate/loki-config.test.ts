import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../tools/catalog/images.ts';
import type { RenderedTree } from '../../tools/render/tree.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import { configFileArg, expandsEnv, lokiConfigFindings, lokiLaunches } from '../../tools/validate/loki-config.ts';
import { expandLokiEnv, lokiConfigProblems, lokiConfigSchema } from '../../tools/validate/loki-config-schema.ts';
import { editConfigMapFile } from '../support/edit-rendered.ts';
import { app, renderCommitted } from '../support/repo.ts';

const DOCS = 'https://grafana.com/docs/loki/v3.7.x/configure/';

describe('loki/config-schema', async () => {
  // GIVEN every committed overlay rendered by kustomize
  const committed = await renderCommitted();
  const findings = (tree: RenderedTree): string[] => tree.apps.flatMap(lokiConfigFindings).map(formatFinding);
  const mutate = (env: string, edit: (text: string) => string): RenderedTree =>
    editConfigMapFile(committed, { env, component: 'loki', configMap: 'loki-config', file: 'config.yaml' }, edit);
  const at = (env: string): string => `error loki/config-schema: ${env}/loki ConfigMap observability/loki-config /data/config.yaml: `;
  const PROD_READERS =
    'as Deployment observability/loki-read, StatefulSet observability/loki-backend, StatefulSet observability/loki-write read it';

  it('the facts were read at the Loki the catalog pins', () => {
    expect(lokiConfigSchema().loki).toBe(IMAGES.loki.tag);
    expect(DOCS).toContain(`/v${IMAGES.loki.tag.split('.').slice(0, 2).join('.')}.x/`);
  });

  it('every environment and every target (monolithic, read, write, backend) reads a config with only documented keys of documented types', () => {
    expect(findings(committed)).toEqual([]);
    // and the gate did read them: each Loki process is found with the file its -config.file names
    const launches = committed.apps
      .filter((a) => a.component === 'loki')
      .flatMap((a) =>
        lokiLaunches(a.objects).map((l) => `${a.env} ${l.args.find((x) => x.startsWith('-target='))} ${l.configMap}/${l.key}`),
      );
    expect(launches.sort()).toEqual([
      'dev -target=all loki-config/config.yaml',
      'prod -target=backend loki-config/config.yaml',
      'prod -target=read loki-config/config.yaml',
      'prod -target=write loki-config/config.yaml',
    ]);
  });

  it('refuses a misspelt key, naming the file, the object and the key path in the first line', () => {
    const tree = mutate('dev', (text) => text.replace('retention_enabled:', 'retention_enabeld:'));
    expect(findings(tree)).toEqual([
      `${at('dev')}compactor.retention_enabeld: unknown key "retention_enabeld": Loki 3.7.6 documents no such key in the compactor block (did you mean "retention_enabled"?) (${DOCS}#compactor), as StatefulSet observability/loki reads it`,
    ]);
  });

  it('refuses values of the wrong type: an int, a Go duration with days, a Prometheus duration, a bool, a date', () => {
    const tree = mutate('prod', (text) =>
      text
        .replace(/replication_factor: \d+/, 'replication_factor: three')
        .replace('compaction_interval: 10m', 'compaction_interval: 1d')
        .replace(/retention_period: \d+h/, 'retention_period: 30 days')
        .replace('retention_enabled: true', 'retention_enabled: "true"')
        .replace('from: "2024-04-01"', 'from: 2024/04/01'),
    );
    expect(findings(tree)).toEqual([
      `${at('prod')}common.replication_factor: string "three" where Loki 3.7.6 documents an integer (${DOCS}#common), ${PROD_READERS}`,
      `${at('prod')}compactor.compaction_interval: string "1d" where Loki 3.7.6 documents a Go duration such as 10m or 1h30m (units ns, us, ms, s, m, h; no d, w, y) (${DOCS}#compactor), ${PROD_READERS}`,
      `${at('prod')}compactor.retention_enabled: string "true" where Loki 3.7.6 documents true or false (${DOCS}#compactor), ${PROD_READERS}`,
      `${at('prod')}limits_config.retention_period: string "30 days" where Loki 3.7.6 documents a Prometheus duration such as 30d or 1w (units ms, s, m, h, d, w, y) (${DOCS}#limits_config), ${PROD_READERS}`,
      `${at('prod')}schema_config.configs[0].from: string "2024/04/01" where Loki 3.7.6 documents a date YYYY-MM-DD (${DOCS}#period_config), ${PROD_READERS}`,
    ]);
  });

  it('refuses an unknown key inside a list of blocks and inside an inline block', () => {
    const tree = mutate('dev', (text) => text.replace('prefix: index_', 'prefixx: index_').replace('store: inmemory', 'stor: inmemory'));
    expect(findings(tree)).toEqual([
      expect.stringContaining(
        `${at('dev')}common.ring.kvstore.stor: unknown key "stor": Loki 3.7.6 documents no such key in the common block (did you mean "store"?) (${DOCS}#common)`,
      ),
      expect.stringContaining(
        `${at('dev')}schema_config.configs[0].index.prefixx: unknown key "prefixx": Loki 3.7.6 documents no such key in the period_config block (did you mean "prefix"?) (${DOCS}#period_config)`,
      ),
    ]);
  });

  it('expands ${VAR} with the variables the container sets before judging types, as -config.expand-env=true does', () => {
    // A variable the container sets (a Secret's, so a stand-in string) where an integer is documented: refused after expansion.
    const typed = mutate('dev', (text) => text.replace('replication_factor: 1', 'replication_factor: ${S3_ACCESS_KEY_ID}'));
    expect(findings(typed)).toEqual([
      expect.stringContaining(
        `${at('dev')}common.replication_factor: string "stand-in-for-S3_ACCESS_KEY_ID" where Loki 3.7.6 documents an integer`,
      ),
    ]);
    // A default is used when the variable is not set, and is typed like a literal.
    expect(findings(mutate('dev', (text) => text.replace('replication_factor: 1', 'replication_factor: ${LOKI_RF:-1}')))).toEqual([]);
    // A variable the container does not set: Loki would expand it to nothing.
    const unset = mutate('dev', (text) => text.replace('log_level: info', 'log_level: ${LOG_LEVEL}'));
    expect(findings(unset)).toEqual([
      `${at('dev')}line 38: \${LOG_LEVEL} names a variable the loki container does not set, as StatefulSet observability/loki reads it; Loki would put an empty string there (set it in the container's env or give a default, \${LOG_LEVEL:-…})`,
      `${at('dev')}server.log_level: no value where Loki 3.7.6 documents string (${DOCS}#server), as StatefulSet observability/loki reads it`,
    ]);
  });

  it('does not expand without -config.expand-env: the reference stays the literal string', () => {
    const tree = structuredClone(mutate('dev', (text) => text.replace('replication_factor: 1', 'replication_factor: ${S3_ACCESS_KEY_ID}')));
    const sts = app(tree, 'dev', 'loki').objects.find((o) => o.kind === 'StatefulSet') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    const container = sts.spec.template.spec.containers[0] as { args: string[] };
    container.args = container.args.filter((a) => !a.startsWith('-config.expand-env'));
    expect(findings(tree)).toEqual([
      expect.stringContaining('common.replication_factor: string "${S3_ACCESS_KEY_ID}" where Loki 3.7.6 documents an integer'),
    ]);
  });
});

describe('Loki value grammars and environment expansion', () => {
  const problems = (config: unknown): string[] => lokiConfigProblems(config).map((p) => `${p.path}: ${p.message.split(' where ')[0]}`);

  it('durations: Go grammar by default, Prometheus grammar for model.Duration keys, 0 without a unit in both', () => {
    expect(
      problems({
        compactor: { compaction_interval: '1h30m', retention_delete_delay: 0 },
        limits_config: { retention_period: '4w', max_query_lookback: '0' },
      }),
    ).toEqual([]);
    expect(problems({ compactor: { compaction_interval: '2w' }, limits_config: { retention_period: '1h30s5m' } })).toEqual([
      'compactor.compaction_interval: string "2w"',
      'limits_config.retention_period: string "1h30s5m"',
    ]);
    expect(problems({ compactor: { compaction_interval: 600 } })).toEqual(['compactor.compaction_interval: number 600']);
  });

  it('sizes where the documentation gives a byte default, integers elsewhere', () => {
    expect(problems({ limits_config: { per_stream_rate_limit: '3MB', per_stream_rate_limit_burst: 15_000_000 } })).toEqual([]);
    expect(problems({ limits_config: { per_stream_rate_limit: '3 megabytes' }, common: { replication_factor: '3MB' } })).toEqual([
      'limits_config.per_stream_rate_limit: string "3 megabytes"',
      'common.replication_factor: string "3MB"',
    ]);
  });

  it('an out-of-scope block is known by name and its contents are not judged; the top level must be a mapping', () => {
    expect(problems({ ingester: { anything: 1 } })).toEqual([]);
    expect(problems(['auth_enabled'])).toEqual([': a list']);
  });

  it('expands ${VAR}, ${VAR:-default} and $VAR, and reports references without a value by line', () => {
    expect(expandLokiEnv('a: ${A}\nb: ${B:-x}\nc: $A\nd: ${C}\n', { A: '1', C: '' })).toEqual({
      text: 'a: 1\nb: x\nc: 1\nd: \n',
      unset: [],
    });
    expect(expandLokiEnv('a: ${A}\nb: ${B}\n', {})).toEqual({
      text: 'a: \nb: \n',
      unset: [
        { name: 'A', line: 1 },
        { name: 'B', line: 2 },
      ],
    });
  });

  it('reads -config.file and -config.expand-env in either spelling', () => {
    expect(configFileArg(['-config.file=/etc/loki/config.yaml', '-target=read'])).toBe('/etc/loki/config.yaml');
    expect(configFileArg(['--config.file', '/etc/loki/x.yaml'])).toBe('/etc/loki/x.yaml');
    expect(configFileArg(['-target=read'])).toBeUndefined();
    expect([
      expandsEnv(['-config.expand-env=true']),
      expandsEnv(['--config.expand-env']),
      expandsEnv(['-config.expand-env=false']),
      expandsEnv([]),
    ]).toEqual([true, true, false, false]);
  });
});
