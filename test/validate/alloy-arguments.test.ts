import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../tools/catalog/images.ts';
import type { RenderedTree } from '../../tools/render/tree.ts';
import { ALLOY_DOCS_VERSION } from '../../tools/validate/alloy-components.ts';
import { alloyArgumentFindings, alloyLiteral, alloyTypeProblem } from '../../tools/validate/alloy-arguments.ts';
import { formatFinding } from '../../tools/validate/finding.ts';
import { editConfigMapFile } from '../support/edit-rendered.ts';
import { renderCommitted } from '../support/repo.ts';

const DOCS = 'https://grafana.com/docs/alloy/v1.18/reference/components';

describe('alloy/component-arguments', async () => {
  // GIVEN every committed overlay rendered by kustomize
  const committed = await renderCommitted();
  const findings = (tree: RenderedTree): string[] => tree.apps.flatMap(alloyArgumentFindings).map(formatFinding);
  const mutate = (edit: (text: string) => string): RenderedTree =>
    editConfigMapFile(committed, { env: 'prod', component: 'alloy', configMap: 'alloy-config', file: 'config.alloy' }, edit);
  const at = 'error alloy/component-arguments: prod/alloy ConfigMap observability/alloy-config /data/config.alloy: ';

  it('the facts were read at the Alloy the catalog pins', () => {
    expect(ALLOY_DOCS_VERSION).toBe(IMAGES.alloy.tag);
  });

  it("every rendered configuration uses only its components' documented blocks and arguments, of their types", () => {
    expect(findings(committed)).toEqual([]);
    expect(committed.apps.filter((a) => a.component === 'alloy').length).toBeGreaterThan(1);
  });

  it('refuses an unknown argument, naming component, block and argument', () => {
    const tree = mutate((text) => text.replace('separator     = "/"', 'seperator     = "/"'));
    expect(findings(tree)).toEqual([
      `${at}discovery.relabel "pod_logs" > rule > seperator: unknown argument "seperator": Alloy v1.18.1 documents action, modulus, regex, replacement, separator, source_labels, target_label here (${DOCS}/discovery/discovery.relabel/#rule)`,
    ]);
  });

  it('refuses an unknown block, at the top of a component and inside a block', () => {
    const tree = mutate((text) =>
      text
        .replace('stage.cri {}', 'stage.cri_parser {}')
        .replace('  endpoint {\n    url = "http://', '  endpoint {\n    tls {}\n    url = "http://'),
    );
    expect(findings(tree)).toEqual([
      expect.stringContaining(
        'loki.process "pod_logs" > stage.cri_parser: unknown block "stage.cri_parser": Alloy v1.18.1 documents stage.cri, stage.decolorize,',
      ),
      `${at}loki.write "default" > endpoint > tls: unknown block "tls": Alloy v1.18.1 documents authorization, basic_auth, oauth2, queue_config, tls_config here (${DOCS}/loki/loki.write/#blocks)`,
    ]);
  });

  it('refuses an unknown component', () => {
    const tree = mutate((text) => text.replace('local.file_match "pod_logs"', 'local.file_matcher "pod_logs"'));
    expect(findings(tree)).toEqual([
      expect.stringContaining('local.file_matcher "pod_logs": component "local.file_matcher" is not in tools/validate/alloy-components.ts'),
    ]);
  });

  it('refuses a literal of the wrong type, and a duration Go cannot read', () => {
    const tree = mutate((text) =>
      text
        .replace('scrape_interval = "60s"', 'scrape_interval = "1d"')
        .replace('source_labels = ["__meta_kubernetes_namespace"]', 'source_labels = "__meta_kubernetes_namespace"'),
    );
    expect(findings(tree)).toEqual([
      `${at}discovery.relabel "pod_logs" > rule > source_labels: wrong type: the string "__meta_kubernetes_namespace" where Alloy expects list(string) (${DOCS}/discovery/discovery.relabel/#rule)`,
      `${at}prometheus.scrape "stack" > scrape_interval: wrong type: the string "1d" is no duration (Go's time.ParseDuration: "30s", "1m30s", "2h") (${DOCS}/prometheus/prometheus.scrape/#arguments)`,
    ]);
  });

  it('refuses a missing required argument', () => {
    const tree = mutate((text) => text.replace(/\n\s*url = "http:\/\/loki[^\n]*/, ''));
    expect(findings(tree)).toEqual([
      `${at}loki.write "default" > endpoint: missing required argument "url" (${DOCS}/loki/loki.write/#endpoint)`,
    ]);
  });

  it("decodes literals with Alloy's conversions and leaves expressions to Alloy", () => {
    // a number converts to a string, a digit string to a number; a bool to nothing
    expect(alloyTypeProblem(alloyLiteral('5'), 'string')).toBeUndefined();
    expect(alloyTypeProblem(alloyLiteral('"10"'), 'int')).toBeUndefined();
    expect(alloyTypeProblem(alloyLiteral('"ten"'), 'int')).toBe('the string "ten" where Alloy expects int');
    expect(alloyTypeProblem(alloyLiteral('"true"'), 'bool')).toBe('the string "true" where Alloy expects bool');
    expect(alloyTypeProblem(alloyLiteral('1.5'), 'uint')).toBe('the number 1.5 where Alloy expects uint (a whole number)');
    expect(alloyTypeProblem(alloyLiteral('{ level = "", msg = 3 }'), 'map(string)')).toBeUndefined();
    expect(alloyTypeProblem(alloyLiteral('{ level = true }'), 'map(string)')).toBe('key "level": a bool where Alloy expects string');
    expect(alloyTypeProblem(alloyLiteral('["a", loki.write.default.receiver]'), 'list(LogsReceiver)')).toBe(
      'item 0: the string "a" where Alloy expects LogsReceiver (a component\'s export, never a literal)',
    );
    expect(alloyTypeProblem(alloyLiteral('"a" + sys.env("HOSTNAME")'), 'bool')).toBeUndefined();
    expect(alloyTypeProblem(alloyLiteral('discovery.kubernetes.pods.targets'), 'list(map(string))')).toBeUndefined();
  });
});
