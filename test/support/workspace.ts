/** A temporary copy of this repository to run the real commands in, as a user would after cloning it. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './repo.ts';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Copies every file git tracks (as the working tree has it) into a new temporary folder; node_modules is linked, not copied. */
export function copyRepository(prefix = 'obs-repo-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${REPO_ROOT}: ${listed.stderr}`);
  // node_modules is linked below (a link to it, as in a test's own copy, is not a directory git ignores).
  for (const path of listed.stdout.split('\0').filter((p) => p && p !== 'node_modules')) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    try {
      cpSync(join(REPO_ROOT, path), join(root, path));
    } catch (error) {
      // A tracked file deleted in the working tree is not part of this copy.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}

/**
 * Runs `npm run NAME -- ARGS` in `root` without npm itself: the command line of package.json's
 * `scripts.NAME` (leading `node` = this Node), so the flags npm would pass (`--import …`) are the same.
 */
export function npmRun(root: string, name: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): RunResult {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = scripts[name];
  if (!command) throw new Error(`package.json has no script ${name}`);
  const [program, ...words] = command.split(/\s+/);
  if (program !== 'node') throw new Error(`scripts.${name} does not start with node: ${command}`);
  const out = spawnSync(process.execPath, [...words, ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}
