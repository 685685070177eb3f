import { describe, expect, it } from 'vitest';
import { dev } from '../../tools/catalog/environments.ts';
import { alloyConfig } from '../../tools/components/alloy.ts';
import { AlloySyntaxError, kubernetesApiUse, parseAlloyConfig } from '../../tools/validate/alloy-config.ts';

describe('reading what an Alloy configuration asks of the Kubernetes API', () => {
  it('the generated configuration lists and watches pods across the cluster, nothing else', () => {
    // GIVEN the configuration the catalog generates WHEN it is read THEN its one discovery reads pods everywhere
    const use = kubernetesApiUse(alloyConfig(dev), 'observability');
    expect(use.unjudged).toEqual([]);
    expect(use.reads).toEqual([{ read: { group: '', resource: 'pods' }, by: 'discovery.kubernetes "pods"' }]);
  });

  it("the role is the block's own attribute, not a selector's; namespaces and attach_metadata widen or narrow the reads", () => {
    const text = [
      '// a comment with { a brace',
      'discovery.kubernetes "slices" {',
      '  role = "endpointslice" /* inline } comment */',
      '  selectors {',
      '    role  = "pod"',
      '    label = "app={weird}"',
      '  }',
      '  namespaces {',
      '    names = ["a", "b"]',
      '  }',
      '  attach_metadata {',
      '    node = true',
      '  }',
      '}',
      'loki.process "p" {',
      '  stage.json {',
      '    expressions = { level = "level" }',
      '  }',
      '  forward_to = []',
      '}',
    ].join('\n');
    const reads = kubernetesApiUse(text, 'observability').reads.map((r) => `${r.read.group}/${r.read.resource}@${r.read.namespace ?? '*'}`);
    expect(reads).toEqual([
      'discovery.k8s.io/endpointslices@a',
      'discovery.k8s.io/endpointslices@b',
      '/services@a',
      '/services@b',
      '/pods@a',
      '/pods@b',
      '/nodes@*',
    ]);
    expect(parseAlloyConfig(text).map((b) => `${b.name} ${b.label}`)).toEqual(['discovery.kubernetes slices', 'loki.process p']);
  });

  it("own_namespace reads in the workload's namespace; Kubernetes-facing components it does not model come back unjudged", () => {
    const text =
      'discovery.kubernetes "own" {\n  role = "service"\n  namespaces {\n    own_namespace = true\n  }\n}\nloki.source.kubernetes "pods" {\n  targets = []\n  forward_to = []\n}\n';
    const use = kubernetesApiUse(text, 'observability');
    expect(use.reads).toEqual([
      { read: { group: '', resource: 'services', namespace: 'observability' }, by: 'discovery.kubernetes "own"' },
    ]);
    expect(use.unjudged).toEqual(['loki.source.kubernetes "pods"']);
  });

  it('refuses text it cannot read instead of guessing', () => {
    expect(() => parseAlloyConfig('discovery.kubernetes "x" {\n  role = "pod"\n')).toThrow(AlloySyntaxError);
    expect(() => parseAlloyConfig('discovery.kubernetes "x {}')).toThrow(/unterminated string/);
  });
});
