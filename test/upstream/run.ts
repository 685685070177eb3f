#!/usr/bin/env node
/**
 * `npm run test:upstream`: builds the Go programs under test/upstream/ (one module per folder, at
 * low priority, reusing Go's build and module caches), then runs the vitest suites that need them
 * (test/upstream/vitest.config.ts). Extra arguments go to vitest. Without Go it stops with one line
 * and exit 2 (could not run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KUSTOMIZE_BUNDLED_BY_ARGO_CD } from '../../tools/catalog/versions.ts';
import { BIN_DIR, GO_MINIMUM, UPSTREAM_DIR } from './support/programs.ts';

function stop(line: string): never {
  process.stderr.write(`test:upstream: ${line}\n`);
  process.exit(2);
}

const probe = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0)
  stop(
    `needs Go ≥ ${GO_MINIMUM.major}.${GO_MINIMUM.minor} on PATH and the Go module proxy (https://go.dev/dl); \`go\` ${probe.error ? 'was not found' : 'failed'}, so the tier did not run`,
  );
const [major = 0, minor = 0] = probe.stdout.trim().replace(/^go/, '').split('.').map(Number);
if (major < GO_MINIMUM.major || (major === GO_MINIMUM.major && minor < GO_MINIMUM.minor))
  stop(`needs Go ≥ ${GO_MINIMUM.major}.${GO_MINIMUM.minor}; found ${probe.stdout.trim()}`);

mkdirSync(BIN_DIR, { recursive: true });
const programs = readdirSync(UPSTREAM_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(UPSTREAM_DIR, entry.name, 'go.mod')))
  .map((entry) => entry.name)
  .sort();
for (const program of programs) {
  const started = Date.now();
  process.stderr.write(`test:upstream: building ${program} …\n`);
  // `nice`: the machines are shared; no -trimpath: the kube-apiserver test server finds its fixtures by source path.
  const build = spawnSync('nice', ['go', 'build', '-o', join(BIN_DIR, program), '.'], {
    cwd: join(UPSTREAM_DIR, program),
    stdio: 'inherit',
  });
  if (build.error || build.status !== 0) stop(`building ${program} failed (see the go output above)`);
  process.stderr.write(`test:upstream: built ${program} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

// The kustomize Argo CD bundles: its go.mod has no replace or exclude, so `go install` builds it as released.
const kustomizeStarted = Date.now();
const install = spawnSync('nice', ['go', 'install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_BUNDLED_BY_ARGO_CD}`], {
  env: { ...process.env, GOBIN: BIN_DIR },
  stdio: 'inherit',
});
if (install.error || install.status !== 0) stop(`installing kustomize ${KUSTOMIZE_BUNDLED_BY_ARGO_CD} failed (see the go output above)`);
process.stderr.write(
  `test:upstream: kustomize ${KUSTOMIZE_BUNDLED_BY_ARGO_CD} installed in ${((Date.now() - kustomizeStarted) / 1000).toFixed(1)} s\n`,
);

const vitest = spawnSync(
  process.execPath,
  [
    join(UPSTREAM_DIR, '../../node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    join(UPSTREAM_DIR, 'vitest.config.ts'),
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
  },
);
process.exit(vitest.status ?? 1);
