import { catalog as currentCatalog, type Catalog } from '../catalog/index.ts';
import { argoObjects } from '../argocd/app-files.ts';
import { applicationFacts, type AppFacts } from '../argocd/facts.ts';
import { readOutputTree } from '../generate/disk.ts';
import { generate } from '../generate/index.ts';
import { stalePaths } from '../generate/stale.ts';
import { gitCheckout, readGitTree } from '../git/tree.ts';
import { withWorktree } from '../git/worktree.ts';
import { openWorkingTree, workingTree, type Checkout, type OverlayRef } from '../git/checkout.ts';
import type { ObjectFormat } from '../git/source.ts';
import { compareStrings } from '../kube/order.ts';
import { parseObjects } from '../yaml.ts';
import { parse } from 'yaml';
import type { ArgoFileObject } from './applications.ts';

/**
 * Argo CD's facts of each overlay of a checkout, by `env/component`, as its Argo CD objects declare
 * them (data read from YAML, no code of the checkout run): waves, destination namespaces, sync options.
 */
export async function appFactsOf(checkout: Checkout, overlays: readonly OverlayRef[]): Promise<Map<string, AppFacts>> {
  const facts = applicationFacts(argoObjects(await checkout.appFiles()));
  return new Map(
    overlays.flatMap((overlay) => {
      const found = facts.get(overlay.dir);
      return found ? [[`${overlay.env}/${overlay.component}`, found] as const] : [];
    }),
  );
}

/**
 * Runs `fn` on one side of a diff: the working tree at `root` when `sha` is undefined, else the
 * commit read from git's objects (no checkout; files are written out only for overlays that must
 * be rendered). A commit with symbolic links or submodules gets a real worktree, which resolves them.
 */
export async function withCheckout<T>(
  root: string,
  sha: string | undefined,
  format: ObjectFormat,
  fn: (checkout: Checkout) => Promise<T>,
): Promise<T> {
  if (sha === undefined) return fn(await openWorkingTree(root, format));
  const tree = await readGitTree(root, sha);
  if (tree.hasLinks) return withWorktree(root, sha, (dir) => fn(workingTree(dir, format)));
  const checkout = gitCheckout(root, tree);
  try {
    return await fn(checkout);
  } finally {
    await checkout.dispose();
  }
}

/** Generated files of the working tree that its own catalog would generate differently. */
export async function staleFiles(dir: string, catalog: Catalog = currentCatalog): Promise<string[]> {
  return stalePaths(generate(catalog), await readOutputTree(dir));
}

/** Kustomize's own file names: not Kubernetes objects, compared as objects named by their path. */
const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/**
 * Every Argo CD object under `apps/` of a checkout, bootstrap included, with its file (YAML read
 * from the checkout, no code run). A kustomization file is one object named by its path.
 * @throws YamlParseError naming the file and document that cannot be read.
 */
export async function argoFilesOf(checkout: Checkout): Promise<ArgoFileObject[]> {
  const files = (await checkout.source.filesUnder('apps')).filter((path) => /\.ya?ml$/.test(path)).sort(compareStrings);
  const texts = await Promise.all(files.map(async (path) => (await checkout.source.bytes(path))?.toString('utf8') ?? ''));
  return files.flatMap((file, index) => {
    const text = texts[index] as string;
    if (!KUSTOMIZATION.test(file)) return parseObjects(text, file).map((object) => ({ file, object }));
    const fields = (parse(text) ?? {}) as Record<string, unknown>;
    return [
      {
        file,
        object: {
          ...fields,
          apiVersion: String(fields['apiVersion'] ?? 'kustomize.config.k8s.io/v1beta1'),
          kind: 'Kustomization',
          metadata: { name: file },
        },
      },
    ];
  });
}
