/**
 * `check`'s upstream gates with every program built: nothing skipped, nothing found on the
 * committed tree; a broken Alloy config in a copy of the tree is a finding of check's own shape.
 * (Loki's configuration is checked against its documentation by `loki/config-schema`, not here:
 * Loki's module is AGPL-licensed and not used.)
 */
import { describe, expect, it } from 'vitest';
import { readOutputTree } from '../../tools/generate/disk.ts';
import { upstreamFindings } from '../../tools/upstream/index.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import { REPO_ROOT, renderCommitted } from '../support/repo.ts';

const tree = await renderCommitted();
const files = await readOutputTree(REPO_ROOT);

describe("check's upstream gates, the programs built", () => {
  it('run every loader over the committed tree: nothing skipped, nothing found', async () => {
    const result = await upstreamFindings(REPO_ROOT, tree, files);
    expect(result.skipped).toEqual([]);
    expect(result.findings.map(formatFinding)).toEqual([]);
  });

  it("report an Alloy config Alloy refuses as a finding naming the environment, the workload and Alloy's reason", async () => {
    const broken = {
      apps: tree.apps.map((a) =>
        a.component !== 'alloy' || a.env !== 'dev'
          ? a
          : {
              ...a,
              objects: a.objects.map((o) =>
                o.kind === 'ConfigMap' && o.metadata.name === 'alloy-config'
                  ? {
                      ...o,
                      data: {
                        'config.alloy': String((o['data'] as Record<string, string>)['config.alloy']).replace(
                          /(\n\s*)url = ("[^"]+")/,
                          '$1url = $2,',
                        ),
                      },
                    }
                  : o,
              ),
            },
      ),
    };
    const result = await upstreamFindings(REPO_ROOT, broken, files);
    expect(result.findings.map(formatFinding)).toEqual([
      expect.stringMatching(
        /^error upstream\/alloy-config: dev\/alloy \S+ \S+: Alloy \S+ refuses config\.alloy: .*config\.alloy:\d+:\d+: /,
      ),
    ]);
  });
});
