import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { $, which } from 'zx';
import { parseObjects } from '../yaml.ts';
import type { KubeObject } from '../kube/object.ts';
import { readJson, writeAtomically } from '../files.ts';
import { ARGO_CD_TARGET_VERSION, KUSTOMIZE_BUNDLED_BY_ARGO_CD } from '../catalog/versions.ts';

export class RenderError extends Error {
  override readonly name = 'RenderError';
}

/** The real kustomize: a `kustomize` binary when present, else the one built into kubectl. */
export interface Kustomize {
  /** argv prefix, e.g. ['kustomize', 'build'] or ['kubectl', 'kustomize']. */
  readonly command: readonly [string, ...string[]];
  /** What `version` prints, e.g. `v5.5.0`: part of every cache key. */
  readonly version: string;
}

/** Where a repository keeps the versions of the kustomize binaries it has asked (findKustomize). */
export const KUSTOMIZE_VERSIONS_FILE = '.cache/kustomize-versions.json';

/**
 * A binary's identity for its remembered version: a replaced or rebuilt binary differs in one of
 * these. Undefined (asked every time) for what a version manager puts on PATH, which stays the same
 * file when the version behind it is switched: a script (asdf's shims) or a link to a binary of
 * another name (mise's and aqua's shims link to one dispatcher).
 */
function identity(binary: string): string | undefined {
  try {
    const real = realpathSync(binary);
    if (!['kustomize', 'kubectl'].includes(basename(real))) return undefined;
    const head = Buffer.alloc(2);
    const fd = openSync(real, 'r');
    try {
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
    if (head.toString('latin1') === '#!') return undefined;
    const stats = statSync(real);
    return `${real} ${stats.dev}:${stats.ino} ${stats.size} ${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function readVersions(file: string | undefined): Record<string, { identity: string; version: string }> {
  const table = file === undefined ? undefined : readJson(file);
  return table !== null && typeof table === 'object' && !Array.isArray(table)
    ? (table as Record<string, { identity: string; version: string }>)
    : {};
}

/**
 * The real kustomize on PATH: a `kustomize` binary when present (`kustomize version`), else the one
 * built into kubectl (`kubectl version --client`, "Kustomize Version:"). With `root`, each binary's
 * version is remembered in `root`'s KUSTOMIZE_VERSIONS_FILE by path, device and inode, size and
 * modification time (as ccache knows a compiler), so a later run does not start it to ask (about
 * 0.1 s for kubectl); a replaced binary is asked again, and a version manager's shim every time
 * (identity). A file that cannot be read or written only costs the asking.
 * @throws RenderError saying how to install kustomize when neither is on PATH
 */
export async function findKustomize(root?: string): Promise<Kustomize> {
  const file = root === undefined ? undefined : join(root, KUSTOMIZE_VERSIONS_FILE);
  const versions = readVersions(file);
  const ask = async (binary: string, read: (binary: string) => Promise<string | undefined>): Promise<string | undefined> => {
    const id = identity(binary);
    const known = versions[binary];
    if (id !== undefined && known?.identity === id && typeof known.version === 'string') return known.version;
    const version = await read(binary);
    if (file && id !== undefined && version !== undefined) {
      await mkdir(dirname(file), { recursive: true })
        .then(() => writeAtomically(file, `${JSON.stringify({ ...versions, [binary]: { identity: id, version } })}\n`))
        .catch(() => undefined);
    }
    return version;
  };
  const standalone = await which('kustomize', { nothrow: true });
  if (standalone) {
    const version = await ask(standalone, async (binary) => (await $({ quiet: true })`${binary} version`).stdout.trim());
    if (version !== undefined) return { command: [standalone, 'build'], version };
  }
  const kubectl = await which('kubectl', { nothrow: true });
  if (kubectl) {
    const version = await ask(kubectl, async (binary) => {
      const out = await $({ quiet: true, nothrow: true })`${binary} version --client`;
      return /Kustomize Version:\s*(\S+)/.exec(out.stdout)?.[1];
    });
    if (version !== undefined) return { command: [kubectl, 'kustomize'], version };
  }
  throw new RenderError(
    'kustomize not found: install kubectl (it embeds kustomize) or a kustomize binary (https://kubectl.docs.kubernetes.io/installation/kustomize/) and put it on PATH',
  );
}

/**
 * One line when `kustomize` is not the version the declared Argo CD bundles (its renders may then
 * differ from what Argo CD syncs), naming both and how to install the right one; undefined when equal.
 * Versions compare without a leading `v` (`kustomize version` prints `v5.7.0`, kubectl `v5.5.0`).
 */
export function kustomizeVersionWarning(kustomize: Kustomize, bundled = KUSTOMIZE_BUNDLED_BY_ARGO_CD): string | undefined {
  const plain = (v: string): string => v.trim().replace(/^v/, '');
  if (plain(kustomize.version) === plain(bundled)) return undefined;
  return `kustomize ${kustomize.version} (${kustomize.command.join(' ')}) is not ${bundled}, the one Argo CD ${ARGO_CD_TARGET_VERSION} renders with: renders may differ from what Argo CD syncs; install it with \`go install sigs.k8s.io/kustomize/kustomize/v5@${bundled}\` and put it on PATH`;
}

/**
 * Environment for a renderer that must not reach the network: remote bases and git
 * resources fail at once instead of fetching code a pull request pointed at.
 */
const OFFLINE_ENV = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '',
  no_proxy: '',
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'protocol.allow',
  GIT_CONFIG_VALUE_0: 'never',
  GIT_TERMINAL_PROMPT: '0',
};

/** What a kustomize process printed and how it ended. */
interface Run {
  code: number | string;
  stdout: string;
  stderr: string;
}

/**
 * Runs kustomize directly (no shell, no wrapper library): its start-up is paid once per overlay. `signal` kills it.
 * Answers once the process has ended: execFile calls back as soon as `signal` is aborted, while the process it has
 * sent SIGTERM may still run (Node's lib/child_process.js: spawn's abort emits an AbortError that execFile reports
 * at once), so its 'exit' is awaited too (none comes for a process that never started, which has no pid).
 */
function run(bin: string, args: readonly string[], signal?: AbortSignal): Promise<Run> {
  return new Promise((resolve) => {
    const options = {
      env: { ...process.env, ...OFFLINE_ENV },
      maxBuffer: 1 << 30,
      encoding: 'utf8' as const,
      ...(signal ? { signal } : {}),
    };
    let outcome: Run | undefined;
    let ended = false;
    const settle = (): void => {
      if (outcome && ended) resolve(outcome);
    };
    const child = execFile(bin, args, options, (error, stdout, stderr) => {
      const code = error ? ((error as NodeJS.ErrnoException).code ?? 1) : 0;
      outcome = { code, stdout, stderr: stderr || (error && typeof code === 'string' ? error.message : '') };
      ended ||= child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
      settle();
    });
    child.once('exit', () => {
      ended = true;
      settle();
    });
  });
}

/**
 * Renders one overlay directory to YAML text. No exec or function plugins, no Helm, and the
 * load restrictor on (files outside the kustomization root are refused); network access is cut.
 * Aborting `signal` kills the process, and the render fails once the process has ended.
 * @throws RenderError naming `dir` and what kustomize said
 */
export async function renderText(kustomize: Kustomize, dir: string, signal?: AbortSignal): Promise<string> {
  const [bin, ...args] = kustomize.command;
  const out = await run(bin, [...args, '--load-restrictor=LoadRestrictionsRootOnly', dir], signal);
  if (out.code !== 0) {
    // kubectl prefixes kustomize's message with a klog header: keep only what kustomize said.
    const message =
      out.stderr
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] /, '').replace(/^"command failed" err=/, ''))
        .join(' ') || `exit code ${out.code}`;
    throw new RenderError(`${dir}: kustomize build failed: ${message}`);
  }
  return out.stdout;
}

export async function renderObjects(kustomize: Kustomize, dir: string): Promise<KubeObject[]> {
  return parseObjects(await renderText(kustomize, dir), `kustomize build ${dir}`);
}
