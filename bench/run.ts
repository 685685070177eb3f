#!/usr/bin/env node
/**
 * The benchmark (npm run bench): synthetic catalogs copied from the real generated tree, each case
 * measured in a child process (median of --runs), against plain kustomize at the same parallelism.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { detectDrift } from '../tools/drift/compare.ts';
import type { KubeObject } from '../tools/kube/object.ts';
import { openRenderCache, DEFAULT_CACHE_DIR } from '../tools/render/cache.ts';
import { mapLimited } from '../tools/concurrency.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { listOverlays, renderOverlays } from '../tools/render/overlays.ts';
import { diffRefs } from '../tools/diff/run.ts';
import { parseObjects, toYaml } from '../tools/yaml.ts';
import { EXIT, UsageError, main, parseFlags, required } from '../cli/command.ts';
import { buildTree } from './tree.ts';

const USAGE = `
Usage: npm run bench [-- --sizes 5x2,50x4,250x4] [--runs 3] [--out DIR | --update]

Builds synthetic trees (components x environments) in a temporary directory from the committed
base/ and overlays/, measures render-all (cold cache), check-warm, diff-one-change and drift-10000,
each in its own child process, run by run beside its floor (the least work any tool must do for the
case). Writes results.json and results.md to --out DIR, by default a new temporary folder, and
prints where; --update writes the committed bench/results.json and bench/results.md instead.
Removes its other temporary files.
`;

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DRIFT_OBJECTS = 10_000;

interface Measure { seconds: number; peakMiB: number; note?: string }
interface Case { name: string; overlays: number; tool_s: number; floor_s: number; ratio: number; peak_mib: number; floor: string }

/** What each case's floor is: the least work any tool must do for it, measured beside it. */
const FLOORS: Record<string, string> = {
  'render-all': 'one kustomize process per overlay, as many at once as there are cores',
  'check-warm': "`git ls-files -s`: reading git's index for the tree",
  'diff-one-change': 'one kustomize of the changed overlay and `git ls-tree -r HEAD`',
  drift: 'reading and `JSON.parse` of the same two files',
};

/** Ratio targets (tool / floor, median of the run-by-run ratios) at the full sizes. */
const TARGETS: Record<string, number> = { 'render-all-1000': 0.35, 'check-warm-1000': 3, 'diff-one-change-1000': 2, [`drift-${10_000}`]: 2 };

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** Runs one case in a child process, so its peak memory is its own. */
function child(kind: string, root: string): Measure {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', kind, '--root', root], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`bench case ${kind} failed: ${out.stderr.trim()}`);
  return JSON.parse(out.stdout) as Measure;
}

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
};

const run = promisify(execFile);

/** render-all's floor: plain kustomize processes over the same overlays, as many at once as the tool runs. */
async function renderFloor(root: string): Promise<number> {
  const [bin, ...args] = (await findKustomize()).command;
  const overlays = await listOverlays(root);
  return seconds(() => mapLimited(overlays, (o) => run(bin, [...args, join(root, o.dir)], { maxBuffer: 1 << 26 }), availableParallelism()));
}

/** diff-one-change's floor: the changed overlay rendered once, and the base ref's tree listed. */
async function diffFloor(root: string, overlay: string): Promise<number> {
  const [bin, ...args] = (await findKustomize()).command;
  return seconds(() => Promise.all([run(bin, [...args, join(root, overlay)], { maxBuffer: 1 << 26 }), run('git', ['ls-tree', '-r', 'HEAD'], { cwd: root, maxBuffer: 1 << 28 })]));
}

/** check-warm's floor: git's index for the tree, what an unchanged tree must at least cost to recognise. */
const indexFloor = (root: string): Promise<number> => seconds(() => run('git', ['ls-files', '-s'], { cwd: root, maxBuffer: 1 << 28 }));

/** One case, `runs` times, each run its floor then the tool: a slow spell of the machine weighs on both alike. */
async function paired(name: string, overlays: number, runs: number, floorOf: () => Promise<number>, tool: () => Measure, say: (line: string) => void, before?: (run: number) => void): Promise<Case> {
  const floors: number[] = [];
  const tools: Measure[] = [];
  for (let i = 0; i < runs; i++) {
    before?.(i);
    const f = await floorOf();
    const t = tool();
    floors.push(f);
    tools.push(t);
    say(`  ${name} run ${i + 1}/${runs}: tool ${t.seconds.toFixed(3)} s, floor ${f.toFixed(3)} s`);
  }
  const kind = name.replace(/-\d+$/, '');
  return {
    name, overlays,
    tool_s: round(median(tools.map((m) => m.seconds))),
    floor_s: round(median(floors)),
    ratio: round(median(tools.map((m, i) => m.seconds / (floors[i] ?? NaN)))),
    peak_mib: round(Math.max(...tools.map((m) => m.peakMiB)), 1),
    floor: FLOORS[kind] ?? '',
  };
}

/** The measured part of each case, inside its child process. */
async function runCase(kind: string, root: string): Promise<Measure> {
  const kustomize = await findKustomize();
  const cache = openRenderCache(root);
  let note: string | undefined;
  let started = performance.now();
  if (kind === 'render-all' || kind === 'check-warm') {
    if (kind === 'render-all') rmSync(join(root, DEFAULT_CACHE_DIR), { recursive: true, force: true });
    started = performance.now();
    await renderOverlays(root, kustomize, await listOverlays(root), { cache });
  } else if (kind === 'diff-one-change') {
    await diffRefs(root, kustomize, 'HEAD', undefined, { cache });
  } else if (kind === 'drift-floor') {
    started = performance.now();
    JSON.parse(readFileSync(join(root, 'desired.json'), 'utf8'));
    JSON.parse(readFileSync(join(root, 'snapshot.json'), 'utf8'));
  } else if (kind === 'drift') {
    // What `npm run drift -- --desired … --snapshot …` does after start-up: read both files, compare.
    started = performance.now();
    const desired = parseObjects(readFileSync(join(root, 'desired.json'), 'utf8'), 'desired.json');
    const live = parseObjects(readFileSync(join(root, 'snapshot.json'), 'utf8'), 'snapshot.json');
    detectDrift(desired, live);
    const seconds = (performance.now() - started) / 1000;
    const yamlStarted = performance.now();
    parseObjects(readFileSync(join(root, 'snapshot.yaml'), 'utf8'), 'snapshot.yaml');
    note = `the same snapshot as YAML (kubectl get -o yaml) takes ${((performance.now() - yamlStarted) / 1000).toFixed(2)} s more to parse`;
    return { seconds, peakMiB: process.resourceUsage().maxRSS / 1024, note };
  } else {
    throw new UsageError(`--case ${kind}: unknown case`);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, peakMiB: process.resourceUsage().maxRSS / 1024, ...(note ? { note } : {}) };
}

/** 10,000 desired objects (the real renders, renamed) and a snapshot of them as an API server returns them. */
async function driftInputs(dir: string): Promise<void> {
  const kustomize = await findKustomize();
  const real = (await renderOverlays(REPO, kustomize, await listOverlays(REPO))).apps.flatMap((a) => a.objects);
  const desired: KubeObject[] = [];
  for (let i = 0; desired.length < DRIFT_OBJECTS; i++) {
    const source = real[i % real.length];
    if (!source) throw new Error(`${REPO}: no overlay renders any object to copy`);
    desired.push({ ...source, metadata: { ...source.metadata, name: `${source.metadata.name}-${Math.floor(i / real.length)}` } });
  }
  const live = desired.map((o, i) => ({ ...o, metadata: { ...o.metadata, uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, resourceVersion: String(1000 + i), generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' }, status: {} }));
  writeFileSync(join(dir, 'desired.json'), JSON.stringify(desired));
  // As `kubectl get -o json` and `-o yaml` write a List.
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: live }, null, 4));
  writeFileSync(join(dir, 'snapshot.yaml'), toYaml({ apiVersion: 'v1', kind: 'List', items: live }));
}

function markdown(cases: Case[], notes: string[]): string {
  const rows = cases.map((c) => `| ${c.name} | ${c.overlays} | ${c.tool_s} | ${c.floor_s} | ${c.ratio} | ${TARGETS[c.name] !== undefined ? `≤ ${TARGETS[c.name]}` : ''} | ${c.peak_mib} | ${c.floor} |`);
  return [
    '# Benchmark results',
    '',
    `${new Date().toISOString()}, ${availableParallelism()} cores, Node ${process.version}. Seconds are medians; ratio = the median of tool / floor, run by run.`,
    '',
    '| case | overlays | tool s | floor s | ratio | target | peak MiB | floor |',
    '|---|---:|---:|---:|---:|---|---:|---|',
    ...rows,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

await main(USAGE, async () => {
  const benchStarted = performance.now();
  const { values: flags } = parseFlags(process.argv.slice(2), {
    sizes: { type: 'string', default: '5x2,50x4,250x4' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string' },
    update: { type: 'boolean' },
    case: { type: 'string' },
    root: { type: 'string' },
  });
  if (flags.out !== undefined && flags.update) throw new UsageError('--out DIR and --update both say where results go: give one');
  if (flags.case !== undefined) {
    process.stdout.write(`${JSON.stringify(await runCase(flags.case, required(flags.root, '--root DIR')))}\n`);
    return EXIT.ok;
  }
  const runs = Number(flags.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${flags.runs}: expected a whole number ≥ 1`);
  const sizes = flags.sizes.split(',').map((s) => {
    const match = /^(\d+)x([1-4])$/.exec(s.trim());
    if (!match) throw new UsageError(`--sizes ${s}: expected COMPONENTSxENVS with 1 to 4 environments, e.g. 250x4`);
    return { components: Number(match[1]), envs: Number(match[2]) };
  });
  const work = mkdtempSync(join(tmpdir(), 'obs-bench-'));
  const cases: Case[] = [];
  const notes: string[] = [];
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    for (const { components, envs } of sizes) {
      const overlays = components * envs;
      const root = join(work, `${components}x${envs}`);
      buildTree(REPO, root, components, envs);
      const tool = (kind: string) => (): Measure => child(kind, root);
      cases.push(await paired(`render-all-${overlays}`, overlays, runs, () => renderFloor(root), () => {
        rmSync(join(root, DEFAULT_CACHE_DIR), { recursive: true, force: true });
        return child('render-all', root);
      }, say));
      cases.push(await paired(`check-warm-${overlays}`, overlays, runs, () => indexFloor(root), tool('check-warm'), say));
      const changed = `overlays/dev/${readdirSync(join(root, 'overlays/dev')).sort()[0] ?? ''}`;
      const change = (run: number): void => appendFileSync(join(root, changed, 'kustomization.yaml'), `# bench change ${run}\n`);
      cases.push(await paired(`diff-one-change-${overlays}`, overlays, runs, () => diffFloor(root, changed), tool('diff-one-change'), say, change));
      rmSync(root, { recursive: true, force: true });
    }
    await driftInputs(work);
    let yamlNote = '';
    cases.push(await paired(`drift-${DRIFT_OBJECTS}`, 0, runs, async () => child('drift-floor', work).seconds, () => {
      const m = child('drift', work);
      yamlNote = m.note ?? '';
      return m;
    }, say));
    notes.push(`drift-${DRIFT_OBJECTS}: reading and parsing the desired objects and a \`kubectl get -o json\` snapshot, then comparing (no Node start-up); ${yamlNote}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  notes.push('render-all: cold cache, input hashing + kustomize + parse + cache write; check-warm: the same call with every overlay cached (the render stage of check; the validation gates are not included, as a synthetic tree is not the catalog). diff-one-change: diffRefs of the working tree (one dev overlay changed) against HEAD with a warm cache: both sides hashed (HEAD read from git objects, no worktree), the stale-file check, one overlay rendered. Times are measured inside the child process, after Node start-up.');
  for (const c of cases.filter((c) => c.ratio > (TARGETS[c.name] ?? Infinity))) notes.push(`TARGET MISSED: ${c.name} (ratio ${c.ratio}, target ≤ ${TARGETS[c.name]})`);
  for (const size of ['render-all-1000', 'check-warm-1000', 'diff-one-change-1000']) if (!cases.some((c) => c.name === size)) notes.push(`${size}: not measured in this run (--sizes ${flags.sizes})`);
  const elapsed = round((performance.now() - benchStarted) / 1000, 0);
  notes.push(`The whole bench took ${Math.floor(elapsed / 60)} min ${elapsed % 60} s (budget: 20 min at the default sizes).`);
  const dir = flags.update ? join(REPO, 'bench') : (flags.out ?? mkdtempSync(join(tmpdir(), 'obs-bench-results-')));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ elapsed_s: elapsed, cases }, null, 2)}\n`);
  writeFileSync(join(dir, 'results.md'), markdown(cases, notes));
  process.stdout.write(markdown(cases, notes));
  process.stderr.write(`results written to ${join(dir, 'results.json')} and ${join(dir, 'results.md')}${flags.update ? '' : ' (--update writes bench/results.*)'}\n`);
  return EXIT.ok;
});
