/**
 * Files written whole: a reader sees the old content or the new, never half of either.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';

/**
 * Writes `data` to `file` through a temporary beside it (`<file>.<pid>.<random>.tmp`) renamed over it,
 * synchronously, with the modification (and access) time `seconds` since the epoch when given, set
 * before it is in place; the temporary is removed when writing or renaming fails.
 * @throws the file system's error
 */
export function writeWholeSync(file: string, data: string | NodeJS.ArrayBufferView, seconds?: number): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, data);
    if (seconds !== undefined) utimesSync(temporary, seconds, seconds);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
