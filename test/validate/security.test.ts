import { describe, expect, it } from 'vitest';
import { SECURITY_EXCEPTIONS } from '../../tools/catalog/exceptions.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import type { RenderedApp } from '../../tools/render/tree.ts';
import { securityFindings, type SecurityException } from '../../tools/validate/security.ts';
import { app, renderCommitted } from '../support/repo.ts';
import { environmentsWith } from '../support/catalog.ts';

type Json = Record<string, any>;

describe('security controls on rendered pod templates', async () => {
  const tree = await renderCommitted();

  /** A copy of one committed overlay with one workload changed. */
  const mutated = (env: string, component: string, kind: string, name: string, change: (o: Json) => void): RenderedApp => {
    const copy = structuredClone(app(tree, env, component));
    const object = copy.objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!object) throw new Error(`no ${kind} ${name} in ${env}/${component}`);
    change(object as Json);
    return copy;
  };
  const located = (rendered: RenderedApp, exceptions: readonly SecurityException[] = []): string[] =>
    securityFindings(rendered, exceptions).findings.map((f) => `${f.rule} ${f.object} ${f.path}`);

  /** The committed MinIO bucket Job, rescheduled as a CronJob: the same pod template one level deeper. */
  const cronJob = (change: (pod: Json) => void): RenderedApp => {
    const minio = structuredClone(app(tree, 'dev', 'minio'));
    const job = minio.objects.find((o) => o.kind === 'Job') as Json;
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'bucket-audit', namespace: 'observability' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: job['spec'] } },
    };
    change((cron['spec'] as Json)['jobTemplate'].spec.template.spec);
    return { ...minio, objects: [cron] };
  };

  it("passes every committed overlay, honouring exactly the catalog's Alloy exceptions in each environment", () => {
    // GIVEN every committed overlay and the catalog's exceptions
    // WHEN the controls run on each
    const results = tree.apps.map((a) => securityFindings(a, SECURITY_EXCEPTIONS));
    // THEN nothing is found, and each Alloy exception is listed once per environment, with its workload
    expect(results.flatMap((r) => r.findings)).toEqual([]);
    expect(
      results.flatMap((r) => r.honoured).map((h) => `${h.env}/${h.component} ${h.object} ${h.container ?? '*'}: ${h.control}`),
    ).toEqual(
      environmentsWith('alloy').flatMap((env) => [
        `${env}/alloy DaemonSet observability/alloy *: no-host-path`,
        `${env}/alloy DaemonSet observability/alloy alloy: run-as-non-root`,
      ]),
    );
  });

  const grafana = '/spec/template/spec/containers/0';
  it.each<[string, RenderedApp, string[]]>([
    [
      'a writable root filesystem',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => delete d['spec'].template.spec.containers[0].securityContext.readOnlyRootFilesystem,
      ),
      [`security/read-only-root-filesystem Deployment observability/grafana ${grafana}/securityContext`],
    ],
    [
      'an added capability',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => (d['spec'].template.spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN']),
      ),
      [`security/drop-all-capabilities Deployment observability/grafana ${grafana}/securityContext/capabilities/add`],
    ],
    [
      'capabilities not dropped',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => (d['spec'].template.spec.containers[0].securityContext.capabilities.drop = ['NET_RAW']),
      ),
      [`security/drop-all-capabilities Deployment observability/grafana ${grafana}/securityContext/capabilities/drop`],
    ],
    [
      'a privileged container',
      mutated('dev', 'grafana', 'Deployment', 'grafana', (d) => (d['spec'].template.spec.containers[0].securityContext.privileged = true)),
      [`security/not-privileged Deployment observability/grafana ${grafana}/securityContext/privileged`],
    ],
    [
      'privilege escalation left on',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => (d['spec'].template.spec.containers[0].securityContext.allowPrivilegeEscalation = true),
      ),
      [`security/no-privilege-escalation Deployment observability/grafana ${grafana}/securityContext/allowPrivilegeEscalation`],
    ],
    [
      'the host network',
      mutated('prod', 'loki', 'StatefulSet', 'loki-write', (s) => (s['spec'].template.spec.hostNetwork = true)),
      ['security/no-host-namespaces StatefulSet observability/loki-write /spec/template/spec/hostNetwork'],
    ],
    [
      'a hostPath volume',
      mutated('dev', 'grafana', 'Deployment', 'grafana', (d) =>
        d['spec'].template.spec.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }),
      ),
      ['security/no-host-path Deployment observability/grafana /spec/template/spec/volumes/8/hostPath'],
    ],
    [
      'an init container without limits',
      mutated('dev', 'minio', 'Deployment', 'minio', (d) => {
        const pod = d['spec'].template.spec;
        const init = structuredClone(pod.containers[0]);
        delete init.resources.limits;
        pod.initContainers = [{ ...init, name: 'wait-for-volume' }];
      }),
      ['security/resources Deployment observability/minio /spec/template/spec/initContainers/0/resources'],
    ],
    [
      'no resources at all',
      mutated('dev', 'minio', 'Job', 'minio-bucket-setup', (j) => delete j['spec'].template.spec.containers[0].resources),
      ['security/resources Job observability/minio-bucket-setup /spec/template/spec/containers/0'],
    ],
    [
      'image x:latest',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => (d['spec'].template.spec.containers[0].image = 'docker.io/grafana/grafana:latest'),
      ),
      [`security/image-pinned Deployment observability/grafana ${grafana}/image`],
    ],
    [
      'an image with no tag behind a registry port',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => (d['spec'].template.spec.containers[0].image = 'registry.local:5000/grafana/grafana'),
      ),
      [`security/image-pinned Deployment observability/grafana ${grafana}/image`],
    ],
    [
      'a CronJob without seccomp',
      cronJob((pod) => {
        delete pod.securityContext.seccompProfile;
        delete pod.containers[0].securityContext.seccompProfile;
      }),
      [
        'security/seccomp-runtime-default CronJob observability/bucket-audit /spec/jobTemplate/spec/template/spec/containers/0/securityContext',
      ],
    ],
    [
      'a container Unconfined under a RuntimeDefault pod',
      mutated(
        'dev',
        'grafana',
        'Deployment',
        'grafana',
        (d) => (d['spec'].template.spec.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }),
      ),
      [`security/seccomp-runtime-default Deployment observability/grafana ${grafana}/securityContext/seccompProfile`],
    ],
    [
      'runAsUser 0 under runAsNonRoot',
      mutated('dev', 'grafana', 'Deployment', 'grafana', (d) => (d['spec'].template.spec.containers[0].securityContext.runAsUser = 0)),
      [`security/run-as-non-root Deployment observability/grafana ${grafana}/securityContext/runAsUser`],
    ],
    [
      'runAsNonRoot false inherited from the pod',
      mutated('dev', 'minio', 'Job', 'minio-bucket-setup', (j) => {
        const pod = j['spec'].template.spec;
        delete pod.containers[0].securityContext.runAsNonRoot;
        pod.securityContext.runAsNonRoot = false;
      }),
      ['security/run-as-non-root Job observability/minio-bucket-setup /spec/template/spec/securityContext/runAsNonRoot'],
    ],
  ])('%s fails with the right rule and path', (_name, rendered, expected) => {
    // GIVEN a committed workload with one control broken (above)
    // WHEN the controls run
    // THEN exactly that control is reported, where it is set or where it must be added
    expect(located(rendered)).toEqual(expected);
  });

  it('checks a bare Pod, and accepts an image pinned by digest and a Localhost seccomp profile', () => {
    // GIVEN the committed Grafana pod template as a bare Pod, its image pinned by digest and its seccomp profile a node-local one, then the
    // same with hostPID
    const grafanaPod = (app(tree, 'dev', 'grafana').objects.find((o) => o.kind === 'Deployment') as Json)['spec'].template;
    const pod = (extra: Json): RenderedApp => ({
      env: 'dev',
      component: 'grafana',
      dir: 'overlays/dev/grafana',
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'debug', namespace: 'observability' },
          spec: {
            ...structuredClone(grafanaPod.spec),
            ...extra,
            containers: [
              {
                ...structuredClone(grafanaPod.spec.containers[0]),
                image: `docker.io/grafana/grafana@sha256:${'0123456789abcdef'.repeat(4)}`,
                securityContext: {
                  ...grafanaPod.spec.containers[0].securityContext,
                  seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/grafana.json' },
                },
              },
            ],
          },
        },
      ],
    });
    // WHEN / THEN the clean Pod passes and hostPID is found at the pod spec
    expect(located(pod({}))).toEqual([]);
    expect(located(pod({ hostPID: true }))).toEqual(['security/no-host-namespaces Pod observability/debug /spec/hostPID']);
  });

  describe('exceptions', () => {
    const root = mutated('dev', 'grafana', 'Deployment', 'grafana', (d) => {
      d['spec'].template.spec.securityContext.runAsUser = 0;
      d['spec'].template.spec.hostIPC = true;
    });
    const exception = (over: Partial<SecurityException>): SecurityException => ({
      component: 'grafana',
      workload: 'grafana',
      container: 'grafana',
      control: 'run-as-non-root',
      reason: 'test: needs root',
      ...over,
    });

    it('suppresses the matching finding and lists it as honoured', () => {
      // GIVEN Grafana running as root with an exception for its container, and hostIPC without one
      // WHEN the controls run
      const result = securityFindings(root, [exception({})]);
      // THEN only hostIPC is reported, and the exception is honoured with where it applied
      expect(result.findings.map((f) => `${f.rule} ${f.path}`)).toEqual(['security/no-host-namespaces /spec/template/spec/hostIPC']);
      expect(result.honoured).toEqual([{ ...exception({}), env: 'dev', object: 'Deployment observability/grafana' }]);
    });

    it('does not let a container exception waive a pod-level control', () => {
      // GIVEN an exception for hostIPC that names a container
      const result = securityFindings(root, [exception({}), exception({ control: 'no-host-namespaces' })]);
      // THEN hostIPC is still reported, and the exception is reported as unused
      expect(result.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual([
        'error security/no-host-namespaces',
        'warning security/unused-exception',
      ]);
    });

    it("reports an exception that matched nothing, and ignores other components' exceptions", () => {
      // GIVEN the committed Grafana (non-root), an exception for it, and the catalog's Alloy exceptions
      const clean = app(tree, 'prod', 'grafana');
      // WHEN the controls run
      const result = securityFindings(clean, [exception({}), ...SECURITY_EXCEPTIONS]);
      // THEN only the stale Grafana exception is reported, as a warning on the workload
      expect(result.findings).toEqual([
        expect.objectContaining({
          rule: 'security/unused-exception',
          severity: 'warning',
          env: 'prod',
          component: 'grafana',
          object: 'Deployment observability/grafana',
        }),
      ]);
      expect(result.findings[0]?.message).toContain('run-as-non-root');
      expect(result.honoured).toEqual([]);
    });
  });
});
