import * as argoproj from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import * as externalSecrets from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import * as admissionregistration from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apiextensions from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as apiregistration from 'kubernetes-models/apiregistration.k8s.io/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscalingV1 from 'kubernetes-models/autoscaling/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as certificates from 'kubernetes-models/certificates.k8s.io/v1';
import * as coordination from 'kubernetes-models/coordination.k8s.io/v1';
import * as discovery from 'kubernetes-models/discovery.k8s.io/v1';
import * as events from 'kubernetes-models/events.k8s.io/v1';
import * as flowcontrol from 'kubernetes-models/flowcontrol.apiserver.k8s.io/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as node from 'kubernetes-models/node.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as resource from 'kubernetes-models/resource.k8s.io/v1';
import * as scheduling from 'kubernetes-models/scheduling.k8s.io/v1';
import * as storage from 'kubernetes-models/storage.k8s.io/v1';
import * as core from 'kubernetes-models/v1';

/** A generated model class: its statics name the kind, its prototype's `validate` runs the compiled OpenAPI schema on `this`. */
export interface KindModel {
  apiVersion: string;
  kind: string;
  prototype: { validate(this: unknown): void };
}

/**
 * Only the GA group-versions a current cluster serves: kubernetes-models also ships removed ones
 * (extensions/v1beta1, policy/v1beta1, …), which the API server would refuse. Of the CRDs the stack
 * renders: Argo CD's, and the External Secrets Operator's v1 (its served version since v0.17).
 */
const SERVED: readonly Record<string, unknown>[] = [
  core, admissionregistration, apiextensions, apiregistration, apps, autoscalingV1, autoscalingV2, batch, certificates,
  coordination, discovery, events, flowcontrol, networking, node, policy, rbac, resource, scheduling, storage, argoproj,
  externalSecrets,
];

function isKindModel(value: unknown): value is KindModel {
  if (typeof value !== 'function') return false;
  const statics = value as unknown as Record<string, unknown>;
  return typeof statics['apiVersion'] === 'string' && typeof statics['kind'] === 'string';
}

/** `apps/v1/Deployment` (`v1/ConfigMap` for the core group) -> model class, built once at load. */
export const KIND_MODELS: ReadonlyMap<string, KindModel> = new Map(
  SERVED.flatMap((module) => Object.values(module).filter(isKindModel)).map((model) => [`${model.apiVersion}/${model.kind}`, model]),
);

export function kindModel(apiVersion: string, kind: string): KindModel | undefined {
  return KIND_MODELS.get(`${apiVersion}/${kind}`);
}

/** The apiVersions that do serve `kind`, to point a stale or mistyped apiVersion at the right one. */
export function servedVersionsOf(kind: string): string[] {
  return [...KIND_MODELS.values()].filter((m) => m.kind === kind).map((m) => m.apiVersion);
}
