/**
 * Kubernetes' recommended labels (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels):
 * the application's name, its component within the architecture, and the higher-level application
 * it is part of.
 */

export const NAME_LABEL = 'app.kubernetes.io/name';
const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/**
 * Labels that select a workload's pods: `name` and, when given, `component`. Never change them on a live object (selectors are immutable).
 */
export function selectorLabels(name: string, component?: string): Record<string, string> {
  return component ? { [NAME_LABEL]: name, [COMPONENT_LABEL]: component } : { [NAME_LABEL]: name };
}
