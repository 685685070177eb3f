import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { dataLosses, describePeriod, parseLokiDuration } from '../../tools/diff/data-loss.ts';
import { configMap } from './stack.ts';

const DAY = 24 * 3_600_000;

/** A Loki config ConfigMap with the given compactor and limits blocks. */
function loki(compactor: Record<string, unknown>, limits: Record<string, unknown>) {
  return configMap('loki-config', { 'config.yaml': stringify({ auth_enabled: false, compactor, limits_config: limits }) });
}

const messages = (before: ReturnType<typeof loki>, after: ReturnType<typeof loki>) =>
  dataLosses(before, after).map((loss) => `${loss.severity}: ${loss.message}`);

describe('parseLokiDuration (Prometheus durations, as Loki reads retention periods)', () => {
  it('reads units biggest first, each once, and refuses anything else', () => {
    expect(parseLokiDuration('720h')).toBe(30 * DAY);
    expect(parseLokiDuration('30d')).toBe(30 * DAY);
    expect(parseLokiDuration('1w2d')).toBe(9 * DAY);
    expect(parseLokiDuration('1h30m')).toBe(5_400_000);
    expect(parseLokiDuration('0')).toBe(0);
    expect(parseLokiDuration('0s')).toBe(0);
    for (const bad of ['', '2d1w', '1h1h', '30 days', '${RETENTION}', '-1d', '1.5h']) expect(parseLokiDuration(bad)).toBeUndefined();
    expect(describePeriod(30 * DAY)).toBe('30 days');
    expect(describePeriod(DAY)).toBe('1 day');
    expect(describePeriod(36 * 3_600_000)).toBe('36h');
    expect(describePeriod(0)).toBe('forever');
  });
});

describe('dataLosses: Loki retention', () => {
  const on = { retention_enabled: true, retention_delete_delay: '2h' };

  it('sees retention switched on as deleting every older log, and off as losing nothing', () => {
    // GIVEN a config keeping logs forever (retention off) WHEN it is switched on at 14 days THEN everything older goes
    expect(messages(loki({ retention_enabled: false }, { retention_period: '336h' }), loki(on, { retention_period: '336h' }))).toEqual([
      'danger: Loki retention forever → 14 days (config.yaml limits_config.retention_period: retention_enabled: false → 336h): the compactor deletes logs older than 14 days on its next run, retention_delete_delay (2h) after marking them: every log older than 14 days, kept until now, is lost.',
    ]);
    // AND switched off, or a period of 0 (Loki's "disabled"), or a longer one: nothing lost
    expect(messages(loki(on, { retention_period: '336h' }), loki({ retention_enabled: false }, { retention_period: '24h' }))).toEqual([]);
    expect(messages(loki(on, { retention_period: '336h' }), loki(on, { retention_period: '0s' }))).toEqual([]);
    expect(messages(loki(on, { retention_period: '336h' }), loki(on, { retention_period: '30d' }))).toEqual([]);
  });

  it('names each stream selector whose own period shortens, and the streams that keep theirs when the global one does', () => {
    const streams = (debug: string) => [{ selector: '{level="debug"}', priority: 1, period: debug }];
    // GIVEN 30 days globally and 7 for debug streams WHEN debug goes to 1 day and the global period to 14 days
    const found = messages(
      loki(on, { retention_period: '720h', retention_stream: streams('7d') }),
      loki(on, { retention_period: '14d', retention_stream: streams('1d') }),
    );
    // THEN two losses: the global one (debug streams excepted), and the debug streams' own
    expect(found).toEqual([
      'danger: Loki retention 30 days → 14 days (config.yaml limits_config.retention_period: 720h → 14d): the compactor deletes logs older than 14 days on its next run, retention_delete_delay (2h) after marking them: 16 days of logs (those 14 days to 30 days old) are lost. Streams matching a retention_stream rule keep their own period ({level="debug"}).',
      'danger: Loki retention of streams {level="debug"} 7 days → 1 day (config.yaml limits_config.retention_stream): the compactor deletes their logs older than 1 day, retention_delete_delay (2h) after marking them: 6 days of logs (those 1 day to 7 days old) are lost.',
    ]);
    // AND a new stream rule shorter than the global period is a loss for those streams
    expect(
      messages(loki(on, { retention_period: '720h' }), loki(on, { retention_period: '720h', retention_stream: streams('3d') })),
    ).toHaveLength(1);
  });

  it('warns when a period cannot be read instead of guessing', () => {
    expect(messages(loki(on, { retention_period: '720h' }), loki(on, { retention_period: '${RETENTION}' }))).toEqual([
      'warning: Loki retention in config.yaml changed but a period is not a duration this diff can read: compare limits_config.retention_period and retention_stream by hand.',
    ]);
  });
});

describe('dataLosses: object store lifecycle', () => {
  const lifecycle = (rule: Record<string, unknown>) =>
    configMap('minio-bucket-setup', {
      'lifecycle.json': JSON.stringify({ Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, ...rule }] }),
    });

  it('flags a current-object expiry set or shortened as danger, and a disabled rule as losing nothing', () => {
    expect(messages(lifecycle({}), lifecycle({ Expiration: { Days: 90 } }))).toEqual([
      'danger: object store lifecycle rule expire (lifecycle.json): Expiration.Days unset → 90: the object store expires current objects older than 90 days once the bucket setup Job imports the rules (in a versioned bucket they become noncurrent versions, removed by the noncurrent rule): every older object, kept until now, is lost to Loki, whatever its retention says.',
    ]);
    expect(messages(lifecycle({ Expiration: { Days: 90 } }), lifecycle({ Expiration: { Days: 30 } }))[0]).toContain(
      '60 days of objects (those 30 days to 90 days old)',
    );
    expect(messages(lifecycle({ Expiration: { Days: 30 } }), lifecycle({ Status: 'Disabled', Expiration: { Days: 1 } }))).toEqual([]);
  });

  it('ignores data that is neither a Loki config nor a lifecycle document', () => {
    expect(
      dataLosses(
        configMap('x', { 'a.json': '{"Rules": 1}', 'b.yaml': 'retention_period: 1d' }),
        configMap('x', { 'a.json': '{"Rules": 2}', 'b.yaml': 'retention_period: 1h' }),
      ),
    ).toEqual([]);
  });
});
