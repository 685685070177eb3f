/**
 * The rendered documents of the working tree's early renders (tools/diff/run.ts), kept for the next
 * diff beside the render cache: the sha256 of each document's text and the objects it reads as. An
 * overlay being worked on is diffed again and again, and most of its documents render the same each
 * time: those are not parsed again (tools/yaml.ts parseObjectsKnown). How a text reads is a function
 * of the text and of the running code, so the table is keyed by the code's state (generated-ids.ts
 * `runningCodeState`) and sealed with its checksum; none is kept without a code state.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSealed, sealed, writeAtomically } from '../files.ts';
import type { KubeObject } from '../kube/object.ts';
import { runningCodeState } from './generated-ids.ts';

/** Where the table is kept, in the cache directory. */
const DOCUMENTS_FILE = 'early-documents.json';

interface Table {
  key: string;
  documents: [string, KubeObject[]][];
}

/** The table's key: sha256 (hex) of the code state; undefined without one. */
function tableKey(dir: string): string | undefined {
  const code = runningCodeState(dir);
  return code === undefined ? undefined : createHash('sha256').update(`rendered documents\ncode ${code}\n`).digest('hex');
}

/** The documents kept in the cache directory `dir`, by digest; empty when there are none, or they are unreadable or another code's. */
export function readKeptDocuments(dir: string): Map<string, readonly KubeObject[]> {
  const key = tableKey(dir);
  const table = key === undefined ? undefined : ((readSealed(join(dir, DOCUMENTS_FILE)) ?? {}) as Partial<Table>);
  // Sealed (tools/files.ts): as this code wrote it, so only its shape is looked at.
  if (key === undefined || table?.key !== key || !Array.isArray(table.documents)) return new Map();
  return new Map(table.documents);
}

/**
 * Keeps `documents` in the cache directory `dir` in place of the table there, unless they are the
 * documents it holds (`kept`); one that cannot be written is left out, it only saves parsing.
 */
export async function keepDocuments(
  dir: string,
  documents: ReadonlyMap<string, readonly KubeObject[]>,
  kept: ReadonlyMap<string, readonly KubeObject[]>,
): Promise<void> {
  const key = tableKey(dir);
  if (key === undefined || (documents.size === kept.size && [...documents.keys()].every((digest) => kept.has(digest)))) return;
  try {
    mkdirSync(dir, { recursive: true });
    await writeAtomically(join(dir, DOCUMENTS_FILE), sealed({ key, documents: [...documents] }));
  } catch {
    // Parsed again next time.
  }
}
