import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sources } from './sources.ts';

/**
 * The rooms of tools/, bottom first: a module may import its own room and any room of a lower rank,
 * never one of its own rank or above (STYLE.md "Arrows point down").
 */
const RANK: Record<string, number> = {
  kube: 0,
  'yaml.ts': 1,
  'concurrency.ts': 1,
  'packages.ts': 1,
  'files.ts': 1,
  catalog: 2,
  components: 3,
  generate: 4,
  argocd: 4,
  git: 5,
  render: 6,
  validate: 7,
  drift: 7,
  github: 7,
  // The PR diff shows NetworkPolicy changes as flows with the network gate's own evaluator (docs/adr/0021).
  diff: 8,
  upstream: 8,
  check: 9,
  'pr-comment': 9,
  plan: 9,
};

/**
 * Repository-relative targets of a module's relative imports (`import … from './x.ts'`, `export … from`);
 * with `values`, only those that load the module at run time (not `import type`).
 */
function importsOf(file: string, { values = false } = {}): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const targets = [...text.matchAll(/^(import|export)\s(type\s)?[^;]*?\bfrom\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gms)]
    .filter((m) => !(values && m[2]))
    .map((m) => (m[3] ?? m[4]) as string);
  return targets.map((target) => relative(ROOT, resolve(ROOT, dirname(file), target)));
}

/** The room of a file under tools/: its first folder, or the file itself at the top. */
const roomOf = (file: string): string => file.split('/')[1] as string;

/** Circles of run-time imports (a type-only import loads nothing, so it closes no circle). */
function cycles(files: readonly string[]): string[][] {
  const edges = new Map(files.map((f) => [f, importsOf(f, { values: true }).filter((t) => t.startsWith('tools/'))]));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('the import graph', () => {
  const tools = sources('tools');

  it('knows the rank of every room of tools/', () => {
    // GIVEN every module of tools/ THEN its room has a rank (a new room is placed on purpose)
    expect([...new Set(tools.map(roomOf))].filter((room) => RANK[room] === undefined)).toEqual([]);
  });

  it('has no arrow from a room of tools/ to a room of its rank or above', () => {
    // GIVEN every relative import between two rooms of tools/
    const upward = tools.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('tools/') && roomOf(target) !== roomOf(file))
        .filter((target) => (RANK[roomOf(target)] ?? 99) >= (RANK[roomOf(file)] ?? -1))
        .map((target) => `${file} -> ${target}`),
    );
    // THEN every one points down
    expect(upward).toEqual([]);
  });

  it('has no circle between modules of tools/', () => {
    expect(cycles(tools).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('keeps the components behind the generator: only generate/, check/ and plan/ build objects from them', () => {
    // GIVEN every import of tools/components/ from another room (validate, diff, drift, … read the catalog's names instead)
    const wrong = tools.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('tools/components/') && !['components', 'generate', 'check', 'plan'].includes(roomOf(file)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(wrong).toEqual([]);
  });

  it('keeps scripts/ at the top: no script imports a component', () => {
    const wrong = sources('scripts').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('tools/components/'))
        .map((target) => `${file} -> ${target}`),
    );
    expect(wrong).toEqual([]);
  });

  it('keeps the entry points apart: bench/ imports no script, cli/ (their shared frame) imports neither them nor tools/', () => {
    const wrong = [
      ...sources('bench').flatMap((file) =>
        importsOf(file)
          .filter((target) => target.startsWith('scripts/'))
          .map((target) => `${file} -> ${target}`),
      ),
      ...sources('cli').flatMap((file) =>
        importsOf(file)
          .filter((target) => !target.startsWith('cli/'))
          .map((target) => `${file} -> ${target}`),
      ),
      ...sources('tools').flatMap((file) =>
        importsOf(file)
          .filter((target) => /^(cli|scripts|bench)\//.test(target))
          .map((target) => `${file} -> ${target}`),
      ),
    ];
    expect(wrong).toEqual([]);
  });
});
