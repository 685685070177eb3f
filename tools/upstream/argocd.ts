/**
 * Argo CD objects checked by Argo CD's own code: the `argocd` program (test/upstream/argocd:
 * github.com/argoproj/argo-cd/v3 at the version of the Argo CD CRDs the repository declares) decodes
 * every Application, ApplicationSet and AppProject strictly into that version's types and expands each
 * ApplicationSet with the controller's List generator and template renderer. Each generated
 * Application must equal, field for field, the one `npm run plan` lists (tools/argocd/expand.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expandApplicationSet } from '../argocd/expand.ts';
import type { KubeObject } from '../kube/object.ts';
import { parseObjects } from '../yaml.ts';
import type { Finding } from '../validate/finding.ts';
import { runProgram } from './programs.ts';

/** What the program prints (test/upstream/argocd/main.go). */
export interface ArgoExpansion {
  objects: { file: string; kind: string; name: string }[];
  applications: { applicationSet: string; application: KubeObject }[];
}

/**
 * A value without null, false, empty strings, empty arrays and empty objects: the zero values Argo
 * CD's types leave out when they encode (`omitempty` on plain bools such as
 * `syncPolicy.automated.selfHeal`, pkg/apis/application/v1alpha1/types.go), so `selfHeal: false` in
 * the template and its absence in the generated Application compare equal. A pointer bool's
 * explicit false (`automated.enabled`) would compare equal to its absence too: the template sets none.
 */
export function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(pruneEmpty).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value === null || value === '' || value === false) return undefined;
  if (typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => [k, pruneEmpty(v)] as const)
    .filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The fields an Application is made of when generated: metadata the template sets, and spec. */
export function comparable(application: KubeObject): unknown {
  const m = application.metadata as Record<string, unknown>;
  return pruneEmpty({
    metadata: {
      name: m['name'],
      namespace: m['namespace'],
      labels: m['labels'],
      annotations: m['annotations'],
      finalizers: m['finalizers'],
    },
    spec: application['spec'],
  });
}

/** JSON Pointers where two plain values differ (first 20). */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys
      .flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`))
      .slice(0, 20);
  }
  return [`${path || '/'}: Argo CD ${JSON.stringify(a)}, plan ${JSON.stringify(b)}`];
}

/** Runs the program over the files (repository-relative path -> text) in a temporary copy. */
export async function expandWithArgoCd(
  binary: string,
  files: ReadonlyMap<string, string>,
): Promise<{ expansion?: ArgoExpansion; error?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'argocd-'));
  try {
    const paths = [...files.keys()].sort();
    for (const path of paths) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), files.get(path) as string);
    }
    const run = await runProgram(
      binary,
      paths.map((p) => join(dir, p)),
      { env: {} },
    );
    if (run.code !== 0) return { error: run.stderr.replaceAll(`${dir}/`, '').trim() };
    const expansion = JSON.parse(run.stdout) as ArgoExpansion;
    for (const o of expansion.objects) o.file = o.file.replace(`${dir}/`, '');
    return { expansion };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Findings (rule `upstream/argocd`): an object Argo CD's types refuse, an ApplicationSet it cannot
 * expand, or a generated Application that differs from the plan's (each differing field a JSON Pointer).
 */
export async function argoCdFindings(binary: string, files: ReadonlyMap<string, string>): Promise<Finding[]> {
  const { expansion, error } = await expandWithArgoCd(binary, files);
  const finding = (object: string | undefined, message: string): Finding => ({
    rule: 'upstream/argocd',
    severity: 'error',
    ...(object ? { object } : {}),
    message,
  });
  if (!expansion) return [finding(undefined, `Argo CD refuses: ${error}`)];
  const findings: Finding[] = [];
  const appsets = [...files].flatMap(([path, text]) => parseObjects(text, path)).filter((o) => o.kind === 'ApplicationSet');
  for (const appset of appsets) {
    const planned = expandApplicationSet(appset).map((p) => p.application);
    const generated = expansion.applications.filter((a) => a.applicationSet === appset.metadata.name).map((a) => a.application);
    const name = (o: KubeObject): string => o.metadata.name;
    const where = `ApplicationSet ${appset.metadata.namespace ?? ''}/${appset.metadata.name}`;
    const plannedNames = planned.map(name).sort();
    const generatedNames = generated.map(name).sort();
    if (JSON.stringify(plannedNames) !== JSON.stringify(generatedNames)) {
      findings.push(
        finding(
          where,
          `Argo CD generates Applications ${generatedNames.join(', ') || '(none)'}; the plan lists ${plannedNames.join(', ') || '(none)'}`,
        ),
      );
    }
    for (const app of generated) {
      const twin = planned.find((p) => name(p) === name(app));
      if (!twin) continue;
      const diff = differences(comparable(app), comparable(twin));
      if (diff.length > 0)
        findings.push(finding(`${where} Application ${name(app)}`, `Argo CD generates it differently from the plan: ${diff.join('; ')}`));
    }
  }
  return findings;
}
