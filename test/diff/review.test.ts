import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog, type Catalog } from '../../tools/catalog/index.ts';
import { dev, prod } from '../../tools/catalog/environments.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { formatMarkdown, formatText, reportJson } from '../../tools/diff/format.ts';
import type { DiffReport, Flag } from '../../tools/diff/engine.ts';
import { diffRefs } from '../../tools/diff/run.ts';
import { generate } from '../../tools/generate/index.ts';
import { writeTree } from '../../tools/generate/write.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { committedCopy } from '../support/git.ts';

/**
 * The review sections of the PR comment on real renders: a copy of the repository in a temporary git
 * repository, one commit per situation (a catalog change regenerated with `generate`, or a hand edit
 * of a rendered NetworkPolicy), diffed HEAD~1 → HEAD with the real kustomize.
 */
let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

const SHAS = { baseSha: 'base', headSha: 'head' };
type Store = Extract<Environment['objectStore'], { kind: 'minio' }>;

const repository = (): Promise<string> => committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n.generate/\n' });

/** The committed catalog with prod (and dev) changed as given. */
function catalogWith(change: { prod?: (env: Environment) => Environment; dev?: (env: Environment) => Environment }): Catalog {
  return { ...catalog, environments: [change.dev ? change.dev(dev) : dev, change.prod ? change.prod(prod) : prod] };
}

/** Regenerates the tree from `changed`, commits it, and diffs the commit against its parent. */
async function commitCatalog(root: string, changed: Catalog, message: string): Promise<DiffReport> {
  await writeTree(root, generate(changed));
  return commitAndDiff(root, message);
}

async function commitAndDiff(root: string, message: string): Promise<DiffReport> {
  await simpleGit(root).add('.').commit(message);
  return (await diffRefs(root, kustomize, 'HEAD~1', 'HEAD')).report;
}

function edit(root: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(root, path), 'utf8');
  if (!text.includes(from)) throw new Error(`${path} does not contain ${from}`);
  writeFileSync(join(root, path), text.replace(from, to));
}

const shown = (flags: readonly Flag[], rule: string): string[] =>
  flags
    .filter((flag) => flag.rule === rule)
    .map((flag) => `${flag.severity} ${flag.env}/${flag.component ?? ''} ${flag.object ?? ''}: ${flag.message}`);

describe('what Argo CD will do and what is lost, on real renders', () => {
  it('prod retention 30 → 7 days: the compactor deletes 23 days of logs, and the config checksum rolls loki-read, -write and -backend in wave 2', async () => {
    // GIVEN the committed tree WHEN a commit shortens prod's Loki retention in the catalog and regenerates
    const root = await repository();
    const report = await commitCatalog(
      root,
      catalogWith({ prod: (env) => ({ ...env, loki: { ...env.loki, retentionHours: 7 * 24 } }) }),
      'prod: 7 days of logs',
    );

    // THEN one data-loss flag says how much goes, and which setting
    expect(shown(report.flags, 'data-loss')).toEqual([
      'danger prod/loki ConfigMap observability/loki-config: Loki retention 30 days → 7 days (config.yaml limits_config.retention_period: 720h → 168h): the compactor deletes logs older than 7 days on its next run, retention_delete_delay (2h) after marking them: 23 days of logs (those 7 days to 30 days old) are lost.',
    ]);
    // AND the plan: only prod-loki syncs, in its RollingSync wave, its three workloads roll on the config checksum
    expect(report.syncPlan).toEqual([
      {
        env: 'prod',
        applications: [
          {
            env: 'prod',
            component: 'loki',
            application: 'prod-loki',
            wave: 2,
            steps: [
              {
                phase: 'Sync',
                wave: 0,
                objects: [
                  { action: 'restart', object: 'Deployment loki-read', detail: 'pod template: checksum/config' },
                  { action: 'restart', object: 'StatefulSet loki-backend', detail: 'pod template: checksum/config' },
                  { action: 'restart', object: 'StatefulSet loki-write', detail: 'pod template: checksum/config' },
                  { action: 'update', object: 'ConfigMap loki-config' },
                ],
              },
            ],
          },
        ],
      },
    ]);
    // AND the comment says it before the YAML, under "What is lost" and "What Argo CD will do" (golden)
    const markdown = formatMarkdown(report, SHAS);
    expect(markdown).toContain(
      '- wave 2 · prod-loki: restart Deployment loki-read, StatefulSet loki-backend, StatefulSet loki-write (pod template: checksum/config); update ConfigMap loki-config\n',
    );
    const order = ['### What is lost', '### Summary', '### What Argo CD will do', '### Object diffs'].map((title) =>
      markdown.indexOf(title),
    );
    expect(order.every((at, i) => at > (order[i - 1] ?? -1))).toBe(true);
    expect(markdown).not.toContain('### Review first');
    await expect(markdown).toMatchFileSnapshot('__golden__/review-retention.md');
    // AND the terminal and JSON reports carry the same
    expect(formatText(report, { color: false })).toContain('  - wave 2 · prod-loki: restart Deployment loki-read');
    const json = JSON.parse(JSON.stringify(reportJson(report))) as { syncPlan: unknown; flows: unknown; flags: Flag[] };
    expect(json.syncPlan).toEqual(report.syncPlan);
    expect(json.flows).toEqual([]);
    expect(json.flags.filter((flag) => flag.rule === 'data-loss')).toHaveLength(1);

    // AND lengthening it back loses nothing: no data-loss flag, the same workloads roll
    const back = await commitCatalog(root, catalog, 'prod: 30 days again');
    expect(shown(back.flags, 'data-loss')).toEqual([]);
    expect(back.syncPlan?.[0]?.applications.map((app) => app.application)).toEqual(['prod-loki']);
  });

  it('the object store lifecycle: a longer noncurrent expiry loses nothing, a shorter one says how many days of recovery go', async () => {
    const root = await repository();
    const store =
      (days: number) =>
      (env: Environment): Environment => ({ ...env, objectStore: { ...(env.objectStore as Store), noncurrentVersionExpiryDays: days } });
    // GIVEN prod keeps noncurrent versions 7 days instead of 1: longer, nothing lost
    const longer = await commitCatalog(root, catalogWith({ prod: store(7) }), 'prod: 7 days of noncurrent versions');
    expect(shown(longer.flags, 'data-loss')).toEqual([]);
    // WHEN a later commit shortens it to 2 days
    const shorter = await commitCatalog(root, catalogWith({ prod: store(2) }), 'prod: 2 days of noncurrent versions');
    // THEN a warning names the rule, both values and the days lost; the bucket Job, a Sync hook, runs in prod-minio's wave
    expect(shown(shorter.flags, 'data-loss')).toEqual([
      'warning prod/minio ConfigMap observability/minio-bucket-setup: object store lifecycle rule expire-noncurrent-versions (lifecycle.json): NoncurrentVersionExpiration.NoncurrentDays 7 → 2: deleted or overwritten chunks stay recoverable 2 days instead of 7 days: 5 days of the recovery window is lost.',
    ]);
    const minio = shorter.syncPlan?.find((env) => env.env === 'prod')?.applications;
    expect(minio?.map((app) => `${app.application} wave ${app.wave}`)).toEqual(['prod-minio wave 1']);
    expect(
      minio?.[0]?.steps.map((step) => `${step.phase} ${step.wave}: ${step.objects.map((o) => `${o.action} ${o.object}`).join(', ')}`),
    ).toEqual(['Sync 0: update ConfigMap minio-bucket-setup', 'Sync 1: run Job minio-bucket-setup']);
  });

  it('claim sizes: prod Grafana lowered is refused, Loki raised says recreating the StatefulSets resizes no claim', async () => {
    const root = await repository();
    // GIVEN the committed tree WHEN prod's Grafana volume goes 10Gi → 5Gi and Loki's 50Gi → 100Gi
    const report = await commitCatalog(
      root,
      catalogWith({
        prod: (env) => ({ ...env, grafana: { ...env.grafana, volumeSize: '5Gi' }, loki: { ...env.loki, volumeSize: '100Gi' } }),
      }),
      'prod: smaller Grafana volume, bigger Loki volumes',
    );
    // THEN each is a volume-size flag under "What is lost", none an immutable-field flag
    const sizes = shown(report.flags, 'volume-size');
    expect(sizes).toEqual([
      'danger prod/grafana PersistentVolumeClaim observability/grafana-data: spec.resources.requests.storage shrinks (10Gi → 5Gi): Kubernetes refuses to shrink a claim, so the sync fails until the size is restored; a volume never shrinks: a smaller size means a new claim and copying the data over, and whatever is not copied is lost.',
      'danger prod/loki StatefulSet observability/loki-backend: volumeClaimTemplates data 50Gi → 100Gi: Kubernetes refuses any change to volumeClaimTemplates, so the sync fails. Recreating the StatefulSet (delete it with --cascade=orphan, then sync) does not resize the 3 existing claims data-loki-backend-0 … data-loki-backend-2: patch each claim to 100Gi, only if its StorageClass has allowVolumeExpansion: true (else the API server refuses the patch); only claims made for new replicas get the new size from the template.',
      'danger prod/loki StatefulSet observability/loki-write: volumeClaimTemplates data 50Gi → 100Gi: Kubernetes refuses any change to volumeClaimTemplates, so the sync fails. Recreating the StatefulSet (delete it with --cascade=orphan, then sync) does not resize the 3 existing claims data-loki-write-0 … data-loki-write-2: patch each claim to 100Gi, only if its StorageClass has allowVolumeExpansion: true (else the API server refuses the patch); only claims made for new replicas get the new size from the template.',
    ]);
    expect(shown(report.flags, 'immutable-field')).toEqual([]);
    const markdown = formatMarkdown(report, SHAS);
    const lost = markdown.slice(markdown.indexOf('### What is lost'), markdown.indexOf('### Summary'));
    expect(lost.split('\n').filter((line) => line.startsWith('- **DANGER** `volume-size`'))).toHaveLength(3);
  });
});

describe('network changes as flows, on real renders', () => {
  it("port 9095 removed from prod's loki-backend ingress: three intended flows now denied, flagged; dev untouched", async () => {
    // GIVEN the committed tree WHEN a commit removes 9095 from prod's allow-ingress-loki-backend
    const root = await repository();
    edit(
      root,
      'overlays/prod/platform/networkpolicy-allow-ingress-loki-backend.yaml',
      '        - port: 9095\n          protocol: TCP\n',
      '',
    );
    const report = await commitAndDiff(root, 'prod: no gRPC into loki-backend');

    // THEN the flow matrix difference, by the network gate's evaluator, lists exactly those flows for prod
    expect(report.flows?.map((env) => env.env)).toEqual(['prod']);
    expect(
      report.flows?.[0]?.changes.map(
        (c) => `${c.from} → ${c.to}:${c.port}/${c.protocol} ${c.change} ${c.intended ? 'intended' : 'unintended'}`,
      ),
    ).toEqual([
      'loki-backend → loki-backend:9095/TCP denied intended',
      'loki-read → loki-backend:9095/TCP denied intended',
      'loki-write → loki-backend:9095/TCP denied intended',
    ]);
    // AND each is a danger flag, and the comment shows the flows before the YAML (golden)
    expect(shown(report.flags, 'network-flow')).toEqual([
      'danger prod/ : loki-backend → loki-backend:9095/TCP now denied (intended: Loki gRPC between targets)',
      'danger prod/ : loki-read → loki-backend:9095/TCP now denied (intended: Loki gRPC between targets)',
      'danger prod/ : loki-write → loki-backend:9095/TCP now denied (intended: Loki gRPC between targets)',
    ]);
    const markdown = formatMarkdown(report, SHAS);
    expect(markdown).toContain('- **against intent** loki-read → loki-backend:9095/TCP now denied (intended: Loki gRPC between targets)\n');
    expect(markdown.indexOf('### Network flows')).toBeLessThan(markdown.indexOf('### Object diffs'));
    await expect(markdown).toMatchFileSnapshot('__golden__/review-flows.md');
    // AND the platform app syncs in wave 0; nothing rolls
    expect(report.syncPlan?.map((env) => env.applications.map((app) => `${env.env} wave ${app.wave} ${app.application}`))).toEqual([
      ['prod wave 0 prod-platform'],
    ]);
  });

  it("an internet egress for Grafana in the base: newly allowed in dev, not intended, a warning; prod's own egress list replaces it", async () => {
    const root = await repository();
    // GIVEN the base's Grafana egress WHEN a commit adds HTTPS to any public address
    edit(
      root,
      'base/platform/networkpolicy-allow-egress-grafana.yaml',
      '  egress:\n',
      '  egress:\n    - ports:\n        - port: 443\n          protocol: TCP\n      to:\n        - ipBlock:\n            cidr: 0.0.0.0/0\n            except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]\n',
    );
    const report = await commitAndDiff(root, 'grafana: HTTPS out everywhere');
    // THEN dev gains grafana → internet 443, against intent; prod renders the same policy (its patch sets the whole egress list)
    expect(report.changes.map((c) => `${c.env}/${c.component} ${c.kind} ${c.name}`)).toEqual([
      'dev/platform NetworkPolicy allow-egress-grafana',
    ]);
    expect(
      report.flows?.map((env) => `${env.env}: ${env.changes.map((c) => `${c.from} → ${c.to}:${c.port} ${c.change}`).join(', ')}`),
    ).toEqual(['dev: grafana → internet:443 allowed']);
    expect(shown(report.flags, 'network-flow')).toEqual([
      'warning dev/ : grafana → internet:443/TCP newly allowed (not intended by the catalog)',
    ]);
    expect(formatMarkdown(report, SHAS)).toContain(
      '**dev**: 1 flow(s) change\n- **against intent** grafana → internet:443/TCP newly allowed (not intended by the catalog)\n',
    );

    // AND a later commit that only narrows the new rule to one address still allowed: the policy changes, the flows do not
    edit(
      root,
      'base/platform/networkpolicy-allow-egress-grafana.yaml',
      '            cidr: 0.0.0.0/0\n            except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]\n',
      '            cidr: 203.0.113.0/24\n',
    );
    const narrowed = await commitAndDiff(root, 'grafana: HTTPS to one network');
    expect(narrowed.flows?.map((env) => `${env.env}: ${env.changes.length}`)).toEqual(['dev: 0']);
    expect(formatMarkdown(narrowed, SHAS)).toContain('**dev**: the NetworkPolicies change, the allowed flows do not\n');
  });

  it('a change that touches no NetworkPolicy and no pod labels or ports computes no flows', async () => {
    const root = await repository();
    const report = await commitCatalog(
      root,
      catalogWith({ dev: (env) => ({ ...env, loki: { ...env.loki, retentionHours: 48 } }) }),
      'dev: 2 days',
    );
    expect(report.flows).toBeUndefined();
    expect(formatMarkdown(report, SHAS)).not.toContain('### Network flows');
    expect(shown(report.flags, 'data-loss')).toHaveLength(1);
  });
});
