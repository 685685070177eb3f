/**
 * Every rendered Alloy configuration read by Alloy's own parser and expression VM (the `alloy`
 * program: github.com/grafana/alloy/syntax at the version the pinned Alloy requires), and broken
 * copies refused. Decoding each component's arguments into its own types needs Alloy's main module,
 * which does not build with the Go module proxy alone (test/upstream/alloy/main.go).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { alloyConfigFindings, alloyConfigText, type AlloyBlock } from '../../tools/upstream/alloy.ts';
import { runProgram } from '../../tools/upstream/programs.ts';
import { app, renderCommitted } from '../support/repo.ts';
import { BIN_DIR } from './support/programs.ts';

const ALLOY = join(BIN_DIR, 'alloy');
const tree = await renderCommitted();
const WRITE_URL = /(\n\s*)url = ("[^"]+")/;

async function blocksOf(config: string): Promise<AlloyBlock[]> {
  const dir = mkdtempSync(join(tmpdir(), 'alloy-blocks-'));
  try {
    writeFileSync(join(dir, 'config.alloy'), config);
    const run = await runProgram(ALLOY, [join(dir, 'config.alloy')], { env: {} });
    return (JSON.parse(run.stdout) as { blocks: AlloyBlock[] }).blocks;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(catalog.environments.map((e) => e.name))("overlays/%s/alloy read by Alloy's parser", (env) => {
  const rendered = app(tree, env, 'alloy');
  const config = alloyConfigText(rendered.objects) ?? '';

  it('config.alloy parses, and every attribute that reads no export evaluates', async () => {
    expect(config).toMatch(WRITE_URL);
    expect(await alloyConfigFindings(ALLOY, rendered)).toEqual([]);
  });

  it("Alloy's parser sees the components we configure, with their labels", async () => {
    const blocks = await blocksOf(config);
    expect(blocks.map((b) => `${b.name}.${b.label}`)).toEqual(expect.arrayContaining(['discovery.kubernetes.pods', 'loki.write.default']));
    const write = blocks.find((b) => b.name === 'loki.write');
    expect(write?.blocks.map((b) => b.name)).toEqual(['endpoint']);
    expect(write?.blocks[0]?.attributes).toContain('url');
  });

  it('a syntax error in a copy is refused with its line and column', async () => {
    const findings = await alloyConfigFindings(ALLOY, rendered, config.replace(WRITE_URL, '$1url = $2,'));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/config\.alloy:\d+:\d+: /);
  });

  it('an expression of the wrong type in a copy is refused by the VM', async () => {
    const findings = await alloyConfigFindings(ALLOY, rendered, config.replace(WRITE_URL, '$1url = "http://" + 3100'));
    expect(findings[0]?.message).toMatch(/url: .*(string|number)/);
  });
});
