import { describe, expect, it } from 'vitest';
import { JqSubsetError, parseJq, selectPaths } from '../../tools/drift/jq.ts';
import type { Json } from '../../tools/drift/json.ts';

const document: Json = {
  spec: {
    containers: [
      { name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }] },
      { name: 'istio-proxy', image: 'proxy:1' },
    ],
    'weird-key': { inner: true },
  },
  metadata: { annotations: { 'example.com/a': 'x' } },
};

describe('jq subset', () => {
  it.each([
    ['.spec.containers[] | select(.name == "istio-proxy") | .image', [['spec', 'containers', '1', 'image']]],
    ['.spec.containers[] | select(.name != "istio-proxy") | .image', [['spec', 'containers', '0', 'image']]],
    ['.spec.containers[0].env[]?.value', [['spec', 'containers', '0', 'env', '0', 'value']]],
    ['.spec."weird-key".inner', [['spec', 'weird-key', 'inner']]],
    ['.metadata.annotations["example.com/a"]', [['metadata', 'annotations', 'example.com/a']]],
    ['.spec.containers[] | select(.env) | .name', [['spec', 'containers', '0', 'name']]],
    ['.spec.containers[] | select(.missing == null) | .name', [['spec', 'containers', '0', 'name'], ['spec', 'containers', '1', 'name']]],
    ['.spec.nothing[]?.image', []],
    ['.spec.containers[] | select(.name == "istio-proxy")', [['spec', 'containers', '1']]],
  ])('%s selects the right paths', (expression, expected) => {
    // GIVEN an expression in the subset WHEN evaluated THEN it names exactly these paths
    expect(selectPaths(parseJq(expression), document)).toEqual(expected);
  });

  it.each(['.spec | map(.name)', '.spec.containers[] | select(.name | test("x")) | .image', '.. | .image', '.', 'del(.spec)', 'select(.spec)', '.spec.containers[] | select(.name == "x" and .image == "y")'])(
    'refuses %s with an error naming the expression',
    (expression) => {
      // GIVEN an expression outside the subset WHEN parsed THEN it is refused, not silently ignored
      expect(() => parseJq(expression)).toThrow(JqSubsetError);
      expect(() => parseJq(expression)).toThrow(JSON.stringify(expression));
    },
  );
});
