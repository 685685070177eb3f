import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { commit, committedCopy, edit } from '../support/git.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { parseObjects } from '../../tools/yaml.ts';

/**
 * Situations from public reports against PR-preview tools, each rebuilt as commits on a copy of the
 * repository and diffed with real renders: the diff must never say "no change" for a real one, never
 * reach outside its checkout, and name what it could not render.
 */
let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

const repository = (): Promise<string> => committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function script(name: string, root: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', name), ...args], { cwd: root, encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

const ALLOY_KUSTOMIZATION = 'overlays/dev/alloy/kustomization.yaml';
const limits = (memory: string) =>
  `apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: alloy\n  namespace: observability\nspec:\n  template:\n    spec:\n      containers:\n        - name: alloy\n          resources:\n            limits:\n              memory: ${memory}\n`;
const plugin = (kind: string, body: string) =>
  `apiVersion: builtin\nkind: ${kind}\nmetadata:\n  name: ${kind.toLowerCase()}\n  namespace: observability\n${body}`;

describe('1. inputs named inside generator and transformer configs', () => {
  it('a change to a file only a builtin PatchTransformer or ConfigMapGenerator names is a rendered change; an unrelated commit renders and changes nothing', async () => {
    // GIVEN dev/alloy with a builtin PatchTransformer (path: patch-limits.yaml) and ConfigMapGenerator (files: [extra.alloy])
    const root = await repository();
    edit(root, ALLOY_KUSTOMIZATION, 'resources:', 'transformers:\n  - limits.yaml\ngenerators:\n  - extra.yaml\nresources:');
    write(root, {
      'overlays/dev/alloy/limits.yaml': plugin('PatchTransformer', 'path: patch-limits.yaml\n'),
      'overlays/dev/alloy/patch-limits.yaml': limits('256Mi'),
      'overlays/dev/alloy/extra.yaml': plugin('ConfigMapGenerator', 'files:\n  - extra.alloy\n'),
      'overlays/dev/alloy/extra.alloy': 'logging { level = "info" }\n',
    });
    await commit(root, 'alloy: limits transformer and extra config generator');
    // WHEN a later commit changes only the patch and the generated file
    write(root, {
      'overlays/dev/alloy/patch-limits.yaml': limits('1Gi'),
      'overlays/dev/alloy/extra.alloy': 'logging { level = "debug" }\n',
    });
    await commit(root, 'alloy: more memory, debug logging');
    const { report } = await diffRefs(root, kustomize, 'HEAD~1', 'HEAD');
    // THEN both changes are there: the DaemonSet's limit, and the generated ConfigMap paired across its hash suffix
    const changes = report.changes.map(
      (c) => `${c.env}/${c.component} ${c.change} ${c.kind} ${c.previousName ? `${c.previousName} → ` : ''}${c.name}`,
    );
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatch(
      /^dev\/alloy changed ConfigMap configmapgenerator-[2456789bcdfghkmt]{10} → configmapgenerator-[2456789bcdfghkmt]{10}$/,
    );
    expect(changes[1]).toBe('dev/alloy changed DaemonSet alloy');
    expect(report.changes[1]?.diff).toMatch(/-\s+memory: 256Mi\n\+\s+memory: 1Gi/);
    expect(report.changes[0]?.diff).toContain('+    logging { level = "debug" }');

    // AND a commit that changes nothing rendered (a comment in the patch) renders both sides and reports nothing
    edit(root, 'overlays/dev/alloy/patch-limits.yaml', 'apiVersion', '# more memory for the debug logs\napiVersion');
    await commit(root, 'comment');
    const quiet = await diffRefs(root, kustomize, 'HEAD~1', 'HEAD');
    expect(quiet.report.changes).toEqual([]);
    expect(quiet.report.flags).toEqual([]);
  });

  it('a generated Secret (builtin SecretGenerator with envs) changing a value is paired across its suffix and stays a WARNING naming the key', async () => {
    const root = await repository();
    edit(root, ALLOY_KUSTOMIZATION, 'resources:', 'generators:\n  - token.yaml\nresources:');
    write(root, {
      'overlays/dev/alloy/token.yaml': plugin('SecretGenerator', 'envs:\n  - token.env\n'),
      'overlays/dev/alloy/token.env': 'TOKEN=first-secret-value\nUSER=alloy\n',
    });
    await commit(root, 'alloy token');
    write(root, { 'overlays/dev/alloy/token.env': 'TOKEN=second-secret-value\nUSER=alloy\n' });
    const { report } = await diffRefs(root, kustomize, 'HEAD');
    expect(report.changes.map((c) => `${c.change} ${c.kind}`)).toEqual(['changed Secret']);
    expect(report.changes[0]?.previousName).not.toBe(report.changes[0]?.name);
    const flags = report.flags.filter((f) => f.rule === 'secret-change');
    expect(flags.map((f) => `${f.severity} ${f.env}/${f.component} ${f.message}`)).toEqual([
      'warning dev/alloy values changed: TOKEN (values are never shown)',
    ]);
    expect(JSON.stringify(report)).not.toMatch(
      /first-secret-value|second-secret-value|Zmlyc3Qtc2VjcmV0LXZhbHVl|c2Vjb25kLXNlY3JldC12YWx1ZQ/,
    );
  });
});

describe("2. one environment's waves", () => {
  it.each(['dev', 'prod'])('a wave changed in the %s ApplicationSet only is flagged for that environment alone', async (env) => {
    // GIVEN the committed tree WHEN only this environment's Loki wave goes 2 → 3
    const root = await repository();
    edit(root, `apps/${env}.applicationset.yaml`, '- component: loki\n            wave: "2"', '- component: loki\n            wave: "3"');
    const result = script('diff.ts', root, ['--base', 'HEAD', '--json']);
    // THEN exit 1, one wave flag naming the environment, the Application and both waves
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { flags: { rule: string; env?: string; component?: string; message: string }[] };
    expect(report.flags.filter((f) => f.rule === 'wave-order').map((f) => `${f.env}/${f.component}: ${f.message.split(':')[0]}`)).toEqual([
      `${env}/loki: wave 2 → 3 (Application ${env}-loki)`,
    ]);
  });
});

describe('3. containment: nothing outside the repository is fetched or read', () => {
  let server: Server;
  let port = 0;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n  namespace: observability\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const snapshot = (root: string): string => {
    const file = join(root, '..', `${root.split('/').pop()}-snapshot.json`);
    // (one object: an empty snapshot is refused before anything renders)
    const item = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'observability' } };
    writeFileSync(file, `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item] })}\n`);
    return file;
  };

  it.each([
    ['a loopback URL', () => `http://127.0.0.1:${port}/extra.yaml`, 'is a remote reference'],
    ['a path climbing out of the checkout', () => '../../../../somewhere', 'leaves the repository'],
  ])(
    '%s is refused with exit 2 naming the overlay and the reference, in diff (working tree and refs), validate, check and drift',
    async (_name, reference, reason) => {
      // GIVEN a kustomization outside the repository (for the climbing path) and an overlay naming the reference
      const root = await repository();
      const outside = join(root, '..', 'somewhere');
      write(outside, {
        'kustomization.yaml': 'resources: [stolen.yaml]\n',
        'stolen.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n',
      });
      const ref = reference();
      edit(root, 'overlays/dev/minio/kustomization.yaml', 'resources:', `resources:\n  - ${ref}`);
      const expected = `overlays/dev/minio: reference refused: overlays/dev/minio/kustomization.yaml: ${ref} ${reason}`;
      // WHEN each command meets it (working tree, then the committed ref)
      const runs = [
        script('diff.ts', root, ['--base', 'HEAD']),
        script('validate.ts', root, ['overlays/dev/minio']),
        script('check.ts', root, []),
        script('drift.ts', root, ['--env', 'dev', '--snapshot', snapshot(root)]),
      ];
      await commit(root, 'reference out of the repository');
      runs.push(script('diff.ts', root, ['--base', 'HEAD~1', '--head', 'HEAD']));
      // THEN every one exits 2 with one line naming the overlay and the reference, and nothing was fetched
      for (const run of runs) {
        expect(run.status).toBe(2);
        expect(run.stderr.split('\n').find((line) => line.startsWith('error: '))).toContain(expected);
      }
      expect(runs[4]?.stderr).toMatch(/^error: head: overlays\/dev\/minio: reference refused/m);
      expect(requests).toEqual([]);
      rmSync(outside, { recursive: true, force: true });
    },
  );
});

describe('4. where Argo CD puts an object', () => {
  it('removing a namespace the destination supplies changes nothing in the cluster: no data loss, no removes and adds', async () => {
    const root = await repository();
    // (prod's patch of the claim names it as kustomize sees it, so it loses the namespace too)
    for (const file of [
      'base/grafana/persistentvolumeclaim-grafana-data.yaml',
      'base/grafana/service-grafana.yaml',
      'overlays/prod/grafana/patch-persistentvolumeclaim-grafana-data.yaml',
    ]) {
      edit(root, file, '  namespace: observability\n', '');
    }
    await commit(root, 'grafana: namespace from the destination');
    const result = script('diff.ts', root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ hasChanges: false, flags: [], changes: [] });
  });

  it('a cluster-scoped object given a namespace is the same object (a PriorityClass of the platform)', async () => {
    const root = await repository();
    const [file] = spawnSync('git', ['grep', '-l', 'kind: PriorityClass', '--', 'base/platform'], {
      cwd: root,
      encoding: 'utf8',
    }).stdout.split('\n');
    edit(root, file as string, 'metadata:\n', 'metadata:\n  namespace: observability\n');
    await commit(root, 'a namespace on a PriorityClass');
    const { report } = await diffRefs(root, kustomize, 'HEAD~1', 'HEAD');
    expect(report.changes).toEqual([]);
    expect(report.flags).toEqual([]);
  });

  it('an object moving from one app to another of the environment is shown as a move with its risk', async () => {
    // GIVEN dev's Grafana claim moves from the grafana app (wave 3) to the loki app (wave 2)
    const root = await repository();
    const claim = readFileSync(join(root, 'base/grafana/persistentvolumeclaim-grafana-data.yaml'), 'utf8');
    const deletion =
      '  - patch: |\n      $patch: delete\n      apiVersion: v1\n      kind: PersistentVolumeClaim\n      metadata:\n        name: grafana-data\n        namespace: observability\n';
    const grafanaKustomization = 'overlays/dev/grafana/kustomization.yaml';
    // (into the overlay's own patches list when it has one: a second `patches:` key would replace the first)
    if (readFileSync(join(root, grafanaKustomization), 'utf8').includes('\npatches:\n'))
      edit(root, grafanaKustomization, '\npatches:\n', `\npatches:\n${deletion}`);
    else edit(root, grafanaKustomization, 'resources:', `patches:\n${deletion}resources:`);
    write(root, { 'overlays/dev/loki/claim.yaml': claim });
    edit(root, 'overlays/dev/loki/kustomization.yaml', 'resources:', 'resources:\n  - claim.yaml');
    const { report } = await diffRefs(root, kustomize, 'HEAD');
    const move = report.flags.find((f) => f.rule === 'object-move');
    expect(move).toMatchObject({ env: 'dev', component: 'loki', object: 'PersistentVolumeClaim observability/grafana-data' });
    expect(move?.message).toContain('moves from dev/grafana (dev-grafana, wave 3) to dev/loki (dev-loki, wave 2)');
    expect(move?.message).toContain('FailOnSharedResource=true');
    expect(report.flags.find((f) => f.rule === 'data-loss')?.message).toContain('It moves to dev/loki');
  });

  it('the same object rendered by two apps of one environment is an error, even when the other app is unchanged', async () => {
    const root = await repository();
    write(root, {
      'overlays/dev/loki/claim.yaml': readFileSync(join(root, 'base/grafana/persistentvolumeclaim-grafana-data.yaml'), 'utf8'),
    });
    edit(root, 'overlays/dev/loki/kustomization.yaml', 'resources:', 'resources:\n  - claim.yaml');
    const { report } = await diffRefs(root, kustomize, 'HEAD');
    const shared = report.flags.filter((f) => f.rule === 'shared-object');
    expect(shared.map((f) => `${f.severity} ${f.env} ${f.object}`)).toEqual([
      'danger dev PersistentVolumeClaim observability/grafana-data',
    ]);
    expect(shared[0]?.message).toContain('dev-grafana, dev-loki');
  });
});

describe('5. a PR that fixes main', () => {
  it("a base that fails to render is named, and the head's objects are reported; a head that fails is exit 2 naming the head", async () => {
    // GIVEN main where dev/alloy names a file that is not there
    const root = await repository();
    edit(root, ALLOY_KUSTOMIZATION, 'resources:', 'resources:\n  - missing.yaml');
    await commit(root, 'broken main');
    // WHEN the PR removes the reference
    edit(root, ALLOY_KUSTOMIZATION, 'resources:\n  - missing.yaml', 'resources:');
    const fixed = script('diff.ts', root, ['--base', 'HEAD', '--json']);
    // THEN the report names the base failure, and shows dev/alloy's objects as added
    expect(fixed.status).toBe(1);
    const report = JSON.parse(fixed.stdout) as {
      flags: { rule: string; env?: string; component?: string; message: string }[];
      changes: { env: string; component: string; change: string }[];
    };
    const failed = report.flags.filter((f) => f.rule === 'render-failed');
    expect(failed.map((f) => `${f.env}/${f.component}`)).toEqual(['dev/alloy']);
    expect(failed[0]?.message).toMatch(/^the base side failed to render.*overlays\/dev\/alloy: kustomize build failed.*missing\.yaml/);
    const rendered = parseObjects(
      spawnSync('kubectl', ['kustomize', join(root, 'overlays/dev/alloy')], { encoding: 'utf8' }).stdout,
      'overlays/dev/alloy',
    );
    expect(rendered.length).toBeGreaterThan(0);
    expect(report.changes.filter((c) => c.env === 'dev' && c.component === 'alloy').map((c) => c.change)).toEqual(
      rendered.map(() => 'added'),
    );
    // AND the other way round, the head failing is exit 2 with the head named
    writeFileSync(join(root, ALLOY_KUSTOMIZATION), `${readFileSync(join(root, ALLOY_KUSTOMIZATION), 'utf8')}  - also-missing.yaml\n`);
    const head = script('diff.ts', root, ['--base', 'HEAD']);
    expect(head.status).toBe(2);
    expect(head.stderr.split('\n')[0]).toMatch(/^error: head: overlays\/dev\/alloy: kustomize build failed/);
  });
});
