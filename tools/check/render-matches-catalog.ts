import { createTwoFilesPatch } from 'diff';
import { describeObject, objectKey, type KubeObject } from '../kube/object.ts';
import type { Finding } from '../validate/finding.ts';
import { toYaml } from '../yaml.ts';

/**
 * The overlay, rendered by kustomize, must be exactly what the catalog builds for the environment:
 * this proves the generated patches mean what the catalog says.
 */
export function renderMatchesCatalog(
  env: string,
  component: string,
  rendered: readonly KubeObject[],
  intended: readonly KubeObject[],
): Finding[] {
  const findings: Finding[] = [];
  const got = new Map(rendered.map((o) => [objectKey(o), o]));
  for (const want of intended) {
    const have = got.get(objectKey(want));
    const where = { env, component, object: describeObject(want) };
    if (!have) {
      findings.push({
        rule: 'render/missing-object',
        severity: 'error',
        ...where,
        message: 'the catalog builds it but the rendered overlay lacks it',
      });
      continue;
    }
    got.delete(objectKey(want));
    const [a, b] = [toYaml(want), toYaml(have)];
    if (a !== b && want.kind === 'Secret') {
      findings.push({
        rule: 'render/differs-from-catalog',
        severity: 'error',
        ...where,
        message: "rendered Secret differs from the catalog's (values not shown)",
      });
    } else if (a !== b) {
      const diff = createTwoFilesPatch('catalog', 'rendered', a, b, '', '', { context: 1 }).split('\n').slice(4, 14).join('\n');
      findings.push({
        rule: 'render/differs-from-catalog',
        severity: 'error',
        ...where,
        message: `rendered object differs from the catalog's:\n${diff}`,
      });
    }
  }
  for (const extra of got.values()) {
    findings.push({
      rule: 'render/unexpected-object',
      severity: 'error',
      env,
      component,
      object: describeObject(extra),
      message: 'rendered by the overlay but not built by the catalog',
    });
  }
  return findings;
}
