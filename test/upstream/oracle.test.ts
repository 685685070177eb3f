/**
 * The differential oracle: random, seeded mutations of the synced objects, each made for real
 * through the API by another field manager; our drift verdict for the object must equal the
 * server's (a server-side apply dry run as argocd-controller, forced, compared with live).
 * Each disagreement prints the command that replays it alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareObject, type DriftOptions } from '../../tools/drift/compare.ts';
import { desiredState } from '../../tools/drift/desired.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { findKustomize } from '../../tools/render/kustomize.ts';
import { parseObjects } from '../../tools/yaml.ts';
import { REPO_ROOT, renderCommitted } from '../support/repo.ts';
import { startApiServer, type ApiServer } from './support/api-server.ts';
import { ARGOCD_MANAGER, describeTask, sync, syncPlan, type SyncTask } from './support/argocd-sync.ts';
import { forUpdate, MUTATION_KINDS, random } from './support/mutations.ts';
import { deleteNow, serverSaysDrift } from './support/oracle.ts';

const BASE_SEED = Number(process.env['ORACLE_SEED'] ?? 20261130);
/** Accepted mutations per environment (the server refuses some random ones: those are drawn again). */
const COUNT = Number(process.env['ORACLE_COUNT'] ?? 300);
const MUTATOR = 'mutator';
/** prod's seeds are dev's plus this, so the two environments draw different mutations. */
const PROD_OFFSET = 1_000_000;
const SHARED_CASES = new URL('../../../shared/cases/drift/', import.meta.url).pathname;

/**
 * Disagreements already known, each owned by an issue: the test prints them and does not fail on
 * them; any other disagreement fails. An entry matches a verdict by mutation kind, object kind,
 * our verdict, and (when given) a pattern every field we report must match. The integrator tightens
 * this list as the drift fixes (#15) land: each run prints how many verdicts every entry covered.
 */
export const KNOWN_DRIFT_DISAGREEMENTS: readonly {
  name: string;
  mutation?: string;
  kind?: string;
  ours: boolean;
  fields?: RegExp;
  where?: RegExp;
  issue: string;
}[] = [];

/**
 * Cases of ../shared/cases/drift whose verdict is known to differ from the server's (reported, not failed), with the issue that owns each.
 */
export const KNOWN_CASE_DISAGREEMENTS: readonly { case: string; issue: string }[] = [];

interface Verdict {
  seed: number;
  env: string;
  object: string;
  mutation: string;
  where: string;
  ours: boolean;
  server: boolean;
  fields: string[];
}

function known(v: Verdict): (typeof KNOWN_DRIFT_DISAGREEMENTS)[number] | undefined {
  return KNOWN_DRIFT_DISAGREEMENTS.find(
    (k) =>
      k.ours === v.ours &&
      (k.mutation === undefined || k.mutation === v.mutation) &&
      (k.kind === undefined || v.object.startsWith(`${k.kind} `)) &&
      (k.where === undefined || k.where.test(v.where)) &&
      (k.fields === undefined || (v.fields.length > 0 && v.fields.every((f) => k.fields?.test(f)))),
  );
}

function report(verdicts: Verdict[]): { unknown: Verdict[]; summary: string } {
  const disagreements = verdicts.filter((v) => v.ours !== v.server);
  const lines = disagreements.map(
    (v) =>
      `seed ${v.seed} ${v.env} ${v.object} [${v.mutation} ${v.where}]: ours ${v.ours ? 'drift' : 'in sync'}, server ${v.server ? 'drift' : 'in sync'}${v.fields.length ? ` (${v.fields.join(', ')})` : ''}${known(v) ? ` known: ${known(v)?.name}` : ''}; replay: ORACLE_SEED=${v.seed - (v.env === 'prod' ? PROD_OFFSET : 0)} ORACLE_COUNT=1 npm run test:upstream -- test/upstream/oracle.test.ts -t ${v.env}`,
  );
  const byKind = new Map<string, { n: number; agree: number }>();
  for (const v of verdicts) {
    const entry = byKind.get(v.mutation) ?? { n: 0, agree: 0 };
    entry.n++;
    if (v.ours === v.server) entry.agree++;
    byKind.set(v.mutation, entry);
  }
  const table = [...byKind].map(([kind, { n, agree }]) => `  ${kind}: ${agree}/${n} agree`).join('\n');
  const covered = KNOWN_DRIFT_DISAGREEMENTS.map(
    (k) => `  known "${k.name}": ${disagreements.filter((v) => known(v) === k).length} disagreements (${k.issue})`,
  ).join('\n');
  return {
    unknown: disagreements.filter((v) => !known(v)),
    summary: `${verdicts.length} mutations, ${disagreements.length} disagreements\n${table}\n${covered}\n${lines.join('\n')}`,
  };
}

const tree = await renderCommitted();
const kustomize = await findKustomize();
const verdicts: Verdict[] = [];

describe.each(['dev', 'prod'])('differential oracle on overlays/%s/*', (env) => {
  let server: ApiServer;
  let options: DriftOptions;
  const plan = syncPlan(tree, env);
  // Namespaces are never deleted here (no namespace controller to finish it); hooks are not part of sync status.
  const targets = plan.filter((t) => t.object.kind !== 'Namespace' && !t.object.metadata.annotations?.['argocd.argoproj.io/hook']);
  beforeAll(async () => {
    server = await startApiServer();
    const rejected = await sync(server.client, plan);
    if (rejected.length > 0) throw new Error(`sync refused: ${rejected.map((r) => `${describeTask(r.task)}: ${r.reason}`).join('; ')}`);
    const state = await desiredState(REPO_ROOT, kustomize, env);
    options = { ignoreDifferences: state.ignoreDifferences, ...(state.namespace ? { namespace: state.namespace } : {}) };
  });
  afterAll(() => server?.stop());

  it(`${COUNT} seeded mutations: our verdict equals the server's`, async () => {
    const client = server.client;
    const mine: Verdict[] = [];
    const untracked = (task: SyncTask): KubeObject => {
      const rendered = tree.apps
        .find((a) => a.env === env && `${env}-${a.component}` === task.app)
        ?.objects.find((o) => o.kind === task.object.kind && o.metadata.name === task.object.metadata.name);
      return rendered ?? task.object;
    };
    for (let attempt = 0; mine.length < COUNT && attempt < COUNT * 4; attempt++) {
      const seed = BASE_SEED + attempt + (env === 'prod' ? PROD_OFFSET : 0);
      const rng = random(seed);
      const task = targets[Math.floor(rng() * targets.length)] as SyncTask;
      const kind = MUTATION_KINDS[Math.floor(rng() * MUTATION_KINDS.length)] as (typeof MUTATION_KINDS)[number];
      const live = (await client.get(task.object)) as KubeObject;
      const mutation = kind.mutate(kind.write === 'update' ? forUpdate(live) : structuredClone(live), rng);
      if (!mutation) continue;
      try {
        if (kind.write === 'update') await client.update(mutation.object, MUTATOR);
        else await client.apply(mutation.object, { fieldManager: 'other-manager', force: true });
      } catch {
        continue; // the server refused this random change: not a state a cluster can be in
      }
      try {
        const after = (await client.get(task.object)) as KubeObject;
        const fields = compareObject(untracked(task), after, options);
        const server = await serverSaysDrift(client, task.object, after);
        mine.push({
          seed,
          env,
          object: `${task.object.kind} ${task.object.metadata.name}`,
          mutation: kind.name,
          where: mutation.where,
          ours: fields.length > 0,
          server,
          fields: fields.map(
            (f) =>
              `${f.op} ${f.path}${f.redacted ? '' : ` ${JSON.stringify(f.desired ?? null).slice(0, 60)} → ${JSON.stringify(f.live ?? null).slice(0, 60)}`}`,
          ),
        });
      } finally {
        await deleteNow(client, task.object);
        const rejected = await sync(client, [task]);
        if (rejected.length > 0) throw new Error(`seed ${seed}: re-sync refused: ${rejected[0]?.reason}`);
      }
    }
    verdicts.push(...mine);
    const { unknown, summary } = report(mine);
    console.log(`oracle ${env}: ${summary}`);
    expect(mine.length).toBe(COUNT);
    expect(
      unknown.map((v) => `seed ${v.seed} ${v.object} [${v.mutation} ${v.where}] ours=${v.ours} server=${v.server} ${v.fields.join(', ')}`),
    ).toEqual([]);
  });
});

describe.skipIf(!existsSync(SHARED_CASES))('differential oracle on ../shared/cases/drift (skipped without ../shared)', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(() => server?.stop());

  const cases = existsSync(SHARED_CASES)
    ? readdirSync(SHARED_CASES, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) =>
          readdirSync(join(SHARED_CASES, d.name))
            .filter((f) => f.startsWith('desired'))
            .map((f) => ({
              name: `${d.name}/${f}`,
              desired: join(SHARED_CASES, d.name, f),
              live: join(SHARED_CASES, d.name, f.replace('desired', 'live')),
            })),
        )
    : [];

  it.each(cases.map((c) => [c.name, c] as const))("%s: our verdict equals the server's", async (name, c) => {
    const client = server.client;
    const desired = parseObjects(readFileSync(c.desired, 'utf8'), c.desired);
    const wanted = parseObjects(readFileSync(c.live, 'utf8'), c.live);
    const outcomes: string[] = [];
    for (const object of desired) {
      const ns = object.metadata.namespace;
      if (ns) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'test-setup' });
      await deleteNow(client, object);
      try {
        await client.apply(object, { fieldManager: ARGOCD_MANAGER, force: true });
      } catch (error) {
        outcomes.push(
          `${object.kind} ${object.metadata.name}: the server refuses the desired object as we read it: ${(error as Error).message.replace(/^PATCH \S+: /, '')}`,
        );
        continue;
      }
      // Make live look like the case's live object where the server lets a client write it (allocated and immutable fields stay).
      const shaped = wanted.find((w) => w.kind === object.kind && w.metadata.name === object.metadata.name);
      const live = (await client.get(object)) as KubeObject;
      if (shaped) {
        const { metadata: _m, status: _s, ...body } = shaped as Record<string, unknown>;
        await client.update({ ...forUpdate(live), ...body } as KubeObject, 'case-live').catch(() => {});
      }
      const after = (await client.get(object)) as KubeObject;
      const fields = compareObject(object, after);
      const serverVerdict = await serverSaysDrift(client, object, after);
      if (fields.length > 0 !== serverVerdict) {
        outcomes.push(
          `${object.kind} ${object.metadata.name}: ours ${fields.length > 0 ? 'drift' : 'in sync'} (${fields.map((f) => `${f.op} ${f.path}`).join(', ')}), server ${serverVerdict ? 'drift' : 'in sync'}`,
        );
      }
    }
    const knownCase = KNOWN_CASE_DISAGREEMENTS.find((k) => k.case === name);
    if (knownCase) {
      console.log(
        outcomes.length > 0
          ? `known disagreement (${knownCase.issue}): ${name}: ${outcomes.join('; ')}`
          : `${name} now agrees with the server: drop it from KNOWN_CASE_DISAGREEMENTS`,
      );
      return;
    }
    expect(outcomes).toEqual([]);
  });
});
