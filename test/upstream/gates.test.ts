/**
 * `check`'s upstream gates with every program built: nothing skipped, nothing found on the
 * committed tree; a broken Loki config in a copy of the tree is a finding of check's own shape.
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

  it("report a Loki config Loki refuses as a finding naming the environment, the workload and Loki's reason", async () => {
    const broken = {
      apps: tree.apps.map((a) =>
        a.component !== 'loki' || a.env !== 'dev'
          ? a
          : { ...a, objects: a.objects.map((o) => (o.kind === 'ConfigMap' && o.metadata.name === 'loki-config' ? { ...o, data: { 'config.yaml': String((o['data'] as Record<string, string>)['config.yaml']).replace('auth_enabled:', 'auth_enable:') } } : o)) },
      ),
    };
    const result = await upstreamFindings(REPO_ROOT, broken, files);
    expect(result.findings.map(formatFinding)).toEqual([expect.stringMatching(/^error upstream\/loki-config: dev\/loki StatefulSet observability\/loki: Loki \S+ refuses .*auth_enable: line \d+: field auth_enable not found/)]);
  });
});
