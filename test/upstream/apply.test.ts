/**
 * Every rendered object is accepted by a real kube-apiserver (the Kubernetes minor the catalog
 * targets) when applied as Argo CD applies it: server-side, field manager `argocd-controller`,
 * conflicts forced, strict field validation, in wave order. apps/ too, with Argo CD's CRDs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBERNETES_TARGET_MINOR } from '../../tools/catalog/versions.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { parseObjects } from '../../tools/yaml.ts';
import { REPO_ROOT, renderCommitted } from '../support/repo.ts';
import { startApiServer, type ApiServer } from './support/api-server.ts';
import { ARGOCD_MANAGER, describeTask, sync, syncPlan } from './support/argocd-sync.ts';
import { ARGO_CD_CRDS_VERSION, argoCdCrds } from './support/argocd-crds.ts';
import { UPSTREAM_DIR } from './support/programs.ts';

const tree = await renderCommitted();
const envs = [...new Set(tree.apps.map((a) => a.env))];

describe('the kube-apiserver program', () => {
  it(`is k8s.io/kubernetes at the catalog's target minor ${KUBERNETES_TARGET_MINOR}, every staging module replaced by its published version`, () => {
    const goMod = readFileSync(join(UPSTREAM_DIR, 'kube-apiserver/go.mod'), 'utf8');
    const [, patch] = /^\s*k8s\.io\/kubernetes v1\.(\d+\.\d+)\s*$/m.exec(goMod) ?? [];
    expect(`1.${patch?.split('.')[0]}`).toBe(KUBERNETES_TARGET_MINOR);
    const replaced = [...goMod.matchAll(/^\s*(k8s\.io\/[\w-]+) => k8s\.io\/[\w-]+ (v\S+)$/gm)];
    expect(replaced.length).toBeGreaterThanOrEqual(31);
    expect(new Set(replaced.map(([, , version]) => version))).toEqual(new Set([`v0.${patch}`]));
  });

  it('starts, serves its target minor and writes a kubeconfig', async () => {
    const server = await startApiServer();
    try {
      const version = await server.client.request('GET', '/version');
      expect(`${version.major}.${version.minor}`).toBe(KUBERNETES_TARGET_MINOR);
    } finally {
      await server.stop();
    }
  });
});

describe.each(envs)('overlays/%s/* synced by server-side apply as argocd-controller, in wave order', (env) => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(() => server?.stop());

  it('the server accepts every object and keeps what git says', async () => {
    const plan = syncPlan(tree, env);
    expect(plan.length).toBeGreaterThan(0);
    const rejected = await sync(server.client, plan);
    expect(rejected.map((r) => `${describeTask(r.task)}: ${r.reason}`)).toEqual([]);
    const managers = new Set<string>();
    for (const task of plan) {
      const live = await server.client.get(task.object);
      expect(live, describeTask(task)).toBeDefined();
      for (const entry of (live?.metadata['managedFields'] as { manager: string; operation: string }[]) ?? [])
        if (entry.operation === 'Apply') managers.add(entry.manager);
    }
    expect([...managers]).toEqual([ARGOCD_MANAGER]);
  });
});

describe(`apps/ with the CRDs of Argo CD ${ARGO_CD_CRDS_VERSION}`, () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(() => server?.stop());

  it('the server accepts the AppProject, the ApplicationSets and the bootstrap', async () => {
    const crds = argoCdCrds();
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      'applications.argoproj.io',
      'applicationsets.argoproj.io',
      'appprojects.argoproj.io',
    ]);
    for (const crd of crds) await server.client.apply(crd, { fieldManager: 'argocd-install', force: true });
    for (const kind of ['Application', 'ApplicationSet', 'AppProject']) await server.client.waitForKind('argoproj.io/v1alpha1', kind);
    // Argo CD's own install makes its namespace; the bootstrap's objects live there.
    await server.client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }, { fieldManager: 'argocd-install' });

    const files = [
      ...readdirSync(join(REPO_ROOT, 'apps')).map((f) => `apps/${f}`),
      ...readdirSync(join(REPO_ROOT, 'apps/bootstrap')).map((f) => `apps/bootstrap/${f}`),
    ]
      .filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'))
      .sort();
    const objects: KubeObject[] = files.flatMap((f) => parseObjects(readFileSync(join(REPO_ROOT, f), 'utf8'), f));
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['AppProject', 'ApplicationSet', 'Application', 'ConfigMap']));
    const rejected: string[] = [];
    for (const object of objects) {
      try {
        await server.client.apply(object, { fieldManager: ARGOCD_MANAGER, force: true });
      } catch (error) {
        rejected.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(rejected).toEqual([]);
  });

  it('is the Argo CD release the end-to-end workflow installs', () => {
    expect(readFileSync(join(REPO_ROOT, '.github/workflows/e2e.yml'), 'utf8')).toMatch(
      new RegExp(`^\\s*ARGOCD_VERSION: ${ARGO_CD_CRDS_VERSION.replace(/\./g, '\\.')}\\s*$`, 'm'),
    );
  });
});
