/**
 * Every image the stack runs, pinned to an exact tag. Bumping one here and running
 * `npm run generate` is how an upgrade starts; the PR comment then shows old → new per app.
 */
export const IMAGES = {
  loki: { name: 'docker.io/grafana/loki', tag: '3.7.6' },
  /** Alloy's tags carry a `v` prefix, unlike Loki's and Grafana's. */
  alloy: { name: 'docker.io/grafana/alloy', tag: 'v1.18.1' },
  grafana: { name: 'docker.io/grafana/grafana', tag: '13.2.0' },
  /** Frozen upstream (last official community image; CVE-2025-62506 unpatched): see docs/adr/0004-minio-frozen.md. */
  minio: { name: 'quay.io/minio/minio', tag: 'RELEASE.2025-09-07T16-13-09Z' },
  mc: { name: 'quay.io/minio/mc', tag: 'RELEASE.2025-08-13T08-35-41Z' },
} as const;

export type ImageName = keyof typeof IMAGES;

export function image(which: ImageName): string {
  return `${IMAGES[which].name}:${IMAGES[which].tag}`;
}
