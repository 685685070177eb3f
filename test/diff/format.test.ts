import { describe, expect, it } from 'vitest';
import { diffTrees, type DiffReport } from '../../tools/diff/engine.ts';
import { formatMarkdown, formatText, GITHUB_COMMENT_LIMIT, reportJson } from '../../tools/diff/format.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { app, claim, configMap, grafanaDeployment, lokiStatefulSet, secret, service, stackTree, tree } from './stack.ts';

const BASE_SHA = '3f2a9c0d7b1e4f6a8c2d5e7f9a1b3c4d5e6f7a8b';
const HEAD_SHA = 'c81e728d9d4c2f636f067f89cc14862c4a5b6d7e';
const MARKER = '<!-- observability-diff -->';

/** A realistic pull request: Loki 3.8 with bigger prod volumes, Grafana's claim grown, MinIO's password rotated. */
function pullRequest(): DiffReport {
  const base = tree(...stackTree('dev'), ...stackTree('prod'));
  const head = tree(
    ...stackTree('dev').map((a) =>
      a.component === 'minio'
        ? app('dev', 'minio', [secret('minio-credentials', { 'root-user': 'dev-minio-admin', 'root-password': 'rotated-dev-password' })])
        : a,
    ),
    ...stackTree('prod').map((a) => {
      if (a.component === 'loki') {
        const image = 'docker.io/grafana/loki:3.8.0';
        return app('prod', 'loki', [
          service('loki-write'),
          lokiStatefulSet('write', { image, storage: '100Gi' }),
          lokiStatefulSet('backend', { image }),
        ]);
      }
      if (a.component === 'grafana')
        return app('prod', 'grafana', [service('grafana'), claim('grafana-data', '20Gi'), grafanaDeployment()]);
      return a;
    }),
  );
  return diffTrees({ base, head });
}

/** `count` apps' worth of changed ConfigMaps, each with a few changed lines, plus one image bump per app. */
function hugeReport(apps: number, perApp: number): DiffReport {
  // Each app its own objects: two apps of one environment rendering one object is a flag of its own.
  const objects = (version: number, appIndex: number) =>
    Array.from({ length: perApp }, (_, i) =>
      configMap(`dashboards-${appIndex}-${String(i).padStart(4, '0')}`, {
        'dashboard.json': `{"title": "Dashboard ${i}", "version": ${version}, "refresh": "${version * 10}s"}\n`,
      }),
    );
  const side = (version: number, image: string) =>
    tree(
      ...Array.from({ length: apps }, (_, i) =>
        app(i % 2 === 0 ? 'dev' : 'prod', `grafana-${i}`, [
          ...objects(version, i),
          { ...grafanaDeployment({ image }), metadata: { name: `grafana-${i}`, namespace: 'observability' } },
        ]),
      ),
    );
  return diffTrees({ base: side(1, 'docker.io/grafana/grafana:12.3.1'), head: side(2, 'docker.io/grafana/grafana:12.4.0') });
}

function sectionOrder(text: string, markers: readonly string[]): number[] {
  return markers.map((marker) => text.indexOf(marker));
}

describe('formatMarkdown', () => {
  it('renders a pull request comment (golden)', async () => {
    // GIVEN a realistic pull request's report
    const report = pullRequest();

    // WHEN formatted as the PR comment
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, marker: MARKER });

    // THEN it is the reviewed golden comment: marker, SHAs, flags, summary, then diffs
    await expect(markdown).toMatchFileSnapshot('__golden__/pull-request.md');
    const order = sectionOrder(markdown, [MARKER, BASE_SHA, '### Review first', '### Summary', '### Object diffs']);
    expect(order.every((position, i) => position >= 0 && (i === 0 || position > (order[i - 1] ?? 0)))).toBe(true);
    expect(markdown).not.toContain('rotated-dev-password');
  });

  it('says "No rendered changes" when nothing changes (golden)', async () => {
    // GIVEN identical trees
    const report = diffTrees({ base: tree(...stackTree('dev')), head: tree(...stackTree('dev')) });

    // WHEN formatted
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, marker: 'observability-diff' });

    // THEN the comment says so plainly, with both SHAs and the wrapped marker
    await expect(markdown).toMatchFileSnapshot('__golden__/no-changes.md');
    expect(markdown).toContain('No rendered changes');
    expect(markdown.startsWith(`${MARKER}\n`)).toBe(true);
    expect(markdown).not.toContain('### Summary');
  });

  it('cuts whole object diffs with a note when the limit is tight (golden)', async () => {
    // GIVEN the pull request's report and a limit that holds the flags and summary but not every diff
    const report = pullRequest();
    const full = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA });
    const limit = full.length - 50;

    // WHEN formatted within that limit
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, limit, fullReportHint: 'the job summary of run 42' });

    // THEN it fits, keeps flags and summary whole, and says how many diffs are elsewhere
    await expect(markdown).toMatchFileSnapshot('__golden__/pull-request-cut.md');
    expect(markdown.length).toBeLessThanOrEqual(limit);
    const flagsAndSummary = full.slice(full.indexOf('### Review first'), full.indexOf('### Object diffs'));
    expect(markdown).toContain(flagsAndSummary);
    // AND the diffs kept first are those of flagged objects: the one left out is loki-backend's, flagged by nothing
    expect(markdown).toContain('changed StatefulSet observability/loki-write (+2 −2)</summary>');
    expect(markdown).not.toContain('changed StatefulSet observability/loki-backend');
    expect(markdown).toContain('changed Secret observability/minio-credentials (+1 −1)</summary>');
    const shown = markdown.split('<details>').length - 1;
    expect(shown).toBeLessThan(report.changes.length);
    expect(markdown).toContain(
      `_${report.changes.length - shown} more object diff${report.changes.length - shown === 1 ? '' : 's'} not shown: see the full report in the job summary of run 42._`,
    );
  });

  it("keeps a diff of thousands of objects under GitHub's limit, flags and summary whole", () => {
    // GIVEN 40 apps of 100 changed ConfigMaps each and an image bump in every app
    const report = hugeReport(40, 100);
    expect(report.changes).toHaveLength(4040);

    // WHEN formatted with the default limit
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, marker: MARKER });

    // THEN it fits in one comment
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    // AND every flag and every summary row is there
    expect(report.flags).toHaveLength(40);
    for (const flag of report.flags)
      expect(markdown).toContain(
        `${flag.env}/${flag.component}: image docker.io/grafana/grafana:12.3.1 → docker.io/grafana/grafana:12.4.0`,
      );
    for (const row of report.summary) expect(markdown).toContain(`| ${row.env} | ${row.component} | 0 | 0 | 101 |`);
    // AND the sync plan is whole too, each app's 100 ConfigMaps named up to a count
    expect(markdown).toContain(
      '- no wave · prod/grafana-39: restart Deployment grafana-39 (pod template: image of grafana; Recreate: every old pod stops before a new one starts); update ConfigMap dashboards-39-0000,',
    );
    expect(markdown.match(/update ConfigMap [^\n]* and 92 more/g)).toHaveLength(40);
    // AND the details are whole blocks with closed fences, followed by the note
    const opened = markdown.split('<details>').length - 1;
    expect(opened).toBeGreaterThan(0);
    expect(markdown.split('</details>').length - 1).toBe(opened);
    expect(markdown.split('\n').filter((line) => line.startsWith('```')).length).toBe(opened * 2);
    expect(markdown).toContain(`_${4040 - opened} more object diffs not shown: see the full report in`);
  });

  it('names the first 20 unchanged apps of a fleet and counts the rest, in the comment and on the terminal', () => {
    // GIVEN a fleet of 1,000 apps of which one changes
    const fleet = (value: string) =>
      tree(
        ...Array.from({ length: 1000 }, (_, i) =>
          app('dev', `app-${String(i).padStart(4, '0')}`, [configMap(`c${i}`, { k: i ? 'same' : value })]),
        ),
      );
    const report = diffTrees({ base: fleet('before'), head: fleet('after') });
    // WHEN formatted for a comment and for a terminal
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, marker: MARKER });
    const text = formatText(report, { color: false });
    // THEN both name app-0001 to app-0020 and say how many more are unchanged
    const named = Array.from({ length: 20 }, (_, i) => `dev/app-${String(i + 1).padStart(4, '0')}`).join(', ');
    expect(markdown).toContain(`Unchanged: ${named} and 979 more\n`);
    expect(text).toContain(`  unchanged: ${named} and 979 more\n`);
    expect(text).not.toContain('app-0021');
  });

  it('truncates the flag list with a count when flags alone would pass the limit', () => {
    // GIVEN 300 changed Secrets, each a flag, and a limit far below what their flags need
    const secrets = (value: string) => Array.from({ length: 300 }, (_, i) => secret(`credentials-${i}`, { password: `${value}-${i}` }));
    const report = diffTrees({ base: tree(app('prod', 'minio', secrets('old'))), head: tree(app('prod', 'minio', secrets('new'))) });
    const limit = 8_000;

    // WHEN formatted
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, limit });

    // THEN it fits, the summary is whole, and the flag list ends with a count of what was left out
    expect(markdown.length).toBeLessThanOrEqual(limit);
    expect(markdown).toContain('| prod | minio | 0 | 0 | 300 |');
    const listed = markdown.split('\n').filter((line) => line.startsWith('- **WARNING**')).length;
    expect(listed).toBeGreaterThan(0);
    expect(markdown).toContain(`- _${300 - listed} more flags not shown: see the full report in`);
    expect(markdown).toContain('_300 more object diffs not shown');
    expect(markdown).not.toContain('<details>');
  });

  it('stays within any limit, even one too small for the summary', () => {
    // GIVEN the pull request's report and a tiny limit
    const report = pullRequest();

    // WHEN formatted within 400 characters
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, limit: 400 });

    // THEN it still fits, cut at a line, saying where the rest is
    expect(markdown.length).toBeLessThanOrEqual(400);
    expect(markdown).toContain('see the full report');
  });

  it('fences a diff containing backticks with a longer fence', () => {
    // GIVEN a ConfigMap holding Markdown with a code fence
    const readme = (text: string) => configMap('grafana-readme', { 'README.md': `# Dashboards\n\n\`\`\`\n${text}\n\`\`\`\n` });
    const report = diffTrees({ base: tree(app('dev', 'grafana', [readme('old')])), head: tree(app('dev', 'grafana', [readme('new')])) });

    // WHEN formatted
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA });

    // THEN the diff is wrapped in a four-backtick fence that the inner three cannot close
    expect(markdown).toContain('\n````diff\n');
    expect(markdown).toContain('\n````\n\n</details>');
  });

  it('makes object text inert: no HTML or table breaks from a message', () => {
    // GIVEN an image reference carrying HTML and a pipe
    const deployment = (image: string): KubeObject => grafanaDeployment({ image });
    const report = diffTrees({
      base: tree(app('dev', 'grafana', [deployment('grafana:1')])),
      head: tree(app('dev', 'grafana', [deployment('grafana:<img src=x>|2')])),
    });

    // WHEN formatted
    const markdown = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA });

    // THEN the flag shows it escaped, and outside code fences (where it is literal text) it is never raw HTML
    expect(markdown).toContain('grafana:&lt;img src=x&gt;\\|2');
    expect(markdown.replace(/```diff\n[\s\S]*?\n```\n/g, '')).not.toContain('<img');
  });
});

describe('formatText', () => {
  it('renders the same content for a terminal (golden), without colour when asked', async () => {
    // GIVEN the pull request's report
    const report = pullRequest();

    // WHEN formatted without colour
    const text = formatText(report, { color: false });

    // THEN it is the reviewed golden text: flags, then summary, then diffs; no escape codes
    await expect(text).toMatchFileSnapshot('__golden__/pull-request.txt');
    expect(text).not.toContain('\u001b[');
    const order = sectionOrder(text, ['Review first', 'Summary', '--- base/']);
    expect(order[0]).toBeLessThan(order[1] ?? -1);
    expect(order[1]).toBeLessThan(order[2] ?? -1);
  });

  it('colours added lines green, removed lines red and headers bold when asked', () => {
    // GIVEN the pull request's report
    const report = pullRequest();

    // WHEN formatted with colour
    const text = formatText(report, { color: true });

    // THEN diff lines and headers carry ANSI styles, and stripping them gives the plain text back
    expect(text).toMatch(/\u001b\[32m\+\s+storage: 100Gi\u001b\[0m/);
    expect(text).toMatch(/\u001b\[31m-\s+storage: 50Gi\u001b\[0m/);
    expect(text).toContain('\u001b[1mSummary\u001b[0m');
    expect(text.replace(/\u001b\[\d+m/g, '')).toBe(formatText(report, { color: false }));
  });

  it('says "No rendered changes" for an empty report', () => {
    // GIVEN identical trees
    const report = diffTrees({ base: tree(...stackTree('prod')), head: tree(...stackTree('prod')) });
    // WHEN formatted
    // THEN it says so
    expect(formatText(report, { color: false })).toBe(
      'Rendered diff\nNo rendered changes: every app renders the same objects in base and head.\n',
    );
  });
});

describe('reportJson', () => {
  it('carries totals, flags, summary and changes as plain data', () => {
    // GIVEN the pull request's report
    const report = pullRequest();

    // WHEN turned into JSON data
    const json = JSON.parse(JSON.stringify(reportJson(report))) as Record<string, unknown>;

    // THEN it round-trips and its totals add up the summary
    expect(json['hasChanges']).toBe(true);
    expect(json['flags']).toEqual(report.flags);
    expect(json['changes']).toEqual(report.changes);
    const changedObjects = report.summary.reduce((total, row) => total + row.added + row.removed + row.changed, 0);
    expect(json['totals']).toMatchObject({ apps: 3, changed: changedObjects });
  });
});
