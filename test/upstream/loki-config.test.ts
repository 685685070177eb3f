/**
 * Every rendered Loki configuration loaded by Loki's own code (the `loki` program: cmd/loki/main.go's
 * loading at the pinned version), once per workload with that workload's arguments and variables,
 * and a broken copy refused with its key path.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lokiTargets } from '../../tools/catalog/flows.ts';
import { catalog } from '../../tools/catalog/index.ts';
import { lokiConfigFindings, lokiConfigText, lokiLaunches } from '../../tools/upstream/loki.ts';
import { app, renderCommitted } from '../support/repo.ts';
import { BIN_DIR } from './support/programs.ts';

const LOKI = join(BIN_DIR, 'loki');
const tree = await renderCommitted();

describe.each(catalog.environments.map((e) => e.name))('overlays/%s/loki loaded by Loki', (env) => {
  const rendered = app(tree, env, 'loki');

  it('starts one Loki per target the catalog gives the environment, each with -config.expand-env and its credentials variables', () => {
    const launches = lokiLaunches(rendered.objects);
    const environment = catalog.environments.find((e) => e.name === env);
    expect(launches.map((l) => l.args.find((a) => a.startsWith('-target=')))).toEqual(expect.arrayContaining((environment ? lokiTargets(environment) : []).map((t) => `-target=${t}`)));
    for (const launch of launches) {
      expect(launch.args).toContain('-config.expand-env=true');
      expect(Object.keys(launch.env).sort()).toEqual(['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);
    }
  });

  it('every target loads and validates as the Loki binary does', async () => {
    expect(lokiConfigText(rendered.objects)).toContain('schema_config');
    expect(await lokiConfigFindings(LOKI, rendered)).toEqual([]);
  });

  it('a misspelt key in a copy is refused, naming its key path', async () => {
    const config = lokiConfigText(rendered.objects)?.replace('retention_enabled:', 'retention_enabeld:');
    const findings = await lokiConfigFindings(LOKI, rendered, config);
    expect(findings.length).toBe(lokiLaunches(rendered.objects).length);
    expect(findings[0]?.message).toMatch(/compactor\.retention_enabeld: line \d+: field retention_enabeld not found/);
  });

  it('a value of the wrong type in a copy is refused, naming its key path', async () => {
    const config = lokiConfigText(rendered.objects)?.replace(/replication_factor: \d+/, 'replication_factor: three');
    const findings = await lokiConfigFindings(LOKI, rendered, config);
    expect(findings[0]?.message).toMatch(/common\.replication_factor: line \d+: cannot unmarshal !!str `three` into int/);
  });

  it("a copy that parses but fails Loki's own validation (schema v12 with structured metadata) is refused", async () => {
    const config = lokiConfigText(rendered.objects)?.replace('schema: v13', 'schema: v12');
    const findings = await lokiConfigFindings(LOKI, rendered, config);
    expect(findings[0]?.message).toMatch(/validating config: .*schema v13 is required to store Structured Metadata/);
  });
});
