/** What the catalog says the generated tree holds, so tests follow a new environment or component without edits. */
import { catalog } from '../../tools/catalog/index.ts';
import type { ComponentName } from '../../tools/catalog/types.ts';
import { COMPONENT_NAMES, WAVES } from '../../tools/catalog/waves.ts';

/** Environment names, sorted as overlays are listed. */
export function environmentNames(): string[] {
  return catalog.environments.map((env) => env.name).sort();
}

/** Environments that deploy `component`, sorted. */
export function environmentsWith(component: ComponentName): string[] {
  return catalog.environments
    .filter((env) => env.components.includes(component))
    .map((env) => env.name)
    .sort();
}

/** `overlays/ENV/COMPONENT` of every environment deploying one of `components` (every component when none is given), sorted. */
export function overlayDirs(...components: ComponentName[]): string[] {
  return catalog.environments
    .flatMap((env) =>
      env.components.filter((c) => components.length === 0 || components.includes(c)).map((c) => `overlays/${env.name}/${c}`),
    )
    .sort();
}

/** The components some environment deploys: one Kustomize base each. */
export function baseNames(): string[] {
  return [...new Set(catalog.environments.flatMap((env) => env.components))].sort();
}

/** The components of environment `name` per RollingSync step: waves ascending, names sorted within one (COMPONENT_NAMES' order). */
export function syncSteps(name: string): ComponentName[][] {
  const env = catalog.environments.find((e) => e.name === name);
  if (!env) throw new Error(`the catalog has no environment ${name}`);
  const components = COMPONENT_NAMES.filter((c) => env.components.includes(c));
  const waves = [...new Set(components.map((c) => WAVES[c]))].sort((a, b) => a - b);
  return waves.map((wave) => components.filter((c) => WAVES[c] === wave));
}

/** Components both environments deploy. */
export function sharedComponents(a: string, b: string): ComponentName[] {
  const [left, right] = [a, b].map((name) => catalog.environments.find((e) => e.name === name)?.components ?? []);
  return (left ?? []).filter((c) => (right ?? []).includes(c));
}
