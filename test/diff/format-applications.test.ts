import { describe, expect, it } from 'vitest';
import { diffApplications, type ArgoFileObject } from '../../tools/diff/applications.ts';
import { diffTrees, type DiffReport } from '../../tools/diff/engine.ts';
import { formatMarkdown, formatText, GITHUB_COMMENT_LIMIT, reportJson } from '../../tools/diff/format.ts';
import { applicationSet, appProject } from '../../tools/generate/apps.ts';
import { catalog } from '../../tools/catalog/index.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { app, configMap, tree } from './stack.ts';

const BASE_SHA = '3f2a9c0d7b1e4f6a8c2d5e7f9a1b3c4d5e6f7a8b';
const HEAD_SHA = 'c81e728d9d4c2f636f067f89cc14862c4a5b6d7e';

/** The generated apps/ of base, and a head where prod's ApplicationSet is gone and dev follows release-1. */
function argoSides(): { base: ArgoFileObject[]; head: ArgoFileObject[] } {
  const base = [
    ...catalog.environments.map((env) => ({ file: `apps/${env.name}.applicationset.yaml`, object: applicationSet(catalog, env) })),
    { file: 'apps/project.yaml', object: appProject(catalog) },
  ];
  const head = base
    .filter((entry) => entry.file !== 'apps/prod.applicationset.yaml')
    .map((entry) => {
      if (entry.file !== 'apps/dev.applicationset.yaml') return entry;
      const copy = structuredClone(entry.object) as KubeObject & { spec: { template: { spec: { source: { targetRevision: string } } } } };
      copy.spec.template.spec.source.targetRevision = 'release-1';
      return { file: entry.file, object: copy };
    });
  return { base, head };
}

/** A pull request far over GitHub's limit: `count` changed ConfigMaps of ~1.5 kB of diff each, plus the apps/ changes. */
function hugeReport(count: number): DiffReport {
  const side = (version: number) =>
    tree(
      app(
        'dev',
        'grafana',
        Array.from({ length: count }, (_, i) =>
          configMap(`dashboard-${String(i).padStart(4, '0')}`, {
            'dashboard.json': `${Array.from({ length: 20 }, (_, line) => `{"panel": ${line}, "version": ${version}}`).join('\n')}\n`,
          }),
        ),
      ),
    );
  const { base, head } = argoSides();
  return diffTrees({ base: side(1), head: side(2), applications: diffApplications(base, head) });
}

describe('the Applications section in the PR comment', () => {
  it("comes after the flags and before the summary and object diffs, and the comment fits GitHub's limit: object diffs are cut first", () => {
    // GIVEN a report with Argo CD changes and 400 object diffs (far over 65,536 characters in full)
    const report = hugeReport(400);
    const full = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, limit: Number.MAX_SAFE_INTEGER });
    expect(full.length).toBeGreaterThan(4 * GITHUB_COMMENT_LIMIT);
    // WHEN formatted for GitHub
    const comment = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, marker: 'observability-diff' });
    // THEN it fits, the sections are in order, every Application entry is kept, and diffs are cut with a note
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const at = (text: string) => comment.indexOf(text);
    expect(at('### Review first')).toBeGreaterThan(0);
    expect(at('### Applications (apps/)')).toBeGreaterThan(at('### Review first'));
    expect(at('### Summary')).toBeGreaterThan(at('### Applications (apps/)'));
    expect(at('### Object diffs')).toBeGreaterThan(at('### Summary'));
    for (const entry of report.applications?.applications ?? []) expect(comment).toContain(`Application ${entry.name} (`);
    expect(comment).toContain('- **removed** ApplicationSet argocd/observability-prod (apps/prod.applicationset.yaml)');
    expect(comment).toMatch(/_\d+ more object diffs not shown: see the full report in /);
    expect(comment).not.toContain('more Argo CD change');
  });

  it('when even the Argo CD entries do not fit, whole entries are cut with a count, and the flags stay', () => {
    // GIVEN the same report and a limit that holds the flags and summary but only some Argo CD entries
    const report = hugeReport(3);
    const full = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA });
    const applications = full.slice(full.indexOf('### Applications (apps/)'), full.indexOf('### Summary'));
    const limit = full.length - full.slice(full.indexOf('### Object diffs')).length - Math.floor(applications.length / 2);
    // WHEN formatted within it
    const cut = formatMarkdown(report, { baseSha: BASE_SHA, headSha: HEAD_SHA, limit });
    // THEN it fits; every flag is there; some entries are replaced by a note counting them; object diffs by theirs
    expect(cut.length).toBeLessThanOrEqual(limit);
    for (const flag of report.flags) expect(cut).toContain(`\`${flag.rule}\``);
    expect(cut).toMatch(/- _\d+ more Argo CD changes? not shown: see the full report in /);
    expect(cut).toContain('_3 more object diffs not shown');
    expect(cut.indexOf('### Applications (apps/)')).toBeLessThan(cut.indexOf('### Summary'));
  });

  it('is in the text report and in --json (applications, argoObjects)', () => {
    const report = hugeReport(1);
    const text = formatText(report, { color: false });
    expect(text).toContain(
      'Applications (apps/)\n  changed Application dev-alloy (dev/alloy, ApplicationSet observability-dev)\n      spec.source.targetRevision: main → release-1\n',
    );
    const json = JSON.parse(JSON.stringify(reportJson(report))) as {
      hasChanges: boolean;
      applications: { change: string; name: string }[];
      argoObjects: { change: string; kind: string }[];
    };
    expect(json.hasChanges).toBe(true);
    expect(json.applications.map((a) => `${a.change} ${a.name}`)).toContain('removed prod-loki');
    expect(json.applications.map((a) => `${a.change} ${a.name}`)).toContain('changed dev-loki');
    expect(json.argoObjects.map((o) => `${o.change} ${o.kind}`)).toEqual(['removed ApplicationSet']);
  });
});
