/**
 * Argo CD fields that entered the CRDs after v2.4.0, with the release that brought them, for the
 * fields the generator writes or is likely to. Each version was read from the CRD schemas
 * (argoproj/argo-cd `manifests/crds/{application,applicationset,appproject}-crd.yaml`) at every
 * minor release tag from v2.4.0 to v3.5.0: `since` is the first tag whose schema has the field.
 * An older Argo CD's API server prunes an unknown field (or its CRD validation refuses it), so a
 * field newer than the declared minimum silently does nothing or fails the sync.
 */
export interface ArgoField {
  /** The kind whose schema holds the field; Application fields also apply inside an ApplicationSet's `spec.template`. */
  kind: 'Application' | 'ApplicationSet' | 'AppProject';
  /** Dotted path from the object's root; `[]` steps into list items. */
  path: string;
  /** Semantic version (no `v`) of the first Argo CD release whose CRD has the field. */
  since: string;
}

export const ARGO_FIELDS: readonly ArgoField[] = [
  { kind: 'ApplicationSet', path: 'spec.goTemplate', since: '2.5.0' },
  { kind: 'ApplicationSet', path: 'spec.strategy', since: '2.6.0' },
  { kind: 'ApplicationSet', path: 'spec.strategy.rollingSync', since: '2.6.0' },
  { kind: 'ApplicationSet', path: 'spec.preservedFields', since: '2.7.0' },
  { kind: 'ApplicationSet', path: 'spec.goTemplateOptions', since: '2.8.0' },
  { kind: 'ApplicationSet', path: 'spec.syncPolicy.applicationsSync', since: '2.8.0' },
  { kind: 'ApplicationSet', path: 'spec.ignoreApplicationDifferences', since: '2.9.0' },
  { kind: 'ApplicationSet', path: 'spec.templatePatch', since: '2.10.0' },
  { kind: 'ApplicationSet', path: 'spec.strategy.deletionOrder', since: '3.2.0' },
  { kind: 'Application', path: 'spec.sources', since: '2.6.0' },
  { kind: 'Application', path: 'spec.syncPolicy.managedNamespaceMetadata', since: '2.6.0' },
  { kind: 'Application', path: 'spec.sourceHydrator', since: '2.14.0' },
  { kind: 'Application', path: 'spec.syncPolicy.automated.enabled', since: '3.1.0' },
  { kind: 'AppProject', path: 'spec.destinationServiceAccounts', since: '2.13.0' },
];
