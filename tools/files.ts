/**
 * Files written whole: a reader sees the old content or the new, never half of either; and the tables
 * a run keeps for the next, sealed with their checksum and read back whole or not at all.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareStrings } from './kube/order.ts';

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

/**
 * Writes `text` to `target` through a temporary file renamed over it: a reader sees the old entry or
 * the new one, never half of one. The temporary (`<target>.<pid>.<random>.tmp`) is removed on failure.
 * @throws the file system's error
 */
export async function writeAtomically(target: string, text: string): Promise<void> {
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes `text` as the table `name` in the folder `folder` (created if missing; atomically, see
 * writeAtomically), then deletes all but the `count` newest tables there by modification time (a
 * table per commit: a CI cache holds a branch's few bases). A table that cannot be written is left
 * out: a kept table only saves work.
 */
export async function keepTable(folder: string, name: string, text: string, count: number): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    await writeAtomically(join(folder, name), text);
    const kept = await Promise.all(
      (await readdir(folder)).map(async (entry) => ({
        entry,
        time: (await stat(join(folder, entry)).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    const old = kept.sort((a, b) => b.time - a.time || compareStrings(a.entry, b.entry)).slice(count);
    await Promise.all(old.map(({ entry }) => rm(join(folder, entry), { force: true })));
  } catch {
    // Only a saving.
  }
}

/**
 * `text` after a line with its sha256 (hex): a table written by the code that reads it, whose checksum
 * says it arrived whole and unedited, need not be checked entry by entry (readSealedText).
 */
export const sealedText = (text: string): string => `${createHash('sha256').update(text).digest('hex')}\n${text}`;

/** The text `sealedText` wrote to `file`, or undefined when it is missing, unreadable, or its checksum differs. */
export function readSealedText(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  const body = text.slice(newline + 1);
  return newline === 64 && createHash('sha256').update(body).digest('hex') === text.slice(0, 64) ? body : undefined;
}

/** `value` as JSON, sealed (sealedText). */
export const sealed = (value: unknown): string => sealedText(JSON.stringify(value));

/** The value `sealed` wrote to `file`, or undefined when it is missing, unreadable, or its checksum differs. */
export function readSealed(file: string): unknown {
  const json = readSealedText(file);
  try {
    return json === undefined ? undefined : JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The JSON value in `file`, or undefined when it is missing, unreadable or not JSON (a cache entry that is a miss). */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
