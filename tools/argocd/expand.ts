import type { KubeObject } from '../kube/object.ts';
import { compareStrings } from '../kube/order.ts';
import { ARGOCD_NAMESPACE } from '../catalog/names.ts';

export class ExpandError extends Error {
  override readonly name = 'ExpandError';
}

/** An Application as the ApplicationSet controller will generate it, and the RollingSync step that syncs it. */
export interface PlannedApplication {
  applicationSet: string;
  name: string;
  labels: Record<string, string>;
  project: string;
  path: string;
  repoURL: string;
  targetRevision: string;
  destination: { name?: string; server?: string; namespace?: string };
  /** Index of the RollingSync step that matches the Application (-1: none, -2: several). */
  step: number;
  application: KubeObject;
}

type Element = Record<string, unknown>;
type Selector = { key: string; operator: 'In' | 'NotIn'; values: string[] };

const PLACEHOLDER = /\{\{-?\s*(.*?)\s*-?\}\}/g;

/** The finalizer that makes deleting an Application delete its resources first (Argo CD docs, user-guide/app_deletion.md). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Fills `{{.key}}` placeholders from a list-generator element, as Go templates do with
 * `missingkey=error`. Only plain field references are supported: anything else is refused rather
 * than guessed, so the plan never shows an Application Argo CD would not make.
 */
function fill(value: unknown, element: Element, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_match, expression: string) => {
      const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression);
      if (!field?.[1])
        throw new ExpandError(
          `${where}: template expression "{{${expression}}}" is not a plain field reference; the plan supports only {{.field}}`,
        );
      if (!(field[1] in element))
        throw new ExpandError(
          `${where}: template references .${field[1]}, which the generator element ${JSON.stringify(element)} lacks (missingkey=error)`,
        );
      return String(element[field[1]]);
    });
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, element, where));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, element, where)]));
  return value;
}

function matches(selectors: readonly Selector[], labels: Record<string, string>): boolean {
  return selectors.every((s) => {
    const has = s.key in labels && s.values.includes(labels[s.key] as string);
    return s.operator === 'In' ? has : !has;
  });
}

/** Expands one ApplicationSet (list generators) into the Applications it generates. */
export function expandApplicationSet(appset: KubeObject): PlannedApplication[] {
  const name = appset.metadata.name;
  const spec = appset['spec'] as {
    generators?: { list?: { elements?: Element[] } }[];
    template?: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
    syncPolicy?: { preserveResourcesOnDeletion?: boolean };
    strategy?: { type?: string; rollingSync?: { steps?: { matchExpressions?: Selector[] }[] } };
  };
  const steps = spec.strategy?.type === 'RollingSync' ? (spec.strategy.rollingSync?.steps ?? []) : [];
  const planned: PlannedApplication[] = [];
  (spec.generators ?? []).forEach((generator, g) => {
    if (!generator.list)
      throw new ExpandError(`ApplicationSet ${name}: generators[${g}] is not a list generator; the plan expands list generators only`);
    (generator.list.elements ?? []).forEach((element, e) => {
      const where = `ApplicationSet ${name} generators[${g}].list.elements[${e}]`;
      const template = fill(spec.template ?? {}, element, where) as {
        metadata: { name: string; labels?: Record<string, string> } & Record<string, unknown>;
        spec: Record<string, unknown>;
      };
      const appSpec = template.spec as {
        project: string;
        source: { path: string; repoURL: string; targetRevision: string };
        destination: PlannedApplication['destination'];
      };
      const labels = template.metadata.labels ?? {};
      // The controller adds the resources finalizer to a template without finalizers unless the ApplicationSet
      // preserves resources on deletion (argo-cd v3.2.12 applicationset/utils/utils.go, RenderTemplateParams).
      const finalizers = template.metadata['finalizers'] as unknown[] | undefined;
      const metadata =
        (finalizers?.length ?? 0) === 0 && spec.syncPolicy?.preserveResourcesOnDeletion !== true
          ? { ...template.metadata, finalizers: [RESOURCES_FINALIZER] }
          : template.metadata;
      const matching = steps.map((s, i) => (matches(s.matchExpressions ?? [], labels) ? i : -1)).filter((i) => i >= 0);
      planned.push({
        applicationSet: name,
        name: template.metadata.name,
        labels,
        project: appSpec.project,
        path: appSpec.source.path,
        repoURL: appSpec.source.repoURL,
        targetRevision: appSpec.source.targetRevision,
        destination: appSpec.destination,
        step: matching.length === 1 ? (matching[0] as number) : matching.length === 0 ? -1 : -2,
        application: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { ...metadata, namespace: appset.metadata.namespace ?? ARGOCD_NAMESPACE },
          spec: template.spec,
        },
      });
    });
  });
  return planned.sort((a, b) => a.step - b.step || compareStrings(a.name, b.name));
}

/**
 * Every Application the Argo CD objects of a tree make, as `npm run plan` lists them: each
 * ApplicationSet expanded (in file order, each by RollingSync step then name).
 * @throws ExpandError when an ApplicationSet cannot be expanded.
 */
export function plannedApplications(objects: readonly KubeObject[]): PlannedApplication[] {
  return objects.filter((o) => o.kind === 'ApplicationSet').flatMap((appset) => expandApplicationSet(appset));
}
