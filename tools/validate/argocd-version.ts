/**
 * The Argo CD version contract (tools/catalog/versions.ts), checked two ways:
 *   apps/argocd-field-too-new   a generated Argo CD object sets a field its declared minimum Argo CD lacks
 *   workflow/argocd-version     a workflow installs an Argo CD older than the minimum, or not an exact release
 */
import semver from 'semver';
import { parse } from 'yaml';
import type { KubeObject } from '../kube/object.ts';
import { ARGO_FIELDS, type ArgoField } from '../argocd/fields.ts';
import type { WorkflowFile } from './workflows.ts';
import type { Finding } from './finding.ts';

/** JSON Pointers of every place `path` (dotted, `[]` for list items) is set under `value`. */
function occurrences(value: unknown, steps: readonly string[], at: string): string[] {
  if (steps.length === 0) return value === undefined ? [] : [at];
  if (value === null || typeof value !== 'object') return [];
  const [step, ...rest] = steps as [string, ...string[]];
  const list = step.endsWith('[]');
  const key = list ? step.slice(0, -2) : step;
  const child = (value as Record<string, unknown>)[key];
  if (!list) return occurrences(child, rest, `${at}/${key}`);
  return Array.isArray(child) ? child.flatMap((item, i) => occurrences(item, rest, `${at}/${key}/${i}`)) : [];
}

/** Where a field of the table sits in an object: Application fields also inside an ApplicationSet's template. */
function places(object: KubeObject, field: ArgoField): string[] {
  const steps = field.path.split('.');
  if (object.kind === field.kind) return occurrences(object, steps, '');
  if (object.kind === 'ApplicationSet' && field.kind === 'Application' && steps[0] === 'spec') {
    return occurrences((object['spec'] as Record<string, unknown> | undefined)?.['template'], steps, '/spec/template');
  }
  return [];
}

/**
 * Findings for every field of `ARGO_FIELDS` set in `objects` that entered Argo CD after `minimum`
 * (a semantic version without `v`, e.g. `3.2.0`). Throws on a minimum that is not a version.
 */
export function argoFieldFindings(objects: readonly KubeObject[], minimum: string): Finding[] {
  if (!semver.valid(minimum))
    throw new Error(`tools/catalog/versions.ts: argocd.minimum: "${minimum}" is not a semantic version like 3.2.0`);
  return objects.flatMap((object) =>
    ARGO_FIELDS.filter((field) => semver.lt(minimum, field.since)).flatMap((field) =>
      places(object, field).map((path) => ({
        rule: 'apps/argocd-field-too-new',
        severity: 'error' as const,
        object: `${object.kind} ${object.metadata.name}`,
        path,
        message: `${field.kind} ${field.path} exists only from Argo CD ${field.since}, but the declared minimum is ${minimum} (tools/catalog/versions.ts): raise the minimum or drop the field`,
      })),
    ),
  );
}

const INSTALL = /argoproj\/argo-cd\/([^/\s"']+)\/manifests\//g;
const ENV_REF = /^\$\{\{?\s*(?:env\.)?ARGOCD_VERSION\s*\}?\}$/;

/** Every `ARGOCD_VERSION` a workflow sets, at any level (workflow, job or step `env`). */
function declaredVersions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(declaredVersions);
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const env = record['env'];
  const own = env && typeof env === 'object' && 'ARGOCD_VERSION' in env ? [String((env as Record<string, unknown>)['ARGOCD_VERSION'])] : [];
  return [
    ...own,
    ...Object.entries(record)
      .filter(([k]) => k !== 'env')
      .flatMap(([, v]) => declaredVersions(v)),
  ];
}

/**
 * Workflows that install Argo CD from its release manifests (`argoproj/argo-cd/<ref>/manifests/…`)
 * must install an exact release at or above `minimum`; the ref may be `${ARGOCD_VERSION}` from the
 * workflow's `env`. Unparseable YAML is the workflow gate's finding, not this one's.
 */
export function argoInstallFindings(workflows: readonly WorkflowFile[], minimum: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of workflows) {
    let document: unknown;
    try {
      document = parse(file.text);
    } catch {
      continue;
    }
    for (const match of file.text.matchAll(INSTALL)) {
      const ref = match[1] as string;
      const line = file.text.slice(0, match.index).split('\n').length;
      const versions = ENV_REF.test(ref) ? declaredVersions(document) : [ref];
      if (versions.length === 0) versions.push(ref);
      for (const version of versions) {
        const exact = semver.valid(semver.clean(version) ?? '');
        const problem = !exact
          ? `installs Argo CD "${version}", not an exact release: pin one at or above the declared minimum ${minimum}`
          : semver.lt(exact, minimum)
            ? `installs Argo CD ${version}, older than the declared minimum ${minimum} (tools/catalog/versions.ts): the generated objects use fields it lacks`
            : undefined;
        if (problem)
          findings.push({ rule: 'workflow/argocd-version', severity: 'error', object: file.path, path: `${line}:1`, message: problem });
      }
    }
  }
  return findings;
}

/** Both halves of the contract for one tree: its Argo CD objects and its workflows. */
export function argoVersionFindings(objects: readonly KubeObject[], workflows: readonly WorkflowFile[], minimum: string): Finding[] {
  return [...argoFieldFindings(objects, minimum), ...argoInstallFindings(workflows, minimum)];
}
