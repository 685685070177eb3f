#!/usr/bin/env node
/**
 * The benchmark (npm run bench): synthetic catalogs copied from the real generated tree, each case
 * measured in a child process (median of --runs), against plain kustomize at the same parallelism.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
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
import { EXIT, UsageError, main, parseFlags } from '../scripts/lib/cli.ts';
import { buildTree } from './tree.ts';

const USAGE = `
Usage: npm run bench [-- --sizes 5x2,50x4,250x4] [--runs 3]

Builds synthetic trees (components x environments) in a temporary directory from the committed
base/ and overlays/, measures render-all (cold cache), check-warm, diff-one-change and drift-10000,
each in its own child process, and plain kustomize over the same overlays as the floor. Writes
bench/results.json and bench/results.md. Removes its temporary files.
`;

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DRIFT_OBJECTS = 10_000;

interface Measure { seconds: number; peakMiB: number; note?: string }
interface Case { name: string; overlays: number; tool_s: number; floor_s: number | null; ratio: number | null; peak_mib: number }

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** Runs one case in a child process, so its peak memory is its own. */
function child(kind: string, root: string): Measure {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', kind, '--root', root], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`bench case ${kind} failed: ${out.stderr.trim()}`);
  return JSON.parse(out.stdout) as Measure;
}

/** Plain kustomize processes over the same overlays, as many at once as the tool runs. */
async function floor(root: string): Promise<number> {
  const kustomize = await findKustomize();
  const [bin, ...args] = kustomize.command;
  const overlays = await listOverlays(root);
  const started = performance.now();
  await mapLimited(overlays, (o) => promisify(execFile)(bin as string, [...args, join(root, o.dir)], { maxBuffer: 1 << 26 }), availableParallelism());
  return (performance.now() - started) / 1000;
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
    const source = real[i % real.length] as KubeObject;
    desired.push({ ...source, metadata: { ...source.metadata, name: `${source.metadata.name}-${Math.floor(i / real.length)}` } });
  }
  const live = desired.map((o, i) => ({ ...o, metadata: { ...o.metadata, uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, resourceVersion: String(1000 + i), generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' }, status: {} }));
  writeFileSync(join(dir, 'desired.json'), JSON.stringify(desired));
  // As `kubectl get -o json` and `-o yaml` write a List.
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: live }, null, 4));
  writeFileSync(join(dir, 'snapshot.yaml'), toYaml({ apiVersion: 'v1', kind: 'List', items: live }));
}

function markdown(cases: Case[], notes: string[]): string {
  const targets: Record<string, string> = { 'render-all-1000': 'ratio ≤ 1.15', 'check-warm-1000': '≤ 0.5 s', 'diff-one-change-1000': '≤ 2 s', 'drift-10000': '≤ 1 s' };
  const rows = cases.map((c) => `| ${c.name} | ${c.overlays} | ${c.tool_s} | ${c.floor_s ?? '–'} | ${c.ratio ?? '–'} | ${c.peak_mib} | ${targets[c.name] ?? ''} |`);
  return [
    '# Benchmark results',
    '',
    `${new Date().toISOString()}, ${availableParallelism()} cores, Node ${process.version}. Seconds are medians; floor = plain kustomize over the same overlays at the same parallelism.`,
    '',
    '| case | overlays | tool s | floor s | ratio | peak MiB | target |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

await main(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), { string: ['sizes', 'runs', 'case', 'root'], default: { sizes: '5x2,50x4,250x4', runs: '3' } });
  if (flags['case']) {
    process.stdout.write(`${JSON.stringify(await runCase(String(flags['case']), String(flags['root'])))}\n`);
    return EXIT.ok;
  }
  const runs = Number(flags['runs']);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${String(flags['runs'])}: expected a whole number ≥ 1`);
  const sizes = String(flags['sizes']).split(',').map((s) => {
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
      const measure = (kind: string, before?: (run: number) => void): Measure[] => Array.from({ length: runs }, (_, run) => {
        before?.(run);
        const m = child(kind, root);
        say(`  ${kind}-${overlays} run ${run + 1}/${runs}: ${m.seconds.toFixed(2)} s`);
        return m;
      });
      // The floor and the cold render take turns, so a slower or faster spell of the machine weighs on both alike.
      const floors: number[] = [];
      const cold: Measure[] = [];
      for (let run = 0; run < runs; run++) {
        floors.push(await floor(root));
        say(`  floor-${overlays} run ${run + 1}/${runs}: ${(floors[run] ?? 0).toFixed(2)} s`);
        cold.push(child('render-all', root));
        say(`  render-all-${overlays} run ${run + 1}/${runs}: ${(cold[run]?.seconds ?? 0).toFixed(2)} s`);
      }
      const floorS = median(floors);
      const changed = join(root, 'overlays/dev', readdirSync(join(root, 'overlays/dev')).sort()[0] as string, 'kustomization.yaml');
      const results: [string, Measure[]][] = [
        ['render-all', cold],
        ['check-warm', measure('check-warm')],
        ['diff-one-change', measure('diff-one-change', (run) => appendFileSync(changed, `# bench change ${run}\n`))],
      ];
      for (const [kind, ms] of results) {
        const tool = median(ms.map((m) => m.seconds));
        cases.push({ name: `${kind}-${overlays}`, overlays, tool_s: round(tool), floor_s: round(floorS), ratio: round(tool / floorS), peak_mib: round(Math.max(...ms.map((m) => m.peakMiB)), 1) });
      }
      rmSync(root, { recursive: true, force: true });
    }
    await driftInputs(work);
    const drift = measureDrift(work, runs, say);
    cases.push({ name: `drift-${DRIFT_OBJECTS}`, overlays: 0, tool_s: round(median(drift.map((m) => m.seconds))), floor_s: null, ratio: null, peak_mib: round(Math.max(...drift.map((m) => m.peakMiB)), 1) });
    notes.push(`drift-${DRIFT_OBJECTS}: reading and parsing the desired objects and a \`kubectl get -o json\` snapshot, then comparing (no Node start-up); ${drift[0]?.note ?? ""}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  notes.push('render-all: cold cache, input hashing + kustomize + parse + cache write; check-warm: the same call with every overlay cached (the render stage of check; the validation gates are not included, as a synthetic tree is not the catalog). diff-one-change: diffRefs of the working tree (one dev overlay changed) against HEAD with a warm cache: both sides hashed (HEAD read from git objects, no worktree), the stale-file check, one overlay rendered. Times are measured inside the child process, after Node start-up.');
  const missed = cases.filter((c) => (c.name === 'render-all-1000' && (c.ratio ?? 0) > 1.15) || (c.name === 'check-warm-1000' && c.tool_s > 0.5) || (c.name === 'diff-one-change-1000' && c.tool_s > 2) || (c.name === 'drift-10000' && c.tool_s > 1));
  for (const c of missed) notes.push(`TARGET MISSED: ${c.name} (${c.tool_s} s, ratio ${c.ratio ?? '–'})`);
  for (const size of ['render-all-1000', 'check-warm-1000', 'diff-one-change-1000']) if (!cases.some((c) => c.name === size)) notes.push(`${size}: not measured in this run (--sizes ${String(flags['sizes'])})`);
  const dir = join(REPO, 'bench');
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ cases }, null, 2)}\n`);
  writeFileSync(join(dir, 'results.md'), markdown(cases, notes));
  process.stdout.write(markdown(cases, notes));
  return EXIT.ok;
});

/** drift-10000, each run in its own child process. */
function measureDrift(root: string, runs: number, say: (line: string) => void): Measure[] {
  return Array.from({ length: runs }, (_, run) => {
    const m = child('drift', root);
    say(`  drift-${DRIFT_OBJECTS} run ${run + 1}/${runs}: ${m.seconds.toFixed(2)} s`);
    return m;
  });
}
