/**
 * Objects that change app within one environment (one cluster): a move, with what Argo CD does to
 * it on the way (one Application prunes it, the other creates it, each in its RollingSync wave),
 * Sources: Argo CD docs, user-guide/sync-options.md (FailOnSharedResource, PruneLast) and
 * operator-manual/applicationset/Progressive-Syncs.md (RollingSync steps, one wave after another).
 */
import type { AppFacts } from '../argocd/facts.ts';
import type { KubeObject } from '../kube/object.ts';

/** An object removed from one app and added to another of the same environment. */
export interface Move {
  env: string;
  from: string;
  to: string;
  object: KubeObject;
}

const waveOf = (facts: AppFacts | undefined): string => (facts?.wave === undefined ? 'no wave' : `wave ${facts.wave}`);
const named = (app: string, facts: AppFacts | undefined): string => `${app} (${facts?.application ?? 'no Application'}, ${waveOf(facts)})`;

/** What a move risks: a message, and whether the object is deleted before it is created again. */
export interface MoveRisk {
  message: string;
  deletedInBetween: boolean;
}

/**
 * What happens to a moved object when head syncs, from the two apps' facts (head side, by
 * `env/component`): who prunes it, who creates it, and in which order their waves run.
 */
export function moveRisk(move: Move, facts: ReadonlyMap<string, AppFacts>): MoveRisk {
  const message = riskMessage(move, facts);
  const [from, to] = [facts.get(`${move.env}/${move.from}`), facts.get(`${move.env}/${move.to}`)];
  return { message, deletedInBetween: Boolean(from?.prune && from.wave !== undefined && to?.wave !== undefined && from.wave < to.wave) };
}

function riskMessage(move: Move, facts: ReadonlyMap<string, AppFacts>): string {
  const from = facts.get(`${move.env}/${move.from}`);
  const to = facts.get(`${move.env}/${move.to}`);
  const head = `moves from ${named(`${move.env}/${move.from}`, from)} to ${named(`${move.env}/${move.to}`, to)}`;
  if (!from?.prune)
    return `${head}: ${from?.application ?? move.from} does not prune, so the object stays until ${to?.application ?? move.to} takes it over.`;
  const fromWave = from.wave;
  const toWave = to?.wave;
  if (fromWave !== undefined && toWave !== undefined && fromWave < toWave) {
    return `${head}: ${from.application} prunes it in wave ${fromWave} and ${to?.application} creates it again only in wave ${toWave}: the object is deleted in between (a new one, without its data, comes back).`;
  }
  const shared = to?.failOnSharedResource
    ? ` With FailOnSharedResource=true, ${to.application}'s sync fails while ${from.application} still tracks the object.`
    : '';
  return `${head}: ${to?.application ?? move.to} may sync before ${from.application} prunes it (${waveOf(to)} vs ${waveOf(from)}).${shared} If ${from.application} syncs first, it deletes the object before it is created again.`;
}
