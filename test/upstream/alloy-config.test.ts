/**
 * Every rendered Alloy configuration validated by Alloy's own code (the `alloy` program: the validator
 * behind `alloy validate` at the pinned version, which decodes each component's arguments into that
 * component's own types), and broken copies refused.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { alloyConfigFindings, alloyConfigText } from '../../tools/upstream/alloy.ts';
import { app, renderCommitted } from '../support/repo.ts';
import { BIN_DIR } from './support/programs.ts';

const ALLOY = join(BIN_DIR, 'alloy');
const tree = await renderCommitted();
const WRITE_URL = /(\n\s*)url = ("[^"]+")/;

describe.each(catalog.environments.map((e) => e.name))('overlays/%s/alloy validated by Alloy', (env) => {
  const rendered = app(tree, env, 'alloy');
  const config = alloyConfigText(rendered.objects) ?? '';

  it('config.alloy is valid: every block and argument known to its component, every value of its type', async () => {
    expect(config).toMatch(WRITE_URL);
    expect(await alloyConfigFindings(ALLOY, rendered)).toEqual([]);
  });

  it('an unknown block in a copy is refused', async () => {
    const findings = await alloyConfigFindings(ALLOY, rendered, config.replace(WRITE_URL, '$1url = $2$1not_a_block { }'));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/unrecognized block name "not_a_block"/);
  });

  it('an unknown argument in a copy is refused', async () => {
    const findings = await alloyConfigFindings(ALLOY, rendered, config.replace(WRITE_URL, '$1url = $2$1not_an_argument = true'));
    expect(findings[0]?.message).toMatch(/unrecognized attribute name "not_an_argument"/);
  });

  it('a value of the wrong type in a copy is refused', async () => {
    const findings = await alloyConfigFindings(ALLOY, rendered, config.replace(WRITE_URL, '$1url = 3100'));
    expect(findings[0]?.message).toMatch(/expected string, got number/);
  });

  it('an unknown component in a copy is refused', async () => {
    const findings = await alloyConfigFindings(ALLOY, rendered, `${config}\nloki.no_such_component "x" { }\n`);
    expect(findings[0]?.message).toMatch(/loki\.no_such_component/);
  });
});
