import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll } from 'vitest';
import { REPO_ROOT } from './repo.ts';

const made: string[] = [];
afterAll(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A fresh git repository holding a copy of the committed `dirs`, with `files` written beside them,
 * all in one commit. Removed after the test file.
 */
export async function committedCopy(dirs: readonly string[], files: Record<string, string> = {}): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'obs-repo-'));
  made.push(root);
  for (const dir of dirs) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
  await simpleGit(root).init().addConfig('user.email', 'test@example.invalid').addConfig('user.name', 'test').add('.').commit('tree');
  return root;
}

/** A temporary directory removed after the test file. */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
