/**
 * apps/ checked by Argo CD's own code (the `argocd` program: github.com/argoproj/argo-cd/v3 at the
 * version of the CRDs the repository declares): every object decodes strictly into that version's
 * types, and each ApplicationSet expands, with the controller's List generator and template renderer,
 * into exactly the Applications `npm run plan` lists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandApplicationSet } from '../../tools/argocd/expand.ts';
import { byKey } from '../../tools/kube/order.ts';
import { readOutputTree } from '../../tools/generate/disk.ts';
import { argoCdFindings, comparable, expandWithArgoCd } from '../../tools/upstream/argocd.ts';
import { argoFiles } from '../../tools/upstream/index.ts';
import { parseObjects } from '../../tools/yaml.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { ARGO_CD_CRDS_VERSION } from './support/argocd-crds.ts';
import { BIN_DIR, UPSTREAM_DIR } from './support/programs.ts';

const ARGOCD = join(BIN_DIR, 'argocd');
const files = argoFiles(await readOutputTree(REPO_ROOT));

describe(`apps/ read by Argo CD ${ARGO_CD_CRDS_VERSION}'s own code`, () => {
  it('the program is built from the Argo CD module at the version of the declared CRDs', () => {
    const goMod = readFileSync(join(UPSTREAM_DIR, 'argocd/go.mod'), 'utf8');
    expect(goMod).toMatch(new RegExp(`^\\s*github\\.com/argoproj/argo-cd/v3 ${ARGO_CD_CRDS_VERSION.replaceAll('.', '\\.')}$`, 'm'));
  });

  it('every Application, ApplicationSet and AppProject decodes strictly', async () => {
    const { expansion, error } = await expandWithArgoCd(ARGOCD, files);
    expect(error).toBeUndefined();
    const kinds = [...files]
      .flatMap(([path, text]) => parseObjects(text, path))
      .filter((o) => ['Application', 'ApplicationSet', 'AppProject'].includes(o.kind));
    expect(expansion?.objects.map((o) => `${o.kind} ${o.name}`).sort()).toEqual(kinds.map((o) => `${o.kind} ${o.metadata.name}`).sort());
  });

  it('each ApplicationSet generates exactly the Applications the plan lists, field for field', async () => {
    const { expansion } = await expandWithArgoCd(ARGOCD, files);
    const appsets = [...files].flatMap(([path, text]) => parseObjects(text, path)).filter((o) => o.kind === 'ApplicationSet');
    const planned = appsets.flatMap((a) => expandApplicationSet(a).map((p) => comparable(p.application)));
    expect(planned.length).toBeGreaterThan(0);
    const generated = (expansion?.applications ?? []).map((a) => comparable(a.application));
    const byName = (x: unknown): string => (x as { metadata: { name: string } }).metadata.name;
    expect([...generated].sort(byKey(byName))).toEqual([...planned].sort(byKey(byName)));
    expect(await argoCdFindings(ARGOCD, files)).toEqual([]);
  });

  it('a template without finalizers gets the resources finalizer from the controller unless the ApplicationSet preserves resources, as the plan says', async () => {
    // GIVEN copies of an ApplicationSet: finalizers dropped from the template; and also preserveResourcesOnDeletion set
    const [path, text] = [...files].find(([p]) => p.endsWith('.applicationset.yaml')) ?? ['', ''];
    const unfinalized = text.replace(/^ {6}finalizers:\n {8}- resources-finalizer\.argocd\.argoproj\.io\n/m, '');
    expect(unfinalized).not.toBe(text);
    const preserving = unfinalized.replace(/^spec:\n/m, 'spec:\n  syncPolicy:\n    preserveResourcesOnDeletion: true\n');
    for (const [variant, finalizers] of [
      [unfinalized, ['resources-finalizer.argocd.argoproj.io']],
      [preserving, undefined],
    ] as const) {
      // WHEN Argo CD's renderer and the plan expand it
      const { expansion, error } = await expandWithArgoCd(ARGOCD, new Map([[path, variant]]));
      expect(error).toBeUndefined();
      const planned = parseObjects(variant, path).flatMap((a) => expandApplicationSet(a).map((p) => comparable(p.application)));
      // THEN both give every Application the same finalizers
      const generated = (expansion?.applications ?? []).map((a) => comparable(a.application));
      expect(generated.map((a) => (a as { metadata: { finalizers?: string[] } }).metadata.finalizers)).toEqual(
        planned.map(() => finalizers),
      );
      expect(planned.map((a) => (a as { metadata: { finalizers?: string[] } }).metadata.finalizers)).toEqual(planned.map(() => finalizers));
    }
  });

  it('an unknown field in a copy of an ApplicationSet is refused', async () => {
    const [path, text] = [...files].find(([p]) => p.endsWith('.applicationset.yaml')) ?? ['', ''];
    const broken = new Map(files).set(path, text.replace(/^( {2})goTemplate: true$/m, '$1goTemplate: true\n$1goTemplates: true'));
    const findings = await argoCdFindings(ARGOCD, broken);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/ApplicationSet observability-\w+\): .*unknown field "goTemplates"/),
    ]);
  });

  it('a template key the list elements lack is refused by Argo CD (missingkey=error)', async () => {
    const [path, text] = [...files].find(([p]) => p.endsWith('.applicationset.yaml')) ?? ['', ''];
    const broken = new Map(files).set(path, text.replace(/path: (overlays\/\S+)/, 'path: "{{.nosuchkey}}/$1"'));
    const findings = await argoCdFindings(ARGOCD, broken);
    expect(findings[0]?.message).toMatch(/nosuchkey/);
  });
});
