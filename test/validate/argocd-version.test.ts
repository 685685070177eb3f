import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argoObjects } from '../../tools/argocd/app-files.ts';
import { VERSIONS } from '../../tools/catalog/versions.ts';
import { readWorkflows } from '../../tools/check/validate.ts';
import { readOutputTree } from '../../tools/generate/disk.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { argoFieldFindings, argoInstallFindings } from '../../tools/validate/argocd-version.ts';
import { REPO_ROOT } from '../support/repo.ts';

describe('the Argo CD version contract', async () => {
  const committed = argoObjects(await readOutputTree(REPO_ROOT));
  const workflows = await readWorkflows(REPO_ROOT);
  const minimum = VERSIONS.argocd.minimum;

  it('holds for the committed apps/ and workflows', () => {
    expect(argoFieldFindings(committed, minimum)).toEqual([]);
    expect(argoInstallFindings(workflows, minimum)).toEqual([]);
  });

  it('refuses deletionOrder under a minimum of 3.1.9, naming the field and the release that brought it', () => {
    const findings = argoFieldFindings(committed, '3.1.9');
    expect(findings.map((f) => `${f.object} ${f.path}`)).toEqual([
      'ApplicationSet observability-dev /spec/strategy/deletionOrder',
      'ApplicationSet observability-prod /spec/strategy/deletionOrder',
    ]);
    expect(findings[0]?.message).toContain('ApplicationSet spec.strategy.deletionOrder exists only from Argo CD 3.2.0');
  });

  it('finds an Application field inside an ApplicationSet template', () => {
    // GIVEN a template that sets automated.enabled (Argo CD 3.1.0) and a minimum of 3.0.0
    const objects = structuredClone(committed) as KubeObject[];
    const set = objects.find((o) => o.kind === 'ApplicationSet') as KubeObject;
    const spec = set['spec'] as { template: { spec: { syncPolicy: { automated: Record<string, unknown> } } } };
    spec.template.spec.syncPolicy.automated['enabled'] = true;
    // THEN it is named at its place in the template, next to deletionOrder
    const paths = argoFieldFindings(objects, '3.0.0')
      .filter((f) => f.object === `ApplicationSet ${set.metadata.name}`)
      .map((f) => f.path);
    expect(paths).toEqual(['/spec/strategy/deletionOrder', '/spec/template/spec/syncPolicy/automated/enabled']);
  });

  it('refuses a workflow that installs an older Argo CD, or a moving ref', async () => {
    const e2e = workflows.find((w) => w.path.endsWith('e2e.yml'));
    expect(e2e, 'e2e.yml installs Argo CD').toBeDefined();
    const old = { path: 'e2e.yml', text: (e2e?.text ?? '').replace(/ARGOCD_VERSION: \S+/, 'ARGOCD_VERSION: v3.1.9') };
    const moving = {
      path: 'x.yml',
      text: 'jobs:\n  a:\n    steps:\n      - run: kubectl apply -f https://raw.githubusercontent.com/argoproj/argo-cd/stable/manifests/install.yaml\n',
    };
    const findings = argoInstallFindings([old, moving], minimum);
    expect(findings.map((f) => [f.object, f.rule])).toEqual([
      ['e2e.yml', 'workflow/argocd-version'],
      ['x.yml', 'workflow/argocd-version'],
    ]);
    expect(findings[0]?.message).toContain(`older than the declared minimum ${minimum}`);
    expect(findings[1]?.message).toContain('not an exact release');
  });

  it('is stated in the README', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`Argo CD ${minimum} or newer`);
    expect(readme).toContain(`kustomize ${VERSIONS.argocd.kustomize}`);
    expect(readme).toContain(`Kubernetes ${VERSIONS.kubernetesMinor}`);
  });
});
