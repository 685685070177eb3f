/** The benchmark's synthetic trees (also rendered by test/render/batch.test.ts). */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ENVS = [['dev', 'dev'], ['prod', 'prod'], ['staging', 'dev'], ['qa', 'prod']] as const;

/**
 * A synthetic tree of `components` x `envs` overlays at `root`, copies of the real ones of `repo` with
 * their base paths rewritten (`loki-007`, …; `staging` and `qa` copy `dev` and `prod`), committed in a
 * fresh git repository.
 */
export function buildTree(repo: string, root: string, components: number, envs: number): void {
  const real = readdirSync(join(repo, 'base'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (let i = 0; i < components; i++) {
    const component = real[i % real.length];
    if (component === undefined) throw new Error(`${repo}/base: no component to copy`);
    const name = components <= real.length ? component : `${component}-${String(Math.floor(i / real.length)).padStart(3, '0')}`;
    cpSync(join(repo, 'base', component), join(root, 'base', name), { recursive: true });
    for (const [env, source] of ENVS.slice(0, envs)) {
      const dir = join(root, 'overlays', env, name);
      cpSync(join(repo, 'overlays', source, component), dir, { recursive: true });
      const file = join(dir, 'kustomization.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(`../../../base/${component}\n`, `../../../base/${name}\n`));
    }
  }
  mkdirSync(join(root, 'apps'));
  cpSync(join(repo, 'apps'), join(root, 'apps'), { recursive: true });
  writeFileSync(join(root, '.gitignore'), '.cache/\n');
  const git = (...args: string[]): void => {
    const out = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${root}: ${out.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'synthetic tree');
}
