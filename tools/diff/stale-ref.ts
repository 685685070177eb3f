/**
 * The stale-generated check for a head that is a commit: the commit's own catalog regenerates its
 * files in a temporary worktree, and they are compared with the files the commit holds. The
 * generator is the commit's code, so it runs in a child process (its own modules, an environment
 * without the caller's secrets), never in this one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readOutputTree } from '../generate/disk.ts';
import { stalePaths } from '../generate/stale.ts';
import { withWorktree } from '../git/worktree.ts';
import { simpleGit } from 'simple-git';

/** The generator's entry points; a commit without them has no catalog to regenerate. */
const GENERATOR = ['tools/generate/index.ts', 'tools/catalog/index.ts'];

/** What the check found: the stale paths, or why the commit's catalog could not be generated. */
export type StaleCheck = { stale: string[] } | { error: string };

/** The child's program: the commit's generator on the commit's catalog, printed as JSON `[path, text][]`. */
function program(dir: string): string {
  const module = (path: string) => JSON.stringify(pathToFileURL(join(dir, path)).href);
  return [
    `const { generate } = await import(${module(GENERATOR[0] as string)});`,
    `const { catalog } = await import(${module(GENERATOR[1] as string)});`,
    'process.stdout.write(JSON.stringify([...generate(catalog)]));',
  ].join('\n');
}

/** Runs the commit's generator in `dir`; its output, or its first line of error. */
function generateIn(dir: string): Promise<{ files: Map<string, string> } | { error: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? dir };
    const child = spawn(process.execPath, ['--input-type=module', '-e', program(dir)], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => resolve({ error: error.message }));
    child.on('close', (code) => {
      if (code !== 0) {
        const message =
          Buffer.concat(err)
            .toString('utf8')
            .split('\n')
            .find((line) => /\w(Error|Exception)\b|^error/i.test(line)) ?? `exit code ${code}`;
        resolve({ error: message.trim() });
        return;
      }
      try {
        resolve({ files: new Map(JSON.parse(Buffer.concat(out).toString('utf8')) as [string, string][]) });
      } catch (error) {
        resolve({ error: `unreadable generator output: ${error instanceof Error ? error.message : String(error)}` });
      }
    });
  });
}

/**
 * The generated files of commit `sha` (a full SHA) of the repository at `root` that its own catalog
 * generates differently (changed, missing or orphaned), sorted; or the reason the catalog could not
 * be generated (an error of the commit, reported, not thrown). A commit without the generator
 * (a repository of YAML only) has nothing to check: no stale files. The worktree borrows `root`'s
 * node_modules when it has none. Throws WorktreeError when the worktree cannot be made.
 */
export async function staleFilesAt(root: string, sha: string): Promise<StaleCheck> {
  const listed = (await simpleGit({ baseDir: root }).raw(['ls-tree', '--name-only', '--full-tree', sha, '--', ...GENERATOR])).split('\n');
  if (!GENERATOR.every((path) => listed.includes(path))) return { stale: [] };
  return withWorktree(root, sha, async (dir) => {
    if (!existsSync(join(dir, 'node_modules')) && existsSync(join(root, 'node_modules')))
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const generated = await generateIn(dir);
    if ('error' in generated) return generated;
    return { stale: stalePaths(generated.files, await readOutputTree(dir)) };
  });
}
