import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tools/kube/object.ts';
import type { RenderedApp } from '../../tools/render/tree.ts';
import { schemaFindings } from '../../tools/validate/schema.ts';
import { parseObjects } from '../../tools/yaml.ts';
import { app, REPO_ROOT, renderCommitted } from '../support/repo.ts';

type Json = Record<string, any>;

describe('schema validation of rendered objects', async () => {
  const tree = await renderCommitted();
  const argoFiles = [
    'apps/project.yaml',
    'apps/dev.applicationset.yaml',
    'apps/prod.applicationset.yaml',
    'apps/bootstrap/root-application.yaml',
  ];
  const argo: RenderedApp = {
    env: 'all',
    component: 'apps',
    dir: 'apps',
    objects: (await Promise.all(argoFiles.map(async (f) => parseObjects(await readFile(join(REPO_ROOT, f), 'utf8'), f)))).flat(),
  };

  /** One object of a committed overlay (or of apps/), changed, alone in its app. */
  const one = (source: RenderedApp, kind: string, name: string, change: (o: Json) => void): RenderedApp => {
    const object = structuredClone(source.objects.find((o) => o.kind === kind && o.metadata.name === name));
    if (!object) throw new Error(`no ${kind} ${name} in ${source.dir}`);
    change(object as Json);
    return { ...source, objects: [object] };
  };
  const located = (rendered: RenderedApp): string[] => schemaFindings(rendered).map((f) => `${f.rule} ${f.path}`);

  it('passes every committed overlay and the Argo CD objects', () => {
    // GIVEN the committed tree (Deployments, StatefulSets, a DaemonSet, a Job, Services, ConfigMaps, Secrets, NetworkPolicies, RBAC,
    // PriorityClasses…)
    // and apps/ (AppProject, ApplicationSets, the root Application)
    expect(new Set(argo.objects.map((o) => o.kind))).toEqual(new Set(['AppProject', 'ApplicationSet', 'Application']));
    // WHEN each is validated
    // THEN nothing is found: the strict unknown-field check has no false positives on real objects
    expect([...tree.apps, argo].flatMap(schemaFindings)).toEqual([]);
  });

  it.each<[string, RenderedApp, string[]]>([
    [
      'an unknown field',
      one(app(tree, 'prod', 'grafana'), 'Deployment', 'grafana', (d) => (d['spec'].replica = 3)),
      ['schema/unknown-field /spec/replica'],
    ],
    [
      'a wrong type',
      one(app(tree, 'prod', 'grafana'), 'Deployment', 'grafana', (d) => (d['spec'].replicas = '3')),
      ['schema/type /spec/replicas'],
    ],
    [
      'a container without name',
      one(app(tree, 'prod', 'grafana'), 'Deployment', 'grafana', (d) => delete d['spec'].template.spec.containers[0].name),
      ['schema/required /spec/template/spec/containers/0/name'],
    ],
    [
      'an int-or-string port that is neither',
      one(app(tree, 'dev', 'loki'), 'Service', 'loki', (s) => (s['spec'].ports[0].targetPort = true)),
      ['schema/type /spec/ports/0/targetPort'],
    ],
    [
      'a value outside an enum',
      one(app(tree, 'dev', 'loki'), 'Service', 'loki', (s) => (s['spec'].ports[0].protocol = 'HTTP')),
      ['schema/value /spec/ports/0/protocol'],
    ],
    [
      'a misspelt metadata field',
      one(app(tree, 'dev', 'minio'), 'ConfigMap', 'minio-bucket-setup', (c) => (c['metadata'].annotation = { a: 'b' })),
      ['schema/unknown-field /metadata/annotation'],
    ],
    [
      'an unknown field deep in a NetworkPolicy',
      one(app(tree, 'prod', 'platform'), 'NetworkPolicy', 'allow-ingress-grafana', (n) => (n['spec'].ingress[0].ports[0].portt = 3000)),
      ['schema/unknown-field /spec/ingress/0/ports/0/portt'],
    ],
    [
      'an unknown field whose name needs escaping',
      one(app(tree, 'prod', 'grafana'), 'Deployment', 'grafana', (d) => (d['spec'].template.spec['app.kubernetes.io/name'] = 'x')),
      ['schema/unknown-field /spec/template/spec/app.kubernetes.io~1name'],
    ],
    [
      'an unknown field in an Application',
      one(argo, 'Application', 'observability-apps', (a) => (a['spec'].syncPolicy.automatd = { prune: true })),
      ['schema/unknown-field /spec/syncPolicy/automatd'],
    ],
    [
      'a wrong type in an ApplicationSet',
      one(argo, 'ApplicationSet', 'observability-prod', (a) => (a['spec'].goTemplate = 'true')),
      ['schema/type /spec/goTemplate'],
    ],
    [
      'a missing required field in an AppProject',
      one(argo, 'AppProject', 'observability', (p) => delete p['spec'].clusterResourceWhitelist[0].kind),
      ['schema/required /spec/clusterResourceWhitelist/0/kind'],
    ],
    [
      'a missing required field in an Application',
      one(argo, 'Application', 'observability-apps', (a) => delete a['spec'].project),
      ['schema/required /spec/project'],
    ],
    [
      'a removed apiVersion',
      one(app(tree, 'prod', 'loki'), 'PodDisruptionBudget', 'loki-write', (p) => (p['apiVersion'] = 'policy/v1beta1')),
      ['schema/unknown-kind /apiVersion'],
    ],
    [
      'a kind no API serves',
      one(app(tree, 'prod', 'loki'), 'Service', 'loki-read', (s) => (s['kind'] = 'Servce')),
      ['schema/unknown-kind /apiVersion'],
    ],
  ])('%s', (_name, rendered, expected) => {
    // GIVEN one committed object with one mistake (above)
    // WHEN it is validated
    // THEN the mistake is found, with its JSON Pointer
    expect(located(rendered)).toEqual(expected);
  });

  it('names env, component and object, and suggests the field that was meant', () => {
    // GIVEN a typo in a prod StatefulSet
    const rendered = one(
      app(tree, 'prod', 'loki'),
      'StatefulSet',
      'loki-write',
      (s) => (s['spec'].template.spec.containers[0].volumeMount = []),
    );
    // WHEN it is validated
    const [finding, ...rest] = schemaFindings(rendered);
    // THEN one finding says where, and what was probably meant
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'schema/unknown-field',
      severity: 'error',
      env: 'prod',
      component: 'loki',
      object: 'StatefulSet observability/loki-write',
      path: '/spec/template/spec/containers/0/volumeMount',
    });
    expect(finding?.message).toContain('did you mean "volumeMounts"');
  });

  it('points a removed apiVersion at the served one', () => {
    const [finding] = schemaFindings(
      one(app(tree, 'prod', 'loki'), 'PodDisruptionBudget', 'loki-write', (p) => (p['apiVersion'] = 'policy/v1beta1')),
    );
    expect(finding?.message).toContain('served as policy/v1');
  });

  it('leaves free-form fields free: Helm values in an Application are not checked field by field', () => {
    // GIVEN an Application whose Helm source carries arbitrary values
    const rendered = one(
      argo,
      'Application',
      'observability-apps',
      (a) => (a['spec'].source.helm = { valuesObject: { anything: { goes: [1, { here: true }] } } }),
    );
    // WHEN / THEN nothing is found
    expect(located(rendered)).toEqual([]);
  });

  it('never puts a Secret value in a finding', () => {
    // GIVEN a Secret whose data value is not base64 and whose stringData value is a number
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'leaky', namespace: 'observability' },
      data: { password: 'hunter2 is not base64!' },
      stringData: { token: 123456789 },
    };
    // WHEN it is validated
    const findings = schemaFindings({ env: 'dev', component: 'minio', dir: 'overlays/dev/minio', objects: [secret] });
    // THEN both are found, and neither value appears anywhere in the findings
    expect(findings.map((f) => `${f.rule} ${f.path}`)).toEqual(['schema/value /data/password', 'schema/type /stringData/token']);
    expect(JSON.stringify(findings)).not.toMatch(/hunter2|123456789/);
  });
});

describe('schema loading', () => {
  it('loads the schemas of the kinds it validates, not every served kind up front', () => {
    // GIVEN a fresh Node process that records every module it loads
    const script = [
      "import { registerHooks } from 'node:module';",
      'const loaded = [];',
      'registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });',
      `const { schemaFindings } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'tools/validate/schema.ts')).href)});`,
      "const findings = schemaFindings({ env: 'dev', component: 'x', dir: 'x', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { a: 'b' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespcae: 'x' } }] });",
      "process.stdout.write(JSON.stringify({ findings: findings.map((f) => f.rule), schemas: loaded.filter((url) => url.includes('/_schemas/')).map((url) => url.slice(url.lastIndexOf('/') + 1)) }));",
    ].join('\n');
    // WHEN it validates two ConfigMaps
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout) as { findings: string[]; schemas: string[] };
    // THEN the ConfigMap's schema (and what it refers to) was loaded, and none of the workloads' schemas
    expect(result.findings).toEqual(['schema/unknown-field']);
    expect(result.schemas).toContain('IoK8sApiCoreV1ConfigMap.js');
    expect(result.schemas.filter((file) => /Deployment|StatefulSet|ApplicationSet/.test(file))).toEqual([]);
  });
});
