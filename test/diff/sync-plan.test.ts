import { describe, expect, it } from 'vitest';
import type { AppFacts } from '../../tools/argocd/facts.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { syncPlan, type ChangedApp } from '../../tools/diff/sync-plan.ts';
import { syncPlanMarkdown } from '../../tools/diff/format-review.ts';
import { bucketJob, configMap, grafanaDeployment, lokiStatefulSet, service } from './stack.ts';

const facts = (entries: [string, Partial<AppFacts> & { application: string }][]): Map<string, AppFacts> =>
  new Map(entries.map(([id, fact]) => [id, { prune: true, failOnSharedResource: false, ...fact }]));

function withSpec(object: KubeObject, spec: Record<string, unknown>): KubeObject {
  return { ...object, spec: { ...(object['spec'] as Record<string, unknown>), ...spec } };
}

function annotated(object: KubeObject, annotations: Record<string, string>): KubeObject {
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** The plan as one line per step: `env wave N app | phase wave: action object (detail)`. */
function lines(apps: ChangedApp[], known: Map<string, AppFacts>): string[] {
  return syncPlan(apps, known).flatMap((env) =>
    env.applications.flatMap((app) =>
      app.steps.map(
        (step) =>
          `${env.env} ${app.wave === undefined ? 'no wave' : `wave ${app.wave}`} ${app.application} | ${step.phase} ${step.wave}: ${step.objects.map((o) => `${o.action} ${o.object}${o.detail ? ` (${o.detail})` : ''}`).join('; ')}`,
      ),
    ),
  );
}

describe('syncPlan', () => {
  it('orders Applications by RollingSync wave, steps by phase then resource wave, and says how each workload rolls', () => {
    // GIVEN prod-grafana (wave 3): a Recreate Deployment whose image changes, a new Service, a removed one;
    // prod-loki (wave 2): an OnDelete StatefulSet whose config checksum changes, one that only scales; a PreSync hook
    const grafana = grafanaDeployment();
    const write = withSpec(lokiStatefulSet('write'), { updateStrategy: { type: 'OnDelete' } });
    const checksum = (sts: KubeObject, value: string) =>
      withSpec(sts, {
        template: {
          ...(sts['spec'] as { template: Record<string, unknown> }).template,
          metadata: { annotations: { 'checksum/config': value } },
        },
      });
    const preSync = annotated(bucketJob('true'), { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/sync-wave': '-2' });
    const apps: ChangedApp[] = [
      {
        env: 'prod',
        component: 'grafana',
        objects: [
          { before: grafana, after: grafanaDeployment({ image: 'docker.io/grafana/grafana:13.2.0' }) },
          { after: annotated(service('grafana-peers'), { 'argocd.argoproj.io/sync-wave': '-1' }) },
          { before: service('grafana-old') },
        ],
        head: [],
      },
      {
        env: 'prod',
        component: 'loki',
        objects: [
          { before: checksum(write, 'a'), after: checksum(write, 'b') },
          { before: lokiStatefulSet('backend'), after: lokiStatefulSet('backend', { replicas: 5 }) },
          { before: configMap('loki-config', { a: '1' }), after: configMap('loki-config', { a: '2' }) },
        ],
        head: [preSync],
      },
    ];
    const known = facts([
      ['prod/grafana', { application: 'prod-grafana', wave: 3, prune: false }],
      ['prod/loki', { application: 'prod-loki', wave: 2 }],
    ]);
    // WHEN planned THEN loki first (wave 2), its PreSync hook before its resources; grafana's removed Service is kept (no prune)
    expect(lines(apps, known)).toEqual([
      'prod wave 2 prod-loki | PreSync -2: run Job minio-make-bucket (PreSync hook)',
      'prod wave 2 prod-loki | Sync 0: restart StatefulSet loki-write (pod template: checksum/config; OnDelete: pods change only when deleted); scale StatefulSet loki-backend (replicas 3 → 5); update ConfigMap loki-config',
      'prod wave 3 prod-grafana | Sync -1: create Service grafana-peers',
      'prod wave 3 prod-grafana | Sync 0: restart Deployment grafana (pod template: image of grafana; Recreate: every old pod stops before a new one starts); keep Service grafana-old (the Application does not prune: it stays, OutOfSync)',
    ]);
  });

  it('leaves out apps without changes and names an app apps/ does not know by env/component, after the waved ones', () => {
    const apps: ChangedApp[] = [
      { env: 'dev', component: 'extra', objects: [{ after: service('x') }], head: [] },
      { env: 'dev', component: 'loki', objects: [{ before: configMap('c', { a: '1' }), after: configMap('c', { a: '2' }) }], head: [] },
      { env: 'dev', component: 'alloy', objects: [], head: [] },
    ];
    expect(lines(apps, facts([['dev/loki', { application: 'dev-loki', wave: 2 }]]))).toEqual([
      'dev wave 2 dev-loki | Sync 0: update ConfigMap c',
      'dev no wave dev/extra | Sync 0: create Service x',
    ]);
  });
});

describe('syncPlan with only hooks changed', () => {
  it("says the Application stays Synced: Argo CD's diff skips hooks, so nothing runs until its next sync", () => {
    // GIVEN prod-minio whose only change is its bucket Job, a Sync hook
    const hook = (command: string) => annotated(bucketJob(command), { 'argocd.argoproj.io/hook': 'Sync' });
    const apps: ChangedApp[] = [{ env: 'prod', component: 'minio', objects: [{ before: hook('a'), after: hook('b') }], head: [hook('b')] }];
    // WHEN planned THEN it is listed, marked hooks-only, with no steps
    expect(syncPlan(apps, facts([['prod/minio', { application: 'prod-minio', wave: 1 }]]))).toEqual([
      { env: 'prod', applications: [{ env: 'prod', component: 'minio', application: 'prod-minio', wave: 1, hooksOnly: true, steps: [] }] },
    ]);
    // AND the comment says so, counting no Application as syncing
    expect(syncPlanMarkdown(syncPlan(apps, facts([['prod/minio', { application: 'prod-minio', wave: 1 }]])))).toBe(
      "### What Argo CD will do\n\n**prod**: 0 Applications sync (RollingSync: each wave starts once every Application of the previous one is Healthy)\n- wave 1 · prod-minio: stays Synced, as only hooks change (Argo CD's diff skips hooks); they run at its next sync\n\n",
    );
  });
});
