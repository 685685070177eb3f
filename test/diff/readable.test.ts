import { describe, expect, it } from 'vitest';
import { diffTrees } from '../../tools/diff/engine.ts';
import { formatMarkdown, OBJECT_DIFF_MAX } from '../../tools/diff/format.ts';
import { readablePair } from '../../tools/diff/readable.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { app, configMap, tree } from './stack.ts';

/** A dashboard as Grafana exports it: one line of JSON, thousands of characters. */
function dashboard(refresh: string): string {
  const panels = Array.from({ length: 40 }, (_, i) => ({
    id: i,
    title: `Panel ${i}`,
    type: 'timeseries',
    targets: [{ expr: `sum(rate(loki_request_duration_seconds_count{job="loki-${i}"}[5m]))` }],
  }));
  return JSON.stringify({ title: 'Stack health', refresh, panels });
}

function changeOf(before: KubeObject, after: KubeObject) {
  const report = diffTrees({ base: tree(app('dev', 'grafana', [before])), head: tree(app('dev', 'grafana', [after])) });
  expect(report.changes).toHaveLength(1);
  return report.changes[0] as NonNullable<(typeof report.changes)[0]>;
}

describe('values a reviewer cannot read in a line diff', () => {
  it('a one-line JSON value is diffed by its structure: the changed field on its own line', () => {
    // GIVEN a ConfigMap holding a 5,000-character one-line dashboard whose refresh changes
    const [before, after] = [dashboard('30s'), dashboard('1m')];
    expect(before.length).toBeGreaterThan(4000);
    // WHEN diffed
    const change = changeOf(configMap('dashboards', { 'stack.json': before }), configMap('dashboards', { 'stack.json': after }));
    // THEN the diff shows the one field, not two 5,000-character lines, and says why
    expect(change.diff).toMatch(/-\s+"refresh": "30s",\n\+\s+"refresh": "1m",/);
    expect(Math.max(...change.diff.split('\n').map((line) => line.length))).toBeLessThan(200);
    expect(change.notes).toEqual(['data.stack\\.json: one-line JSON, diffed by its structure (pretty-printed)']);
  });

  it('a long one-line value that is not JSON is shown as a window around the change', () => {
    const line = (word: string) => `${'a'.repeat(3000)} ${word} ${'b'.repeat(3000)}`;
    const change = changeOf(configMap('c', { args: line('before') }), configMap('c', { args: line('after') }));
    expect(change.diff).toContain(`…${'a'.repeat(59)} before ${'b'.repeat(59)}…`);
    expect(change.diff).toContain(`…${'a'.repeat(59)} after ${'b'.repeat(59)}…`);
    expect(change.notes).toEqual(['data.args: one line of 6008 → 6007 characters, shown from character 2942 around the change']);
  });

  it.each([
    [
      'line endings only',
      { 'a.conf': 'x = 1\ny = 2\n' },
      { 'a.conf': 'x = 1\r\ny = 2\r\n' },
      'data.a\\.conf: line endings only (LF → CRLF)',
    ],
    ['whitespace only', { 'a.conf': 'x = 1\ny = 2\n' }, { 'a.conf': 'x = 1  \ny = 2\n' }, 'data.a\\.conf: whitespace only'],
  ])('%s is labelled as such', (_name, before, after, note) => {
    const change = changeOf(configMap('c', before), configMap('c', after));
    expect(change.notes).toEqual([note]);
  });

  it('leaves the objects passed in untouched and explains nothing when a line diff reads well', () => {
    const before = configMap('c', { short: 'one' });
    const copy = structuredClone(before);
    expect(readablePair(before, configMap('c', { short: 'two' })).notes).toEqual([]);
    expect(before).toEqual(copy);
  });
});

describe('an oversized object diff in the PR comment', () => {
  it('is cut at a line with a note counting what is left out, never dropped', () => {
    // GIVEN one ConfigMap with 3,000 changed lines
    const lines = (value: string) => Array.from({ length: 3000 }, (_, i) => `line ${i} ${value}`).join('\n');
    const report = diffTrees({
      base: tree(app('dev', 'grafana', [configMap('big', { text: `${lines('old')}\n` })])),
      head: tree(app('dev', 'grafana', [configMap('big', { text: `${lines('new')}\n` })])),
    });
    // WHEN formatted as the PR comment
    const markdown = formatMarkdown(report, { baseSha: 'a', headSha: 'b' });
    // THEN its details are there, cut below the per-object maximum, with the count of the lines left out
    expect(markdown).toContain('<summary><code>dev/grafana</code> changed ConfigMap observability/big (+3000 −3000)</summary>');
    const fenced = /````?diff\n([\s\S]*?)\n````?\n/.exec(markdown)?.[1] ?? '';
    expect(fenced.length).toBeLessThanOrEqual(OBJECT_DIFF_MAX);
    const shown = fenced.split('\n').length;
    expect(markdown).toContain(
      `_This object's diff is cut here: ${(report.changes[0]?.diff.trimEnd().split('\n').length ?? 0) - shown} more lines in the full report in`,
    );
  });
});
