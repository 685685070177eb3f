import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { outputFormat, useColor } from '../../scripts/lib/cli.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { copyRepository, npmRun } from '../support/workspace.ts';

const roots: string[] = [];
afterAll(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));
const workspace = (): string => {
  const root = copyRepository();
  roots.push(root);
  return root;
};
const withoutToken = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env['GITHUB_TOKEN'];
  return env;
};
const firstLine = (text: string): string => text.split('\n')[0] ?? '';

describe('the command line', () => {
  it('-o json is --json, and -o yaml gives the same data as YAML', () => {
    // GIVEN plan asked for each machine format
    const json = npmRun(REPO_ROOT, 'plan', ['--json']);
    const dashO = npmRun(REPO_ROOT, 'plan', ['-o', 'json']);
    const yaml = npmRun(REPO_ROOT, 'plan', ['-o', 'yaml']);
    // THEN the outputs carry one document with the same data
    expect(json.status).toBe(0);
    expect(dashO.stdout).toBe(json.stdout);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it.each<[string, string[], RegExp]>([
    [
      '--json and --format markdown',
      ['--base', 'HEAD', '--json', '--format', 'markdown'],
      /^error: conflicting flags: --json and --format markdown; give one output format$/,
    ],
    ['-o yaml and --json', ['--base', 'HEAD', '-o', 'yaml', '--json'], /^error: conflicting flags: --json and -o yaml/],
    ['an unknown format', ['--base', 'HEAD', '-o', 'html'], /^error: -o html: expected one of text, markdown, json, yaml$/],
    ['a positional argument', ['--base', 'HEAD', 'prod'], /^error: unexpected argument "prod": this command takes no arguments/],
    ['a flag given twice', ['--base', 'HEAD', '--base', 'main'], /^error: --base given more than once$/],
    ['a flag without its value', ['--base'], /^error: --base needs a value$/],
    ['a missing required flag', ['--head', 'HEAD'], /^error: --base REF \(e\.g\. --base origin\/main\) is required/],
  ])('diff refuses %s before doing any work, exit 2', (_name, args, message) => {
    // GIVEN no kustomize on PATH: a refusal must come from the flags alone
    const result = npmRun(REPO_ROOT, 'diff', args, { ...process.env, PATH: '/nonexistent' });
    expect(result.status).toBe(2);
    expect(firstLine(result.stderr)).toMatch(message);
  });

  it('plan filters by the environment given as an argument, and refuses one it does not know', () => {
    const [first] = catalog.environments;
    if (!first) throw new Error('the catalog declares no environment');
    // WHEN asked for one environment
    const one = npmRun(REPO_ROOT, 'plan', [first.name, '--json']);
    // THEN every Application listed belongs to it
    expect(one.status).toBe(0);
    const rows = JSON.parse(one.stdout) as { applications: { labels: Record<string, string> }[]; grafana: { env: string }[] };
    expect(rows.applications.length).toBe(first.components.length);
    expect(new Set(rows.applications.map((a) => a.labels['env']))).toEqual(new Set([first.name]));
    expect(rows.grafana.every((g) => g.env === first.name)).toBe(true);
    const unknown = npmRun(REPO_ROOT, 'plan', ['nowhere']);
    expect(unknown.status).toBe(2);
    expect(firstLine(unknown.stderr)).toBe(
      `error: unknown environment "nowhere": expected ${catalog.environments.map((e) => e.name).join(', ')}`,
    );
  });

  it.each(['check', 'generate'])('%s refuses a positional argument instead of ignoring it', (name) => {
    const result = npmRun(REPO_ROOT, name, ['prod'], { ...process.env, PATH: '/nonexistent' });
    expect(result.status).toBe(2);
    expect(firstLine(result.stderr)).toMatch(/^error: unexpected argument "prod"/);
  });

  it('pr-comment checks its flags before it looks for credentials, and names a missing one', () => {
    // GIVEN no GITHUB_TOKEN
    const env = withoutToken();
    // WHEN flags are wrong THEN the flag is the complaint, not the token
    expect(firstLine(npmRun(REPO_ROOT, 'pr-comment', ['--pr', '1', '--base', 'main'], env).stderr)).toBe(
      'error: --repo OWNER/NAME is required; see --help',
    );
    expect(firstLine(npmRun(REPO_ROOT, 'pr-comment', ['--repo', 'acme/obs', '--base', 'main'], env).stderr)).toBe(
      'error: --pr N is required; see --help',
    );
    expect(firstLine(npmRun(REPO_ROOT, 'pr-comment', ['--repo', 'acme/obs', '--pr', '1'], env).stderr)).toMatch(
      /^error: give --base REF \(render here\) or --workflow-run EVENT_FILE --artifact DIR/,
    );
    expect(firstLine(npmRun(REPO_ROOT, 'pr-comment', ['--repo', 'acme/obs', '--workflow-run', 'event.json'], env).stderr)).toBe(
      'error: --workflow-run EVENT_FILE and --artifact DIR go together',
    );
    // AND with good flags the token is what is missing
    expect(firstLine(npmRun(REPO_ROOT, 'pr-comment', ['--repo', 'acme/obs', '--pr', '1', '--base', 'main'], env).stderr)).toMatch(
      /^error: GITHUB_TOKEN is not set/,
    );
  });

  it('a path error names the flag and the path', () => {
    const dir = workspace();
    mkdirSync(join(dir, 'live'));
    const snapshot = npmRun(dir, 'drift', ['--env', 'dev', '--snapshot', 'live']);
    expect(snapshot.status).toBe(2);
    expect(firstLine(snapshot.stderr)).toBe('error: --snapshot live: is a directory, expected a file');
    const comment = npmRun(dir, 'diff', ['--base', 'HEAD', '--comment-file', 'no/such/dir/comment.md']);
    expect(comment.status).toBe(2);
    expect(firstLine(comment.stderr)).toBe('error: --comment-file no/such/dir/comment.md: cannot write: no such file or directory');
  });

  it('JSON output pipes cleanly through npm run -s, as the README shows', () => {
    // GIVEN the README's own spelling
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('npm run -s plan -- --json');
    // WHEN npm runs it THEN stdout is one JSON document, no npm banner
    const npm = spawnSync('npm', ['run', '-s', 'plan', '--', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(npm.status).toBe(0);
    expect(() => JSON.parse(npm.stdout)).not.toThrow();
  });
});

describe('output helpers', () => {
  it('colour only on a terminal, never with NO_COLOR set', () => {
    const saved = process.env['NO_COLOR'];
    try {
      delete process.env['NO_COLOR'];
      expect(useColor({ isTTY: true })).toBe(process.env['TERM'] !== 'dumb');
      expect(useColor({ isTTY: false })).toBe(false);
      process.env['NO_COLOR'] = '1';
      expect(useColor({ isTTY: true })).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['NO_COLOR'];
      else process.env['NO_COLOR'] = saved;
    }
  });

  it('one output format from --json, --format and -o, text by default', () => {
    expect(outputFormat({}, ['text', 'json'])).toBe('text');
    expect(outputFormat({ json: true, output: 'json' }, ['text', 'json'])).toBe('json');
    expect(() => outputFormat({ format: 'markdown' }, ['text', 'json'])).toThrow('--format markdown: expected one of text, json');
  });
});

describe('the catalog and generate', () => {
  it('a TypeScript syntax error in the catalog is exit 2 with file and line first, nothing written', () => {
    // GIVEN a copy of the repository whose catalog does not parse
    const dir = workspace();
    const file = join(dir, 'tools/catalog/environments.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes('export const environments'));
    lines[at] = `${lines[at]} oops(`;
    writeFileSync(file, lines.join('\n'));
    const before = readFileSync(join(dir, 'apps/project.yaml'), 'utf8');
    // WHEN generate and check run
    for (const name of ['generate', 'check']) {
      const result = npmRun(dir, name);
      // THEN exit 2, and the first line names the file and the line
      expect(result.status, result.stderr).toBe(2);
      expect(firstLine(result.stderr)).toMatch(
        new RegExp(`^error: tools/catalog/environments\\.ts:${at + 1}: .*this TypeScript does not parse`),
      );
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
    expect(readFileSync(join(dir, 'apps/project.yaml'), 'utf8')).toBe(before);
  });

  it('a CIDR that does not parse is refused by generate naming environment and field, nothing written', () => {
    const dir = workspace();
    const file = join(dir, 'tools/catalog/environments.ts');
    const text = readFileSync(file, 'utf8');
    const prod = catalog.environments.find((e) => e.name === 'prod');
    if (!prod) throw new Error('no prod environment');
    const at = text.indexOf('export const prod');
    writeFileSync(
      file,
      text.slice(0, at) + text.slice(at).replace(`apiServerCidr: '${prod.cluster.apiServerCidr}'`, "apiServerCidr: '999.18.0.0/99'"),
    );
    const platform = join(dir, 'overlays/prod/platform');
    const before = readdirSync(platform).map((name) => readFileSync(join(platform, name), 'utf8'));
    const result = npmRun(dir, 'generate');
    expect(result.status).toBe(2);
    expect(firstLine(result.stderr)).toBe(
      'error: invalid catalog: prod/platform: cluster.apiServerCidr: "999.18.0.0/99" is not a CIDR (address/prefix, e.g. 10.0.0.0/24)',
    );
    expect(readdirSync(platform).map((name) => readFileSync(join(platform, name), 'utf8'))).toEqual(before);
    expect(existsSync(join(dir, '.generate'))).toBe(false);
  });
});
