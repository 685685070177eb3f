/** The benchmark's synthetic trees (also rendered by test/render/batch.test.ts). */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalog } from '../tools/catalog/index.ts';
import type { Environment } from '../tools/catalog/types.ts';
import { generate } from '../tools/generate/index.ts';

const ENVS = [
  ['dev', 'dev'],
  ['prod', 'prod'],
  ['staging', 'dev'],
  ['qa', 'prod'],
] as const;

/** The namespace the real stack uses, and the word every cluster-scoped object's name carries. */
const STACK = 'observability';

/**
 * Copies the directory `from` to `to`, writing `observability` as `rename` in every file's text and
 * name: a copy whose objects are its own (its own namespace, its own cluster-scoped names).
 */
function copyRenamed(from: string, to: string, rename: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const target = join(to, entry.name.replaceAll(STACK, rename));
    if (entry.isDirectory()) copyRenamed(join(from, entry.name), target, rename);
    else writeFileSync(target, readFileSync(join(from, entry.name), 'utf8').replaceAll(STACK, rename));
  }
}

/**
 * A synthetic tree of `components` x `envs` overlays at `root`, committed in a fresh git repository.
 * Up to five components it is the real tree (`staging` and `qa` copy `dev` and `prod`). Beyond, each
 * component is a copy of a real one (`loki-007`, …) with its base path rewritten and its own namespace
 * and cluster-scoped names (`observability-007`), as the components of one catalog have: copies that
 * declared the same objects would be one object shared by many Applications, which Argo CD and `check` refuse.
 */
export function buildTree(repo: string, root: string, components: number, envs: number): void {
  const real = readdirSync(join(repo, 'base'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (let i = 0; i < components; i++) {
    const component = real[i % real.length];
    if (component === undefined) throw new Error(`${repo}/base: no component to copy`);
    const copy = String(Math.floor(i / real.length)).padStart(3, '0');
    const name = components <= real.length ? component : `${component}-${copy}`;
    const rename = components <= real.length ? STACK : `${STACK}-${copy}`;
    copyRenamed(join(repo, 'base', component), join(root, 'base', name), rename);
    for (const [env, source] of ENVS.slice(0, envs)) {
      const dir = join(root, 'overlays', env, name);
      copyRenamed(join(repo, 'overlays', source, component), dir, rename);
      const file = join(dir, 'kustomization.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(`../../../base/${component}\n`, `../../../base/${name}\n`));
    }
  }
  mkdirSync(join(root, 'apps'));
  cpSync(join(repo, 'apps'), join(root, 'apps'), { recursive: true });
  commitAll(root);
}

/** `root` made a git repository with everything under it committed (`.cache/` ignored). */
function commitAll(root: string): void {
  writeFileSync(join(root, '.gitignore'), '.cache/\n');
  const git = (...args: string[]): void => {
    const out = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${root}: ${out.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'synthetic tree');
}

/**
 * A catalog of `count` environments, alternately copies of the real dev and prod (`dev-001`,
 * `prod-002`, …), each its own cluster and secret-store prefix: a fleet of `count` × 5 overlays that
 * `check` accepts, as the catalog generates every file of it.
 */
export function fleetCatalog(catalog: Catalog, count: number): Catalog {
  const models = catalog.environments;
  const environments = Array.from({ length: count }, (_, i): Environment => {
    const model = models[i % models.length] as Environment;
    const name = `${model.name}-${String(i + 1).padStart(3, '0')}`;
    return {
      ...model,
      name,
      cluster: { ...model.cluster, name, server: `https://${name}.k8s.example.internal:6443` },
      ...(model.secretStore ? { secretStore: { ...model.secretStore, keyPrefix: `observability/${name}` } } : {}),
    };
  });
  return { ...catalog, environments };
}

/** Writes what the catalog generates at `root`, committed in a fresh git repository (as `npm run generate` and a commit would). */
export function buildCatalogTree(root: string, catalog: Catalog): void {
  for (const [path, text] of generate(catalog)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  commitAll(root);
}
