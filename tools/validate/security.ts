/**
 * Security gate: the seed's pod security controls on every pod template and every container
 * (init containers included), with named, justified exceptions from the catalog.
 *
 * Rule ids: `security/<control>` (error) for each SecurityControl; `security/unused-exception`
 * (warning) for an exception of this overlay's component that suppressed nothing.
 * Pod-level controls (no-host-namespaces, no-host-path) have no container: only an exception without
 * `container` can waive them. Container-level controls read the effective setting (container over pod).
 */
import type { V1Capabilities, V1Container, V1PodSecurityContext, V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';
import type { SecurityControl } from '../catalog/exceptions.ts';
import { describeObject, type KubeObject } from '../kube/object.ts';
import { child, containersOf, podSpecOf, pointer, runsPods, type ContainerList, type Segment } from '../kube/pod.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

export type { SecurityControl };

export interface SecurityException {
  component: string;
  /** metadata.name of the Deployment/StatefulSet/DaemonSet/ReplicaSet/Job/CronJob/Pod. */
  workload: string;
  /** Absent: every container of the workload, and the pod-level controls. */
  container?: string;
  control: SecurityControl;
  reason: string;
}

/** An exception that suppressed at least one finding, with where: `check` lists each one. */
export interface HonouredException extends SecurityException {
  env: string;
  /** `DaemonSet observability/alloy`. */
  object: string;
}

export interface SecurityResult {
  findings: Finding[];
  honoured: HonouredException[];
}

const SECCOMP_TYPES: readonly string[] = ['RuntimeDefault', 'Localhost'];

/** The pointer of `segments` if that field is set, else of its deepest ancestor that is: where to add the missing field. */
function nearest(root: unknown, segments: readonly Segment[]): string {
  let value = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    value = child(value, segment);
    if (value === undefined || value === null) return pointer(segments.slice(0, i));
  }
  return pointer(segments);
}

/** One violated control before exceptions apply; `container` is absent for pod-level controls. */
interface Violation {
  control: SecurityControl;
  container?: string;
  path: string;
  message: string;
}

/** Why an image reference is not pinned, or undefined when it is (a tag other than latest, or a sha256 digest). */
function unpinned(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  const at = image.indexOf('@');
  if (at !== -1) return /^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1)) ? undefined : `image ${image} has a malformed digest`;
  const colon = image.indexOf(':', image.lastIndexOf('/') + 1);
  if (colon === -1) return `image ${image} has no tag, so it pulls whatever latest is`;
  if (image.slice(colon + 1) === 'latest') return `image ${image} uses the moving tag latest`;
  return undefined;
}

function containerViolations(
  object: KubeObject,
  podPath: readonly Segment[],
  pod: V1PodSpec,
  list: ContainerList,
  index: number,
  container: V1Container,
): Violation[] {
  const at = [...podPath, list, index];
  const sc: V1SecurityContext = container.securityContext ?? {};
  const podSc: V1PodSecurityContext = pod.securityContext ?? {};
  const name = container.name;
  const who = `${list === 'initContainers' ? 'init container' : 'container'} "${name}"`;
  const where = (...rest: Segment[]): string => nearest(object, [...at, 'securityContext', ...rest]);
  /** A field the container may inherit from the pod: the pointer of whichever level sets it, else where to add it. */
  const inherited = (field: 'runAsNonRoot' | 'runAsUser' | 'seccompProfile'): string =>
    sc[field] !== undefined && sc[field] !== null
      ? pointer([...at, 'securityContext', field])
      : podSc[field] !== undefined && podSc[field] !== null
        ? pointer([...podPath, 'securityContext', field])
        : where(field);
  const out: Violation[] = [];
  const add = (control: SecurityControl, path: string, message: string): void => {
    out.push({ control, container: name, path, message: `${who}: ${message}` });
  };

  const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  if (nonRoot !== true)
    add(
      'run-as-non-root',
      inherited('runAsNonRoot'),
      `runAsNonRoot is ${nonRoot === false ? 'false' : 'not set'}: set runAsNonRoot: true in the pod or container securityContext`,
    );
  if ((sc.runAsUser ?? podSc.runAsUser) === 0)
    add(
      'run-as-non-root',
      inherited('runAsUser'),
      "runAsUser is 0 (root), which contradicts runAsNonRoot: run as the image's non-root UID",
    );
  if (sc.readOnlyRootFilesystem !== true)
    add(
      'read-only-root-filesystem',
      where('readOnlyRootFilesystem'),
      'readOnlyRootFilesystem is not true: set it, and mount an emptyDir where the process writes',
    );
  const capabilities: V1Capabilities = sc.capabilities ?? {};
  if (!(capabilities.drop ?? []).includes('ALL'))
    add('drop-all-capabilities', where('capabilities', 'drop'), 'capabilities.drop does not include ALL: drop ALL');
  if ((capabilities.add ?? []).length > 0)
    add(
      'drop-all-capabilities',
      pointer([...at, 'securityContext', 'capabilities', 'add']),
      `adds capabilities ${(capabilities.add ?? []).join(', ')}: remove capabilities.add`,
    );
  if (sc.allowPrivilegeEscalation !== false)
    add(
      'no-privilege-escalation',
      where('allowPrivilegeEscalation'),
      'allowPrivilegeEscalation is not false: set allowPrivilegeEscalation: false',
    );
  const seccomp = (sc.seccompProfile ?? podSc.seccompProfile)?.type;
  if (!seccomp || !SECCOMP_TYPES.includes(seccomp))
    add(
      'seccomp-runtime-default',
      inherited('seccompProfile'),
      `seccompProfile.type is ${seccomp ?? 'not set'}: set seccompProfile.type: RuntimeDefault in the pod or container securityContext`,
    );
  if (sc.privileged === true)
    add('not-privileged', pointer([...at, 'securityContext', 'privileged']), 'runs privileged: remove privileged: true');

  const resources = container.resources ?? {};
  const missing = (['requests', 'limits'] as const).flatMap((section) =>
    (['cpu', 'memory'] as const).filter((r) => resources[section]?.[r] === undefined).map((r) => ({ section, r })),
  );
  if (missing.length > 0) {
    const sections = [...new Set(missing.map((m) => m.section))];
    const path = nearest(object, [...at, 'resources', ...(sections.length === 1 ? sections : [])]);
    add(
      'resources',
      path,
      `${missing.map((m) => `${m.section}.${m.r}`).join(', ')} not set: the ResourceQuota rejects pods without cpu and memory requests and limits`,
    );
  }
  const image = unpinned(container.image);
  if (image) add('image-pinned', nearest(object, [...at, 'image']), `${image}: pin a version tag or a sha256 digest`);
  return out;
}

function podViolations(object: KubeObject, podPath: readonly Segment[], pod: V1PodSpec): Violation[] {
  const out: Violation[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[field] === true)
      out.push({
        control: 'no-host-namespaces',
        path: pointer([...podPath, field]),
        message: `${field} is true: the pod shares the node's namespace; remove it`,
      });
  }
  (Array.isArray(pod.volumes) ? pod.volumes : []).forEach((volume, i) => {
    if (volume.hostPath)
      out.push({
        control: 'no-host-path',
        path: pointer([...podPath, 'volumes', i, 'hostPath']),
        message: `volume "${volume.name}" mounts the node's ${volume.hostPath.path}: use another volume type`,
      });
  });
  for (const { list, index, container } of containersOf(pod))
    out.push(...containerViolations(object, podPath, pod, list, index, container));
  return out;
}

function workloadViolations(object: KubeObject): Violation[] {
  const spec = podSpecOf(object);
  return spec ? podViolations(object, spec.path, spec.pod) : [];
}

const covers = (exception: SecurityException, component: string, workload: string, violation: Violation): boolean =>
  exception.component === component &&
  exception.workload === workload &&
  exception.control === violation.control &&
  (exception.container === undefined || exception.container === violation.container);

/** Security findings for one rendered overlay; the exceptions of other components are not considered here. */
export function securityFindings(app: RenderedApp, exceptions: readonly SecurityException[]): SecurityResult {
  const findings: Finding[] = [];
  const matched = new Map<SecurityException, Set<string>>();
  const workloads = app.objects.filter(runsPods);
  for (const object of workloads) {
    const described = describeObject(object);
    for (const violation of workloadViolations(object)) {
      const waivers = exceptions.filter((e) => covers(e, app.component, object.metadata.name, violation));
      for (const waiver of waivers) matched.set(waiver, (matched.get(waiver) ?? new Set<string>()).add(described));
      if (waivers.length === 0) {
        findings.push({
          rule: `security/${violation.control}`,
          severity: 'error',
          env: app.env,
          component: app.component,
          object: described,
          path: violation.path,
          message: violation.message,
        });
      }
    }
  }
  for (const stale of exceptions.filter((e) => e.component === app.component && !matched.has(e))) {
    const workload = workloads.find((o) => o.metadata.name === stale.workload);
    findings.push({
      rule: 'security/unused-exception',
      severity: 'warning',
      env: app.env,
      component: app.component,
      ...(workload ? { object: describeObject(workload) } : {}),
      message: `the ${stale.control} exception for workload "${stale.workload}"${stale.container ? ` container "${stale.container}"` : ''} suppressed nothing: remove it from the catalog's security exceptions`,
    });
  }
  const honoured = [...matched].flatMap(([exception, objects]) => [...objects].map((object) => ({ ...exception, env: app.env, object })));
  return { findings, honoured };
}
