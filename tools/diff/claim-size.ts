/**
 * Volume size changes and what Kubernetes does with them, for a PersistentVolumeClaim and for a
 * StatefulSet's volumeClaimTemplates. Facts (kubernetes v1.34.4):
 * - A claim's `spec.resources.requests.storage` may grow; lowering it is refused ("field can not be
 *   less than previous value", or with RecoverVolumeExpansionFailure only down to a failed expansion,
 *   never below `status.capacity`: pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate).
 * - Growing is admitted only for a dynamically provisioned, bound claim whose StorageClass has
 *   `allowVolumeExpansion: true` (plugin/pkg/admission/storage/persistentvolume/resize/admission.go).
 * - A StatefulSet's spec is immutable except replicas, ordinals, template, updateStrategy,
 *   revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds
 *   (pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate): volumeClaimTemplates included.
 * - The StatefulSet controller creates a missing claim `<template>-<statefulset>-<ordinal>` and never
 *   updates an existing one (pkg/controller/statefulset/stateful_pod_control.go createMissingPersistentVolumeClaims),
 *   so recreating the StatefulSet resizes nothing that exists.
 */
import { groupOf, type KubeObject } from '../kube/object.ts';
import { compareQuantities } from '../kube/quantity.ts';
import type { Loss } from './data-loss.ts';

const STORAGE = 'spec.resources.requests.storage';

interface ClaimTemplate {
  metadata?: { name?: string };
  spec?: { resources?: { requests?: { storage?: unknown } } };
}

function storageOf(claim: ClaimTemplate | undefined): unknown {
  return claim?.spec?.resources?.requests?.storage;
}

function templatesOf(object: KubeObject): ClaimTemplate[] {
  const templates = (object['spec'] as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates;
  return Array.isArray(templates) ? (templates as ClaimTemplate[]) : [];
}

function replicasOf(object: KubeObject): number {
  const replicas = (object['spec'] as { replicas?: unknown } | undefined)?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** `data-loki-write-0`, `data-loki-write-0 … data-loki-write-2`: the claims a StatefulSet made from one template. */
function claimNames(template: string, statefulSet: string, replicas: number): string {
  const first = `${template}-${statefulSet}-0`;
  return replicas <= 1 ? first : `${first} … ${template}-${statefulSet}-${replicas - 1}`;
}

const SHRINK = 'a volume never shrinks: a smaller size means a new claim and copying the data over, and whatever is not copied is lost';
const EXPANSION = 'only if its StorageClass has allowVolumeExpansion: true (else the API server refuses the patch)';

/** A standalone claim's size change: a shrink is refused, a growth needs an expandable StorageClass. */
function claimLoss(before: KubeObject, after: KubeObject): Loss[] {
  const [from, to] = [storageOf(before as ClaimTemplate), storageOf(after as ClaimTemplate)];
  const order = compareQuantities(to, from);
  if (order === 0 || (from === undefined && to === undefined)) return [];
  const sizes = `${String(from ?? 'unset')} → ${String(to ?? 'unset')}`;
  if (order === undefined)
    return [
      {
        severity: 'warning',
        message: `${STORAGE} ${sizes} cannot be compared as quantities: Kubernetes refuses a shrink; make sure it grows.`,
      },
    ];
  if (order < 0)
    return [
      {
        severity: 'danger',
        message: `${STORAGE} shrinks (${sizes}): Kubernetes refuses to shrink a claim, so the sync fails until the size is restored; ${SHRINK}.`,
      },
    ];
  return [
    {
      severity: 'warning',
      message: `${STORAGE} grows (${sizes}): the claim is expanded in place ${EXPANSION}; it cannot be shrunk back afterwards.`,
    },
  ];
}

/** Each volumeClaimTemplate whose size changed: the update is refused, and the existing claims keep their size. */
function templateLoss(before: KubeObject, after: KubeObject): Loss[] {
  const old = new Map(templatesOf(before).map((template) => [template.metadata?.name ?? '', template]));
  const statefulSet = after.metadata.name;
  const existing = replicasOf(before);
  return templatesOf(after).flatMap((template): Loss[] => {
    const name = template.metadata?.name ?? '';
    const previous = old.get(name);
    if (!previous) return [];
    const [from, to] = [storageOf(previous), storageOf(template)];
    const order = compareQuantities(to, from);
    if (order === 0 || (from === undefined && to === undefined)) return [];
    const sizes = `${String(from ?? 'unset')} → ${String(to ?? 'unset')}`;
    const claims = `the ${existing === 1 ? 'existing claim' : `${existing} existing claims`} ${claimNames(name, statefulSet, existing)}`;
    const head = `volumeClaimTemplates ${name} ${sizes}: Kubernetes refuses any change to volumeClaimTemplates, so the sync fails`;
    if (order === undefined || order < 0) {
      return [{ severity: 'danger', message: `${head}; and ${claims} cannot shrink either: ${SHRINK}.` }];
    }
    return [
      {
        severity: 'danger',
        message: `${head}. Recreating the StatefulSet (delete it with --cascade=orphan, then sync) does not resize ${claims}: patch each claim to ${String(to)}, ${EXPANSION}; only claims made for new replicas get the new size from the template.`,
      },
    ];
  });
}

/** Storage size changes between two versions of a PersistentVolumeClaim or a StatefulSet; none for other objects. */
export function claimSizeLosses(before: KubeObject, after: KubeObject): Loss[] {
  const group = groupOf(after.apiVersion);
  if (group === '' && after.kind === 'PersistentVolumeClaim') return claimLoss(before, after);
  if (group === 'apps' && after.kind === 'StatefulSet') return templateLoss(before, after);
  return [];
}

/** volumeClaimTemplates with every storage request left out: what changes besides the sizes claimSizeLosses reports. */
export function withoutTemplateSizes(object: KubeObject): unknown {
  return templatesOf(object).map((template) => {
    const copy = structuredClone(template);
    if (copy.spec?.resources?.requests) delete copy.spec.resources.requests.storage;
    return copy;
  });
}
