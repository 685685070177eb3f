import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Replaces the first `from` in a file of `root` with `to`; throws when the file lacks it (the situation would not be built). */
export function edit(root: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(root, path), 'utf8');
  if (!text.includes(from)) throw new Error(`${path} does not contain ${from}`);
  writeFileSync(join(root, path), text.replace(from, to));
}

/** Commits everything in `root`'s working tree. */
export async function commit(root: string, message: string): Promise<void> {
  await simpleGit(root).add('.').commit(message);
}
