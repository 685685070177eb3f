/**
 * The model class of each served kind, loaded on first use: kubernetes-models compiles one schema
 * validator per type, and loading every served group-version up front cost about 2 s of every `check`.
 * Each kind is its own module in both packages (their `exports` map `./<group>/<version>/*` to
 * `./<group>/<version>/*.js`, e.g. `kubernetes-models/apps/v1/Deployment`), which imports only the
 * schemas it needs; a kind is loaded synchronously (Node's `require` of an ES module) so the schema
 * gate stays a plain function.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A generated model class: its statics name the kind, its prototype's `validate` runs the compiled OpenAPI schema on `this`. */
export interface KindModel {
  apiVersion: string;
  kind: string;
  prototype: { validate(this: unknown): void };
}

/**
 * Only the GA group-versions a current cluster serves, by apiVersion, and the package path that
 * holds their kinds: kubernetes-models also ships removed ones (extensions/v1beta1,
 * policy/v1beta1, …), which the API server would refuse. Of the CRDs the stack renders: Argo CD's and
 * the External Secrets Operator's.
 */
const SERVED: ReadonlyMap<string, string> = new Map([
  ...[
    'v1',
    'admissionregistration.k8s.io/v1',
    'apiextensions.k8s.io/v1',
    'apiregistration.k8s.io/v1',
    'apps/v1',
    'autoscaling/v1',
    'autoscaling/v2',
    'batch/v1',
    'certificates.k8s.io/v1',
    'coordination.k8s.io/v1',
    'discovery.k8s.io/v1',
    'events.k8s.io/v1',
    'flowcontrol.apiserver.k8s.io/v1',
    'networking.k8s.io/v1',
    'node.k8s.io/v1',
    'policy/v1',
    'rbac.authorization.k8s.io/v1',
    'resource.k8s.io/v1',
    'scheduling.k8s.io/v1',
    'storage.k8s.io/v1',
  ].map((apiVersion) => [apiVersion, `kubernetes-models/${apiVersion}`] as const),
  ['argoproj.io/v1alpha1', '@kubernetes-models/argo-cd/argoproj.io/v1alpha1'],
  // The External Secrets Operator's v1: its served version since v0.17.
  ['external-secrets.io/v1', '@kubernetes-models/external-secrets/external-secrets.io/v1'],
]);

const load = createRequire(import.meta.url);

function isKindModel(value: unknown): value is KindModel {
  if (typeof value !== 'function') return false;
  const statics = value as unknown as Record<string, unknown>;
  return typeof statics['apiVersion'] === 'string' && typeof statics['kind'] === 'string';
}

/** `apps/v1/Deployment` -> model class, or null when that group-version serves no such kind. */
const loaded = new Map<string, KindModel | null>();

function loadKind(apiVersion: string, kind: string): KindModel | null {
  const where = SERVED.get(apiVersion);
  // A kind is a Go type name; anything else cannot name a module of the package.
  if (!where || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  let file: string;
  try {
    file = fileURLToPath(import.meta.resolve(`${where}/${kind}`));
  } catch {
    return null;
  }
  if (!existsSync(file)) return null;
  const model = (load(file) as Record<string, unknown>)[kind];
  return isKindModel(model) && model.apiVersion === apiVersion && model.kind === kind ? model : null;
}

/** The model of a served kind, loaded on first use; undefined when no served API has it. */
export function kindModel(apiVersion: string, kind: string): KindModel | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!loaded.has(key)) loaded.set(key, loadKind(apiVersion, kind));
  return loaded.get(key) ?? undefined;
}

/** The apiVersions that do serve `kind`, to point a stale or mistyped apiVersion at the right one. */
export function servedVersionsOf(kind: string): string[] {
  return [...SERVED.keys()].filter((apiVersion) => kindModel(apiVersion, kind) !== undefined);
}
