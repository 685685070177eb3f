/**
 * What a base commit's `apps/` gives a diff whose working tree leaves `apps/` alone, kept per commit
 * beside the render cache: the Applications compared with themselves (tools/diff/applications.ts)
 * and Argo CD's facts of every overlay (tools/argocd/facts.ts). Both sides then hold the same bytes
 * under `apps/`, so both answers are those of the base alone, and its YAML is not read or parsed
 * again. Both are functions of those bytes and of the running code: a table is keyed by the commit and
 * the code's state (generated-ids.ts `runningCodeState`), and none is kept without one. Only answers
 * reached without an error are kept: a base whose `apps/` fails is read every time, and its error
 * raised as it is.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AppFacts } from '../argocd/facts.ts';
import { keepTable, readJson } from '../files.ts';
import type { ApplicationsDiff } from './applications.ts';
import { runningCodeState } from './generated-ids.ts';

/** Where the tables are kept, one per base commit, in the cache directory. */
const APPS_DIR = 'apps';

/** Tables kept: the newest by modification time. */
const KEPT = 8;

/** One commit's `apps/`, as a diff against itself reads it. */
export interface KeptApplications {
  /** The Applications compared with themselves. */
  applications: ApplicationsDiff;
  /** Argo CD's facts of each overlay its objects name, by overlay directory. */
  facts: ReadonlyMap<string, AppFacts>;
}

interface Table {
  key: string;
  applications: ApplicationsDiff;
  facts: [string, AppFacts][];
}

const fileName = (commit: string): string => `${commit}.json`;

/** The table's key: sha256 (hex) of the code state and the commit; undefined without a code state. */
function tableKey(dir: string, commit: string): string | undefined {
  const code = runningCodeState(dir);
  return code === undefined ? undefined : createHash('sha256').update(`applications\ncode ${code}\ncommit ${commit}\n`).digest('hex');
}

const isTable = (table: Partial<Table>, key: string): table is Table =>
  table.key === key &&
  typeof table.applications === 'object' &&
  table.applications !== null &&
  [table.applications.applications, table.applications.objects, table.applications.flags].every(Array.isArray) &&
  Array.isArray(table.facts) &&
  table.facts.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'object' && entry[1] !== null);

/** What `dir` keeps for `commit`'s `apps/`, or undefined (none, unreadable, damaged, another code's). */
export function readKeptApplications(dir: string, commit: string): KeptApplications | undefined {
  const key = tableKey(dir, commit);
  const table = key === undefined ? undefined : ((readJson(join(dir, APPS_DIR, fileName(commit))) ?? {}) as Partial<Table>);
  if (key === undefined || table === undefined || !isTable(table, key)) return undefined;
  return { applications: table.applications, facts: new Map(table.facts) };
}

/** Keeps `kept` for `commit` in `dir` (atomically; the newest tables only). One that cannot be written is left out. */
export async function keepApplications(dir: string, commit: string, kept: KeptApplications): Promise<void> {
  const key = tableKey(dir, commit);
  if (key === undefined) return;
  const table: Table = { key, applications: kept.applications, facts: [...kept.facts] };
  await keepTable(join(dir, APPS_DIR), fileName(commit), JSON.stringify(table), KEPT);
}
