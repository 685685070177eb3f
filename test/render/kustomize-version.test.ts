import { describe, expect, it } from 'vitest';
import { KUSTOMIZE_BUNDLED_BY_ARGO_CD } from '../../tools/catalog/versions.ts';
import { kustomizeVersionWarning } from '../../tools/render/kustomize.ts';

describe('kustomizeVersionWarning', () => {
  it('is silent when the kustomize found is the one Argo CD bundles, with or without the leading v', () => {
    expect(kustomizeVersionWarning({ command: ['kustomize', 'build'], version: KUSTOMIZE_BUNDLED_BY_ARGO_CD })).toBeUndefined();
    expect(kustomizeVersionWarning({ command: ['kustomize', 'build'], version: 'v5.7.0' }, '5.7.0')).toBeUndefined();
  });

  it('names the version found, how it runs, the bundled version and how to install it when they differ', () => {
    const warning = kustomizeVersionWarning({ command: ['/usr/bin/kubectl', 'kustomize'], version: 'v5.5.0' }, 'v5.7.0');
    expect(warning).toMatch(
      /^kustomize v5\.5\.0 \(\/usr\/bin\/kubectl kustomize\) is not v5\.7\.0, the one Argo CD v\d+\.\d+\.\d+ renders with/,
    );
    expect(warning).toContain('go install sigs.k8s.io/kustomize/kustomize/v5@v5.7.0');
  });
});
