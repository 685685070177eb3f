/**
 * The packages a Node program runs with, as npm records them: what keys a kept result that depends on
 * the installed code.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * npm's record of the installed packages (`.package-lock.json`, rewritten by every install) in the
 * nearest node_modules at or above `dir`, where Node finds the packages the code loads; undefined when
 * there is none. Its bytes, not its modification time: a fresh install of the same packages (CI,
 * which keeps the render cache) writes the same record.
 * @see https://docs.npmjs.com/cli/v11/configuring-npm/package-lock-json#hidden-lockfiles
 */
export function packagesRecord(dir: string): Buffer | undefined {
  for (let at = dir; ; at = dirname(at)) {
    try {
      return readFileSync(join(at, 'node_modules', '.package-lock.json'));
    } catch {
      if (dirname(at) === at) return undefined;
    }
  }
}
