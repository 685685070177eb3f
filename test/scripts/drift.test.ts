import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tools/kube/object.ts';
import { asApplied } from '../fixtures/api-server-defaults.ts';
import { FakeKubeApiServer, type Fault } from '../fixtures/kube-api-server.ts';
import { ARGO_DIFF, ARGO_DIFF_ABSENT, ARGO_VERDICTS, OWN_PAIRS, OWN_VERDICTS, pairFiles } from '../drift/pairs.ts';
import { REPO_ROOT, renderCommitted } from '../support/repo.ts';

const run = promisify(execFile);
const TOKEN = 'drift-reader-token';

async function drift(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, [join(REPO_ROOT, 'scripts/drift.ts'), ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `drift --desired --snapshot` on every pair in `dir`: the exit code is the verdict. */
function verdictSuite(title: string, dir: string, verdicts: Record<string, number>): void {
  describe(title, () => {
    it.each(Object.entries(verdicts))('%s: the exit code is the verdict', async (name, expected) => {
      const files = pairFiles(dir, name);
      const result = await drift(['--desired', files.desired, '--snapshot', files.live]);
      expect(result.code, result.stdout + result.stderr).toBe(expected);
    });
  });
}

verdictSuite("npm run drift --desired/--snapshot on the project's drift pairs", OWN_PAIRS, OWN_VERDICTS);
if (ARGO_DIFF_ABSENT) it.skip(ARGO_DIFF_ABSENT, () => {});
else verdictSuite("npm run drift --desired/--snapshot on Argo CD's own diff fixtures", ARGO_DIFF, ARGO_VERDICTS);

describe('npm run drift --env against a cluster that answers like a real API server', async () => {
  const tree = await renderCommitted();
  const dir = mkdtempSync(join(tmpdir(), 'obs-drift-'));
  const desired = tree.apps
    .filter((a) => a.env === 'dev')
    .flatMap((a) =>
      a.objects.filter((o) => !o.metadata.annotations?.['argocd.argoproj.io/hook']).map((o) => ({ o, app: `dev-${a.component}` })),
    );
  const servers: FakeKubeApiServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A cluster where Argo CD applied the dev overlays, with `change` applied to its live objects. */
  async function cluster(change: (live: KubeObject[]) => void = () => {}, faults: Fault[] = []): Promise<string> {
    const live = desired.map(({ o, app }, i) => asApplied(o, app, i));
    change(live);
    const server = new FakeKubeApiServer({ objects: live, token: TOKEN, faults });
    servers.push(server);
    await server.start();
    const kubeconfig = join(dir, `kubeconfig-${servers.length}`);
    writeFileSync(kubeconfig, server.kubeconfigYaml(TOKEN));
    return kubeconfig;
  }
  const find = (live: KubeObject[], kind: string, name: string): Record<string, any> =>
    live.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any>;
  const report = async (kubeconfig: string): Promise<{ code: number; json: any; stderr: string }> => {
    const result = await drift(['--env', 'dev', '--kubeconfig', kubeconfig, '--json']);
    return { code: result.code, json: JSON.parse(result.stdout || '{}'), stderr: result.stderr };
  };

  it('finds no drift on an untouched cluster (defaults, managedFields, status, tracking, base64 Secrets)', async () => {
    const result = await report(await cluster());
    expect(result.json.missing).toEqual([]);
    expect(result.json.unexpected).toEqual([]);
    expect(result.json.modified).toEqual([]);
    expect(result.code).toBe(0);
  });

  it.each<[string, (live: KubeObject[]) => void, string]>([
    ['replicas', (live) => (find(live, 'StatefulSet', 'loki')['spec'].replicas = 2), 'modified StatefulSet loki /spec/replicas'],
    [
      'an image',
      (live) => (find(live, 'Deployment', 'grafana')['spec'].template.spec.containers[0].image = 'docker.io/grafana/grafana:13.3.0'),
      'modified Deployment grafana /spec/template/spec/containers/0/image',
    ],
    [
      'an env var',
      (live) => (find(live, 'Deployment', 'minio')['spec'].template.spec.containers[0].env[0].value = 'http://elsewhere'),
      'modified Deployment minio /spec/template/spec/containers/0/env/0/value',
    ],
    [
      'a NetworkPolicy rule',
      (live) => (find(live, 'NetworkPolicy', 'allow-ingress-grafana')['spec'].ingress[0].ports[0].port = 8080),
      'modified NetworkPolicy allow-ingress-grafana /spec/ingress/0/ports/0/port',
    ],
    [
      'a deleted object',
      (live) =>
        live.splice(
          live.findIndex((o) => o.kind === 'ConfigMap' && o.metadata.name === 'alloy-config'),
          1,
        ),
      'missing ConfigMap alloy-config',
    ],
    [
      'an extra tracked object',
      (live) =>
        live.push(
          asApplied(
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'left-behind', namespace: 'observability', labels: { 'app.kubernetes.io/part-of': 'observability-stack' } },
              data: { a: 'b' },
            },
            'dev-grafana',
            999,
          ),
        ),
      'unexpected ConfigMap left-behind',
    ],
    [
      'a Secret value',
      (live) => (find(live, 'Secret', 'grafana-admin')['data']['admin-password'] = Buffer.from('changed-by-hand').toString('base64')),
      'modified Secret grafana-admin /data/admin-password',
    ],
  ])('reports exactly the drift of %s', async (_name, change, expected) => {
    const result = await report(await cluster(change));
    expect(result.code).toBe(1);
    const findings = [
      ...result.json.missing.map((o: any) => `missing ${o.kind} ${o.name}`),
      ...result.json.unexpected.map((o: any) => `unexpected ${o.kind} ${o.name}`),
      ...result.json.modified.flatMap((m: any) => m.fields.map((f: any) => `modified ${m.object.kind} ${m.object.name} ${f.path}`)),
    ];
    expect(findings).toEqual([expected]);
    expect(JSON.stringify(result.json)).not.toContain('changed-by-hand');
    expect(JSON.stringify(result.json)).not.toContain(Buffer.from('changed-by-hand').toString('base64'));
  });

  it('reports the kinds it could not list, exits 2, and still compares the rest', async () => {
    const result = await report(
      await cluster(
        (live) => (find(live, 'StatefulSet', 'loki')['spec'].replicas = 2),
        [{ resource: 'networkpolicies', group: 'networking.k8s.io', status: 403 }],
      ),
    );
    expect(result.code).toBe(2);
    expect(result.json.unreadable).toEqual([expect.objectContaining({ kind: 'NetworkPolicy', reason: expect.stringMatching(/^403/) })]);
    expect(result.json.modified.map((m: any) => m.object.name)).toEqual(['loki']);
  });
});

describe('npm run drift: what a newcomer meets first', async () => {
  const tree = await renderCommitted();
  const dir = mkdtempSync(join(tmpdir(), 'obs-drift-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['an empty file', ''],
    ['only a document separator', '---\n'],
    ['an empty List', '{"apiVersion":"v1","kind":"List","items":[]}'],
  ])('a snapshot holding no objects (%s) is exit 2 naming the file, not everything missing', async (_name, text) => {
    const file = join(dir, `empty-${text.length}.json`);
    writeFileSync(file, text);
    const result = await drift(['--env', 'dev', '--snapshot', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `error: --snapshot ${file} holds no objects: save it with the command \`npm run drift -- --env ENV --print-kubectl\` prints`,
    );
    expect(result.stdout).toBe('');
  });

  it('an empty --desired file is exit 2 with advice for a desired file, not for a snapshot', async () => {
    const empty = join(dir, 'empty-desired.yaml');
    writeFileSync(empty, '');
    const live = join(dir, 'one-object.json');
    writeFileSync(live, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"observability"}}');
    const result = await drift(['--desired', empty, '--snapshot', live]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `error: --desired ${empty} holds no objects: give the rendered objects, e.g. the output of \`kubectl kustomize overlays/ENV/APP\``,
    );
  });

  it('--print-kubectl refuses an output format rather than dropping it', async () => {
    const result = await drift(['--env', 'dev', '--print-kubectl', '-o', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: --print-kubectl only prints a command: give it with --env ENV alone');
    expect(result.stdout).toBe('');
  });

  it('an unreachable cluster is an error line on stderr naming the server, never "no drift"', async () => {
    // GIVEN a kubeconfig whose server refuses connections
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const kubeconfig = join(dir, 'unreachable.kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:${closed}', insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
current-context: c
`,
    );
    // WHEN drift runs against it
    const result = await drift(['--env', 'dev', '--kubeconfig', kubeconfig]);
    // THEN exit 2, the first stderr line names the server, and nothing claims the environment is clean
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`^error: cannot read https://127\\.0\\.0\\.1:${closed}: `));
    expect(result.stdout).not.toMatch(/no drift/i);
  });

  it('--print-kubectl prints one kubectl get covering every kind the environment deploys', async () => {
    // GIVEN what dev renders
    const kinds = new Set(
      tree.apps
        .filter((a) => a.env === 'dev')
        .flatMap((a) => a.objects)
        .map((o) => (o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.split('/')[1]}.${o.apiVersion.split('/')[0]}` : o.kind)),
    );
    // WHEN asked for the snapshot command
    const result = await drift(['--env', 'dev', '--print-kubectl']);
    // THEN it lists exactly those kinds, label-selected, in the stack's namespace, as JSON
    expect(result.code).toBe(0);
    const match = /^kubectl get -n observability (\S+) -l app\.kubernetes\.io\/part-of=observability-stack -o json\n$/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    expect(new Set(match?.[1]?.split(','))).toEqual(kinds);
    expect(kinds).toContain('Namespace');
    expect(kinds).toContain('ClusterRole.v1.rbac.authorization.k8s.io');
  });
});
