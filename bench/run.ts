#!/usr/bin/env node
/**
 * The benchmark (npm run bench): synthetic catalogs copied from the real generated tree, each case
 * measured in a child process run by run beside its own floor (the median of the run-by-run ratios).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { detectDrift } from '../tools/drift/compare.ts';
import type { KubeObject } from '../tools/kube/object.ts';
import { openRenderCache, DEFAULT_CACHE_DIR } from '../tools/render/cache.ts';
import { mapLimited } from '../tools/concurrency.ts';
import { findKustomize, type Kustomize } from '../tools/render/kustomize.ts';
import { listOverlays, renderOverlays } from '../tools/render/overlays.ts';
import { diffRefs } from '../tools/diff/run.ts';
import { parseObjects, toYaml } from '../tools/yaml.ts';
import { EXIT, UsageError, main, parseFlags, required } from '../cli/command.ts';
import { buildCatalogTree, buildTree, fleetCatalog } from './tree.ts';
import { catalog as realCatalog } from '../tools/catalog/index.ts';
import { checkRepository } from '../tools/check/repository.ts';
import { openCheckCache } from '../tools/check/result-cache.ts';

const USAGE = `
Usage: npm run bench [-- --sizes 5x2,50x4,250x4] [--cases render-all,check-warm,diff-one-change,drift]
                     [--runs 5] [--cold-runs 2] [--note TEXT] [--out DIR | --update]

Builds synthetic trees (components x environments) in a temporary directory from the committed
base/ and overlays/, measures render-all (cold cache), check-warm, diff-one-change and drift-10000,
each in its own child process, run by run beside its floor (the least work any tool must do for the
case); --cases measures only those (without render-all, the cache is filled once, untimed): --cold-runs times for render-all (minutes at 1,000 overlays, and its ratio spreads little),
--runs times for the cases that take seconds. Writes results.json and results.md to --out DIR, by default a new temporary folder, and
prints where; --update writes the committed bench/results.json and bench/results.md instead. --note
adds a line to results.md (what else ran on the machine, say); the load average is recorded anyway.
Removes its other temporary files.
`;

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DRIFT_OBJECTS = 10_000;

/** The cases, in the order they run (render-all first: it leaves the cache warm for the others). */
const CASE_KINDS = ['render-all', 'check-warm', 'diff-one-change', 'drift'];

/** A case's time and the child's peak memory. */
interface Measure {
  seconds: number;
  peakMiB: number;
}
interface Case {
  name: string;
  overlays: number;
  runs: number;
  tool_s: number;
  floor_s: number;
  ratio: number;
  ratio_min: number;
  ratio_max: number;
  peak_mib: number;
  floor: string;
}

/**
 * The most overlays render-all's floor runs kustomize over, as it is the longest step of the bench:
 * above it, every k-th overlay in listing order (the synthetic copies are alike, and the sample holds
 * each environment and component in the tree's own shares), its time scaled by overlays / sample.
 */
const FLOOR_SAMPLE = 250;

/** What each case's floor is: the least work any tool must do for it, measured beside it. */
const FLOORS: Record<string, string> = {
  'render-all': `one kustomize process per overlay, as many at once as there are cores (above ${FLOOR_SAMPLE} overlays, every k-th overlay's process, the time scaled by k)`,
  'check-warm': "`git ls-files -s`: reading git's index for the tree",
  'diff-one-change': 'one kustomize of the changed overlay and `git ls-tree -r HEAD`',
  drift: 'reading and `JSON.parse` of the same two files',
};

/** Ratio targets (tool / floor, median of the run-by-run ratios) at the full sizes. */
const TARGETS: Record<string, number> = {
  'render-all-1000': 0.35,
  'check-warm-1000': 3,
  'diff-one-change-1000': 2,
  [`drift-${10_000}`]: 2,
};

/** The middle value; the mean of the middle two for an even count. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}
const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** Runs one case in a child process, so its peak memory is its own. */
function child(kind: string, root: string): Measure {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', kind, '--root', root], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(`bench case ${kind} failed: ${out.stderr.trim()}`);
  return JSON.parse(out.stdout) as Measure;
}

const run = promisify(execFile);

/**
 * render-all's floor: plain kustomize processes over the same overlays, as many at once as the tool
 * runs. Returns the factor its time is scaled by (1 when every overlay was rendered).
 */
async function renderFloor(root: string, kustomize: Kustomize): Promise<number> {
  const [bin, ...args] = kustomize.command;
  const overlays = await listOverlays(root);
  const step = Math.ceil(overlays.length / FLOOR_SAMPLE);
  const sample = overlays.filter((_, index) => index % step === 0);
  await mapLimited(sample, (o) => run(bin, [...args, join(root, o.dir)], { maxBuffer: 1 << 26 }), availableParallelism());
  return overlays.length / sample.length;
}

/** diff-one-change's floor: the changed overlay rendered once, and the base ref's tree listed. */
async function diffFloor(root: string, kustomize: Kustomize, overlay: string): Promise<void> {
  const [bin, ...args] = kustomize.command;
  await Promise.all([
    run(bin, [...args, join(root, overlay)], { maxBuffer: 1 << 26 }),
    run('git', ['ls-tree', '-r', 'HEAD'], { cwd: root, maxBuffer: 1 << 28 }),
  ]);
}

/** check-warm's floor: git's index for the tree, what an unchanged tree must at least cost to recognise. */
const indexFloor = async (root: string): Promise<void> => void (await run('git', ['ls-files', '-s'], { cwd: root, maxBuffer: 1 << 28 }));

/** The dev overlay diff-one-change changes: the first by name. */
const changedOverlay = async (root: string): Promise<string> => `overlays/dev/${readdirSync(join(root, 'overlays/dev')).sort()[0] ?? ''}`;

/** One case, `runs` times, each run its floor then the tool: a slow spell of the machine weighs on both alike. */
function paired(
  name: string,
  overlays: number,
  runs: number,
  floorOf: () => number,
  tool: () => Measure,
  say: (line: string) => void,
  before?: (run: number) => void,
): Case {
  const floors: number[] = [];
  const tools: Measure[] = [];
  for (let i = 0; i < runs; i++) {
    before?.(i);
    const f = floorOf();
    const t = tool();
    floors.push(f);
    tools.push(t);
    say(`  ${name} run ${i + 1}/${runs}: tool ${t.seconds.toFixed(3)} s, floor ${f.toFixed(3)} s`);
  }
  const kind = name.replace(/-\d+$/, '');
  const ratios = tools.map((m, i) => m.seconds / (floors[i] ?? NaN));
  return {
    name,
    overlays,
    runs,
    tool_s: round(median(tools.map((m) => m.seconds))),
    floor_s: round(median(floors)),
    ratio: round(median(ratios)),
    ratio_min: round(Math.min(...ratios)),
    ratio_max: round(Math.max(...ratios)),
    peak_mib: round(Math.max(...tools.map((m) => m.peakMiB)), 1),
    floor: FLOORS[kind] ?? '',
  };
}

/**
 * The measured part of each case and of its floor (`<case>-floor`), inside its child process: what comes
 * before the timer (Node's start-up, module loading, finding kustomize) is left out of both alike.
 */
async function runCase(kind: string, root: string): Promise<Measure> {
  const kustomize = await findKustomize();
  const cache = openRenderCache(root);
  const reports = openCheckCache(root);
  // check's cases run on a fleet tree (bench/tree.ts), whose catalog has one environment per five overlays.
  const catalog = kind.startsWith('check') ? fleetCatalog(realCatalog, fleetSize(root)) : realCatalog;
  if (kind === 'render-all') rmSync(join(root, DEFAULT_CACHE_DIR), { recursive: true, force: true });
  const changed = kind === 'diff-one-change-floor' ? await changedOverlay(root) : '';
  const work: Record<string, () => Promise<unknown>> = {
    'render-all': async () => renderOverlays(root, kustomize, await listOverlays(root), { cache }),
    'check-warm': async () => {
      const outcome = await checkRepository(root, catalog, kustomize, { cache, reports });
      if (!outcome.replayedFrom) throw new Error(`${root}: check-warm ran a whole check: the seeding check kept no report`);
    },
    // Untimed before check-warm: the whole check, which keeps its report.
    'check-seed': () => checkRepository(root, catalog, kustomize, { cache, reports }),
    'diff-one-change': () => diffRefs(root, kustomize, 'HEAD', undefined, { cache }),
    'render-all-floor': () => renderFloor(root, kustomize),
    'check-warm-floor': () => indexFloor(root),
    'diff-one-change-floor': () => diffFloor(root, kustomize, changed),
    'drift-floor': async () => {
      JSON.parse(readFileSync(join(root, 'desired.json'), 'utf8'));
      JSON.parse(readFileSync(join(root, 'snapshot.json'), 'utf8'));
    },
    // What `npm run drift -- --desired … --snapshot …` does after start-up: read both files, compare.
    drift: async () => {
      const desired = parseObjects(readFileSync(join(root, 'desired.json'), 'utf8'), 'desired.json');
      const live = parseObjects(readFileSync(join(root, 'snapshot.json'), 'utf8'), 'snapshot.json');
      detectDrift(desired, live);
    },
    // Reported apart, once: the same snapshot as `kubectl get -o yaml` writes it.
    'drift-yaml': async () => parseObjects(readFileSync(join(root, 'snapshot.yaml'), 'utf8'), 'snapshot.yaml'),
  };
  const measured = work[kind];
  if (!measured) throw new UsageError(`--case ${kind}: unknown case`);
  const started = performance.now();
  // A number back is the factor a sampled floor's time is scaled by (renderFloor).
  const scale = await measured();
  const seconds = ((performance.now() - started) / 1000) * (typeof scale === 'number' ? scale : 1);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  return { seconds, peakMiB };
}

/** The number of environments of a fleet tree: its folders under overlays/. */
const fleetSize = (root: string): number =>
  readdirSync(join(root, 'overlays'), { withFileTypes: true }).filter((e) => e.isDirectory()).length;

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
  const live = desired.map((o, i) => ({
    ...o,
    metadata: {
      ...o.metadata,
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(1000 + i),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    status: {},
  }));
  writeFileSync(join(dir, 'desired.json'), JSON.stringify(desired));
  // As `kubectl get -o json` and `-o yaml` write a List.
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: live }, null, 4));
  writeFileSync(join(dir, 'snapshot.yaml'), toYaml({ apiVersion: 'v1', kind: 'List', items: live }));
}

function markdown(cases: Case[], notes: string[]): string {
  const rows = cases.map(
    (c) =>
      `| ${c.name} | ${c.overlays} | ${c.runs} | ${c.tool_s} | ${c.floor_s} | ${c.ratio} | ${c.ratio_min}–${c.ratio_max} | ${TARGETS[c.name] !== undefined ? `≤ ${TARGETS[c.name]}` : ''} | ${c.peak_mib} | ${c.floor} |`,
  );
  return [
    '# Benchmark results',
    '',
    `${new Date().toISOString()}, ${availableParallelism()} cores, Node ${process.version}. Seconds are medians; ratio = the median of tool / floor, run by run.`,
    '',
    '| case | overlays | runs | tool s | floor s | ratio | ratio range | target | peak MiB | floor |',
    '|---|---:|---:|---:|---:|---:|---|---|---:|---|',
    ...rows,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

await main(USAGE, async () => {
  const benchStarted = performance.now();
  const loadBefore = loadavg()[0] ?? NaN;
  const { values: flags } = parseFlags(process.argv.slice(2), {
    sizes: { type: 'string', default: '5x2,50x4,250x4' },
    cases: { type: 'string', default: CASE_KINDS.join(',') },
    runs: { type: 'string', default: '5' },
    'cold-runs': { type: 'string', default: '2' },
    note: { type: 'string' },
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
  const count = (flag: string, value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} ${value}: expected a whole number ≥ 1`);
    return n;
  };
  const runs = count('runs', flags.runs);
  const coldRuns = count('cold-runs', flags['cold-runs']);
  const kinds = new Set(flags.cases.split(',').map((k) => k.trim()));
  for (const kind of kinds)
    if (!CASE_KINDS.includes(kind)) throw new UsageError(`--cases ${kind}: unknown case; cases: ${CASE_KINDS.join(', ')}`);
  const sizes = flags.sizes.split(',').map((s) => {
    const match = /^(\d+)x([1-4])$/.exec(s.trim());
    if (!match) throw new UsageError(`--sizes ${s}: expected COMPONENTSxENVS with 1 to 4 environments, e.g. 250x4`);
    return { components: Number(match[1]), envs: Number(match[2]) };
  });
  const work = mkdtempSync(join(tmpdir(), 'obs-bench-'));
  const cases: Case[] = [];
  const notes: string[] = [];
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const sized = ['render-all', 'check-warm', 'diff-one-change'].some((kind) => kinds.has(kind));
  try {
    for (const { components, envs } of sized ? sizes : []) {
      const overlays = components * envs;
      const root = join(work, `${components}x${envs}`);
      const measure = (kind: string, tree: string, times: number, before?: (run: number) => void): void =>
        void cases.push(
          paired(
            `${kind}-${overlays}`,
            overlays,
            times,
            () => child(`${kind}-floor`, tree).seconds,
            () => child(kind, tree),
            say,
            before,
          ),
        );
      if (kinds.has('render-all') || kinds.has('diff-one-change')) {
        buildTree(REPO, root, components, envs);
        if (kinds.has('render-all')) measure('render-all', root, coldRuns);
        // diff-one-change starts from a warm cache.
        else child('render-all', root);
        const changed = await changedOverlay(root);
        if (kinds.has('diff-one-change'))
          measure('diff-one-change', root, runs, (run) =>
            appendFileSync(join(root, changed, 'kustomization.yaml'), `# bench change ${run}\n`),
          );
        rmSync(root, { recursive: true, force: true });
      }
      if (kinds.has('check-warm')) {
        // check replays only a report it made: a fleet the catalog generates, one environment per five overlays.
        const fleet = join(work, `fleet-${overlays}`);
        buildCatalogTree(fleet, fleetCatalog(realCatalog, Math.max(1, Math.round(overlays / 5))));
        const seed = child('check-seed', fleet);
        notes.push(`check-${overlays}: the whole check of the fleet tree, nothing cached, took ${seed.seconds.toFixed(1)} s (one run).`);
        measure('check-warm', fleet, runs);
        rmSync(fleet, { recursive: true, force: true });
      }
    }
    if (kinds.has('drift')) {
      await driftInputs(work);
      cases.push(
        paired(
          `drift-${DRIFT_OBJECTS}`,
          0,
          runs,
          () => child('drift-floor', work).seconds,
          () => child('drift', work),
          say,
        ),
      );
      const yaml = child('drift-yaml', work).seconds;
      notes.push(
        `drift-${DRIFT_OBJECTS}: reading and parsing the desired objects and a \`kubectl get -o json\` snapshot, then comparing (no Node start-up); the same snapshot as YAML (kubectl get -o yaml) takes ${yaml.toFixed(2)} s to parse (one run).`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  notes.push(
    'render-all: cold cache, input hashing + kustomize + parse + cache write; check-warm: \`check\` on an unchanged tree, which replays the report its last run kept, on a fleet tree the catalog generates (one environment per five overlays, copies of dev and prod: bench/tree.ts), after one untimed whole check. diff-one-change: diffRefs of the working tree (one dev overlay changed) against HEAD with a warm render cache: git status names the change, HEAD is read from git objects (no worktree), the overlays the change touches are walked and hashed on both sides, the stale-file check, one overlay rendered; the first run also walks every overlay of HEAD and keeps the walks (ADR 25), the runs after it read them. Tool and floor alike are timed inside their own child process, after Node start-up and module loading. Synthetic components beyond the real five are copies in their own namespace (bench/tree.ts).',
  );
  for (const c of cases.filter((c) => c.ratio > (TARGETS[c.name] ?? Infinity)))
    notes.push(`TARGET MISSED: ${c.name} (ratio ${c.ratio}, target ≤ ${TARGETS[c.name]})`);
  for (const size of ['render-all-1000', 'check-warm-1000', 'diff-one-change-1000'])
    if (!cases.some((c) => c.name === size))
      notes.push(`${size}: not measured in this run (--sizes ${flags.sizes} --cases ${flags.cases})`);
  const elapsed = round((performance.now() - benchStarted) / 1000, 0);
  notes.push(
    `Load average (1 min) ${loadBefore.toFixed(1)} at the start and ${(loadavg()[0] ?? NaN).toFixed(1)} at the end, on ${availableParallelism()} cores.`,
  );
  if (flags.note) notes.push(flags.note);
  notes.push(`The whole bench took ${Math.floor(elapsed / 60)} min ${elapsed % 60} s (budget: 20 min at the default sizes).`);
  const dir = flags.update ? join(REPO, 'bench') : (flags.out ?? mkdtempSync(join(tmpdir(), 'obs-bench-results-')));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ elapsed_s: elapsed, cases }, null, 2)}\n`);
  writeFileSync(join(dir, 'results.md'), markdown(cases, notes));
  process.stdout.write(markdown(cases, notes));
  process.stderr.write(
    `results written to ${join(dir, 'results.json')} and ${join(dir, 'results.md')}${flags.update ? '' : ' (--update writes bench/results.*)'}\n`,
  );
  return EXIT.ok;
});
