import { describe, expect, it } from 'vitest';
import { deleteSelected, JqError, runJq } from '../../tools/drift/jq.ts';
import type { JsonObject } from '../../tools/drift/json.ts';

const object: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'grafana', labels: { 'app.kubernetes.io/name': 'grafana' }, annotations: { 'example.com/a': 'x' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }] },
          { name: 'istio-proxy', image: 'proxy:1' },
          { name: 'istio-init', image: 'proxy:1' },
        ],
      },
    },
  },
};

describe('jq engine (real jq, as Argo CD runs jqPathExpressions)', () => {
  it('runs jq itself: builtins the old hand-written subset never had', () => {
    // GIVEN a jq program using builtins WHEN run THEN jq's own answer comes back
    expect(runJq('[.spec.template.spec.containers[].name | select(startswith("istio"))] | length', object)).toEqual([2]);
    expect(runJq('.metadata | to_entries | map(.key)', object)).toEqual([['name', 'labels', 'annotations']]);
  });

  it.each([
    // a path straight after select(…), without a pipe (the cases README)
    [
      'select(.metadata.labels["app.kubernetes.io/name"] == "grafana").spec.replicas',
      (o: JsonObject) => expect((o['spec'] as JsonObject)['replicas']).toBeUndefined(),
    ],
    // a filter with a builtin (the cases README)
    [
      '.spec.template.spec.containers[] | select(.name | startswith("istio"))',
      (o: JsonObject) => expect(containerNames(o)).toEqual(['app']),
    ],
    [
      '.spec.template.spec.containers[] | select(.name == "istio-proxy") | .image',
      (o: JsonObject) => expect(images(o)).toEqual(['a:1', undefined, 'proxy:1']),
    ],
    ['.metadata.annotations["example.com/a"]', (o: JsonObject) => expect((o['metadata'] as JsonObject)['annotations']).toEqual({})],
    ['.spec.nothing[]?.image', (o: JsonObject) => expect(o).toEqual(object)],
  ])('del(%s) deletes exactly what it selects', (expression, check) => {
    // GIVEN an expression Argo CD accepts WHEN run as del(EXPR) THEN only the selected paths are gone
    check(deleteSelected(expression, object));
  });

  it('does not select when the condition is false', () => {
    // GIVEN a select on a label another app carries WHEN run THEN nothing is deleted
    expect(deleteSelected('select(.metadata.labels["app.kubernetes.io/name"] == "loki").spec.replicas', object)).toEqual(object);
  });

  it('reports a syntax error as a compile error, and a runtime error as jq words it', () => {
    // GIVEN an unbalanced expression and one that is not a path WHEN run THEN each is a JqError
    expect(() => deleteSelected('.spec.[', object)).toThrow(JqError);
    expect(compileFlag('.spec.[')).toBe(true);
    expect(() => deleteSelected('.spec | to_entries', object)).toThrow(/Invalid path expression/);
    expect(compileFlag('.spec | to_entries')).toBe(false);
  });

  it('stops a filter that never ends at its time limit, and runs the next one', () => {
    // GIVEN an endless filter WHEN run with a limit THEN it times out; the engine still answers afterwards
    expect(() => deleteSelected('until(false; .)', object, 300)).toThrow(/timed out after 300 ms/);
    expect(deleteSelected('.spec.replicas', object)).not.toHaveProperty('spec.replicas');
  });
});

function containerNames(o: JsonObject): string[] {
  return containers(o).map((c) => String(c['name']));
}

function images(o: JsonObject): unknown[] {
  return containers(o).map((c) => c['image']);
}

function containers(o: JsonObject): JsonObject[] {
  return ((o['spec'] as JsonObject)['template'] as { spec: { containers: JsonObject[] } }).spec.containers;
}

function compileFlag(expression: string): boolean {
  try {
    deleteSelected(expression, object);
  } catch (error) {
    return error instanceof JqError && error.compile;
  }
  return false;
}
