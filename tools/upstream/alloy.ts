/**
 * Alloy's configuration, read by Alloy's own code: the `alloy` program (test/upstream/alloy: the
 * github.com/grafana/alloy/syntax module the pinned Alloy requires) parses each rendered
 * config.alloy with Alloy's parser and evaluates every attribute that reads no component's exports
 * with Alloy's expression VM. Components' argument types stay out of reach: the main module does not
 * build with the Go module proxy alone (test/upstream/alloy/main.go says which versions it refuses);
 * the `alloy/component-arguments` gate checks them against Alloy's documentation instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES } from '../catalog/images.ts';
import type { KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from '../validate/finding.ts';
import { runProgram } from './programs.ts';

/** The rendered `config.alloy` of the alloy-config ConfigMap. */
export function alloyConfigText(objects: readonly KubeObject[]): string | undefined {
  const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'alloy-config');
  return (map?.['data'] as Record<string, string> | undefined)?.['config.alloy'];
}

/** The blocks of a parsed config as the program lists them (name, label, attribute and inner block names). */
export interface AlloyBlock {
  name: string;
  label?: string;
  attributes: string[];
  blocks: AlloyBlock[];
}

/** Reads `config`; one error finding (rule `upstream/alloy-config`) with Alloy's own message and position when refused. */
export async function alloyConfigFindings(binary: string, app: RenderedApp, config = alloyConfigText(app.objects)): Promise<Finding[]> {
  if (config === undefined) return [];
  const dir = mkdtempSync(join(tmpdir(), 'alloy-config-'));
  try {
    const file = join(dir, 'config.alloy');
    writeFileSync(file, config);
    const run = await runProgram(binary, [file], { env: {} });
    if (run.code === 0) return [];
    const report = run.stderr.replaceAll(file, 'config.alloy').trim();
    return [
      {
        rule: 'upstream/alloy-config',
        severity: 'error',
        env: app.env,
        component: app.component,
        object: `ConfigMap ${app.objects.find((o) => o.metadata.name === 'alloy-config')?.metadata.namespace ?? ''}/alloy-config`,
        message: `Alloy ${IMAGES.alloy.tag} refuses config.alloy: ${report}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
