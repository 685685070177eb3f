/**
 * Quota gate: every ResourceQuota of an environment admits every workload it counts at full size
 * (replicas, plus a Deployment's rolling-update surge, plus Jobs), and counts no DaemonSet: a
 * DaemonSet grows with the cluster's nodes, so a fixed quota that counts it leaves the nodes beyond
 * it without the pod and the DaemonSet never Healthy (docs/adr/0017-node-agent-outside-the-quota.md).
 *
 * Rule ids (object = the ResourceQuota, path = its `/spec/hard/<resource>`):
 *   quota/counts-daemonset   the quota's scope admits a DaemonSet's pods
 *   quota/too-small          what the counted workloads need exceeds `hard`
 *   quota/no-limit           a counted container has no value for a resource the quota limits, and no LimitRange default:
 *                            every pod is refused
 *   quota/scope-resource     a PriorityClass-scoped quota tracks a resource that is not pods, cpu or memory (the API server refuses it:
 *                            kubernetes pkg/apis/core/helper IsResourceQuotaScopeValidForResource)
 * Scope semantics follow kubernetes pkg/quota/v1/evaluator/core/pods.go (podMatchesScopeFunc).
 */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { describeObject, type KubeObject } from '../kube/object.ts';
import { containersOf, podSpecOf } from '../kube/pod.ts';
import { parseQuantity, type Fraction } from '../kube/quantity.ts';
import type { Finding } from './finding.ts';

type Resource = 'cpu' | 'memory';
type Amounts = Record<'requests.cpu' | 'requests.memory' | 'limits.cpu' | 'limits.memory', Fraction>;

interface ScopeExpression {
  scopeName: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
interface QuotaSpec {
  hard?: Record<string, string | number>;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopeExpression[] };
}
interface LimitDefaults {
  default?: Partial<Record<Resource, string>>;
  defaultRequest?: Partial<Record<Resource, string>>;
}

const POD_RESOURCES = new Set(['pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
const ZERO: Fraction = { numerator: 0n, denominator: 1n };
const add = (a: Fraction, b: Fraction): Fraction => ({
  numerator: a.numerator * b.denominator + b.numerator * a.denominator,
  denominator: a.denominator * b.denominator,
});
const times = (a: Fraction, n: number): Fraction => ({ numerator: a.numerator * BigInt(n), denominator: a.denominator });
const max = (a: Fraction, b: Fraction): Fraction => (a.numerator * b.denominator >= b.numerator * a.denominator ? a : b);
const exceeds = (a: Fraction, b: Fraction): boolean => a.numerator * b.denominator > b.numerator * a.denominator;
const round = (n: number): string => String(Math.round(n * 1000) / 1000);
/** A readable amount: memory and storage in Gi, the rest as plain numbers. */
const show = (f: Fraction, resource = ''): string =>
  /memory|storage/.test(resource)
    ? `${round(Number(f.numerator) / Number(f.denominator) / 2 ** 30)}Gi`
    : round(Number(f.numerator) / Number(f.denominator));
const emptyAmounts = (): Amounts => ({ 'requests.cpu': ZERO, 'requests.memory': ZERO, 'limits.cpu': ZERO, 'limits.memory': ZERO });

/** Pods a workload runs at most at once: replicas plus surge; undefined for a DaemonSet (one per node). */
function podCount(object: KubeObject): number | undefined {
  const spec = (object['spec'] ?? {}) as {
    replicas?: number;
    parallelism?: number;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string } };
    jobTemplate?: { spec?: { parallelism?: number } };
  };
  switch (object.kind) {
    case 'DaemonSet':
      return undefined;
    case 'Deployment': {
      const replicas = Number(spec.replicas ?? 1);
      const strategy = spec.strategy ?? {};
      if (strategy.type === 'Recreate') return replicas;
      // Kubernetes' default maxSurge is 25%, rounded up (apps/v1 defaults).
      const surge = strategy.rollingUpdate?.maxSurge ?? '25%';
      const extra =
        typeof surge === 'string' && surge.endsWith('%') ? Math.ceil((replicas * Number(surge.slice(0, -1))) / 100) : Number(surge);
      return replicas + extra;
    }
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'ReplicationController':
      return Number(spec.replicas ?? 1);
    case 'Job':
      return Number(spec.parallelism ?? 1);
    case 'CronJob':
      return Number(spec.jobTemplate?.spec?.parallelism ?? 1);
    default:
      return 1;
  }
}

/** What one pod is charged: containers summed, init containers as their maximum, LimitRange defaults filled in. */
function podAmounts(pod: V1PodSpec, defaults: LimitDefaults): { amounts: Amounts; missing: string[] } {
  const missing: string[] = [];
  const one = (c: V1Container): Amounts => {
    const value = (side: 'requests' | 'limits', r: Resource): Fraction => {
      const own = c.resources?.[side]?.[r] ?? (side === 'requests' ? c.resources?.limits?.[r] : undefined);
      const text = own ?? (side === 'requests' ? defaults.defaultRequest?.[r] : defaults.default?.[r]);
      const parsed = parseQuantity(text);
      if (!parsed) missing.push(`${side}.${r} of container ${c.name}`);
      return parsed ?? ZERO;
    };
    return {
      'requests.cpu': value('requests', 'cpu'),
      'requests.memory': value('requests', 'memory'),
      'limits.cpu': value('limits', 'cpu'),
      'limits.memory': value('limits', 'memory'),
    };
  };
  const sum = (pod.containers ?? []).map(one).reduce((a, b) => combine(a, b, add), emptyAmounts());
  const init = (pod.initContainers ?? []).map(one).reduce((a, b) => combine(a, b, max), emptyAmounts());
  return { amounts: combine(sum, init, max), missing };
}

function combine(a: Amounts, b: Amounts, op: (x: Fraction, y: Fraction) => Fraction): Amounts {
  const out = emptyAmounts();
  for (const key of Object.keys(out) as (keyof Amounts)[]) out[key] = op(a[key], b[key]);
  return out;
}

/** Whether a quota's scopes admit a pod (PriorityClass by the pod's priorityClassName; BestEffort by its resources). */
function counts(quota: QuotaSpec, pod: V1PodSpec): boolean {
  const priority = pod.priorityClassName ?? '';
  const bestEffort = containersOf(pod).every(({ container: c }) => !c.resources?.requests && !c.resources?.limits);
  const scopes: ScopeExpression[] = [
    ...(quota.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' as const })),
    ...(quota.scopeSelector?.matchExpressions ?? []),
  ];
  return scopes.every((s) => {
    switch (s.scopeName) {
      case 'PriorityClass':
        if (s.operator === 'Exists') return priority !== '';
        if (s.operator === 'DoesNotExist') return priority === '';
        return (s.values ?? []).includes(priority) === (s.operator === 'In');
      case 'BestEffort':
        return bestEffort;
      case 'NotBestEffort':
        return !bestEffort;
      case 'Terminating':
        return pod.activeDeadlineSeconds !== undefined;
      case 'NotTerminating':
        return pod.activeDeadlineSeconds === undefined;
      default:
        return true;
    }
  });
}

/** Claims and storage the environment's objects make: PVCs, and each StatefulSet's claim templates per replica. */
function claims(objects: readonly KubeObject[], namespace: string): { count: number; storage: Fraction } {
  let count = 0;
  let storage = ZERO;
  const claim = (spec: unknown, n: number): void => {
    count += n;
    const request = (spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources?.requests?.storage;
    storage = add(storage, times(parseQuantity(request) ?? ZERO, n));
  };
  for (const o of objects.filter((x) => x.metadata.namespace === namespace)) {
    if (o.kind === 'PersistentVolumeClaim') claim(o['spec'], 1);
    if (o.kind === 'StatefulSet') {
      const spec = o['spec'] as { replicas?: number; volumeClaimTemplates?: { spec?: unknown }[] };
      for (const t of spec.volumeClaimTemplates ?? []) claim(t.spec, spec.replicas ?? 1);
    }
  }
  return { count, storage };
}

/** Quota findings for one environment's rendered objects (every app of it: quotas and workloads live in different apps). */
export function quotaFindings(env: string, objects: readonly KubeObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const quota of objects.filter((o) => o.kind === 'ResourceQuota')) {
    const namespace = quota.metadata.namespace ?? '';
    const spec = (quota['spec'] ?? {}) as QuotaSpec;
    const hard = spec.hard ?? {};
    const scoped = (spec.scopes ?? []).length > 0 || (spec.scopeSelector?.matchExpressions ?? []).length > 0;
    const at = (resource: string) => ({
      severity: 'error' as const,
      env,
      component: 'platform',
      object: describeObject(quota),
      path: `/spec/hard/${resource}`,
    });
    const priorityScoped = [...(spec.scopes ?? []), ...(spec.scopeSelector?.matchExpressions ?? []).map((e) => e.scopeName)].includes(
      'PriorityClass',
    );
    for (const resource of Object.keys(hard).filter((r) => priorityScoped && !POD_RESOURCES.has(r))) {
      findings.push({
        ...at(resource),
        rule: 'quota/scope-resource',
        message: `a PriorityClass-scoped quota may track only pods, cpu and memory; the API server refuses ${resource}: move it to an unscoped quota`,
      });
    }
    const defaults =
      (
        (
          objects.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === namespace)?.['spec'] as
            { limits?: (LimitDefaults & { type: string })[] } | undefined
        )?.limits ?? []
      ).find((l) => l.type === 'Container') ?? {};
    const tracksPods = Object.keys(hard).some((r) => POD_RESOURCES.has(r));
    const used: Record<string, Fraction> = { pods: ZERO, ...emptyAmounts() };
    const parts: Record<string, string[]> = {};
    for (const object of objects.filter((o) => o.metadata.namespace === namespace)) {
      const pod = podSpecOf(object)?.pod;
      if (!pod || !tracksPods || !counts(spec, pod)) continue;
      const n = podCount(object);
      if (n === undefined) {
        findings.push({
          ...at(''),
          path: '/spec',
          rule: 'quota/counts-daemonset',
          message: `counts the pods of ${describeObject(object)}, one per node: on a cluster with more nodes than it admits, the rest run no such pod and the DaemonSet never becomes Healthy. Keep it out with a scopeSelector on its PriorityClass`,
        });
        continue;
      }
      const { amounts, missing } = podAmounts(pod, defaults);
      for (const m of missing) {
        const resource = m.split(' ')[0] ?? '';
        if (resource in hard)
          findings.push({
            ...at(resource),
            rule: 'quota/no-limit',
            message: `${describeObject(object)}: ${m} is not set and the LimitRange has no default, so the quota refuses every pod`,
          });
      }
      used['pods'] = add(used['pods'] as Fraction, { numerator: BigInt(n), denominator: 1n });
      for (const key of Object.keys(amounts) as (keyof Amounts)[]) {
        used[key] = add(used[key] as Fraction, times(amounts[key], n));
        (parts[key] ??= []).push(`${object.metadata.name} ${n}×${show(amounts[key], key)}`);
      }
      (parts['pods'] ??= []).push(`${object.metadata.name} ${n}`);
    }
    used['cpu'] = used['requests.cpu'] as Fraction;
    used['memory'] = used['requests.memory'] as Fraction;
    parts['cpu'] = parts['requests.cpu'] ?? [];
    parts['memory'] = parts['requests.memory'] ?? [];
    if (!scoped) {
      const c = claims(objects, namespace);
      used['persistentvolumeclaims'] = { numerator: BigInt(c.count), denominator: 1n };
      used['requests.storage'] = c.storage;
    }
    for (const [resource, limit] of Object.entries(hard)) {
      const need = used[resource];
      const allowed = parseQuantity(limit);
      if (!need || !allowed || !exceeds(need, allowed)) continue;
      const detail = parts[resource] ? ` (${parts[resource].join(', ')})` : '';
      findings.push({
        ...at(resource),
        rule: 'quota/too-small',
        message: `the workloads it counts need ${show(need, resource)} at full size${detail}, more than ${limit}: raise it in the catalog's limits.quota`,
      });
    }
  }
  return findings;
}
