import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyRepository, npmRun } from '../support/workspace.ts';

// The benchmark is never part of npm test (minutes even at its smallest size): OBS_TEST_BENCH=1 npx vitest run test/bench runs this.
const SKIP = process.env['OBS_TEST_BENCH'] ? undefined : 'npm run bench takes minutes: set OBS_TEST_BENCH=1 to run its test';

if (SKIP) it.skip(SKIP, () => {});
else
  describe('npm run bench', () => {
    const root = copyRepository('obs-bench-repo-');
    const written: string[] = [];
    afterAll(() => [root, ...written].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    it('writes its results to a temporary folder and says where, leaving the committed results alone', () => {
      // GIVEN the committed results
      const committed = ['results.json', 'results.md'].map((file) => readFileSync(join(root, 'bench', file), 'utf8'));
      // WHEN the smallest benchmark runs without --update
      const result = npmRun(root, 'bench', ['--sizes', '5x2', '--runs', '1', '--cold-runs', '1']);
      expect(result.status, result.stderr).toBe(0);
      // THEN stderr names the folder it wrote, which holds both files, and bench/ is untouched
      const where = /^results written to (\S+results\.json) and (\S+results\.md) \(--update writes bench\/results\.\*\)$/m.exec(
        result.stderr,
      );
      expect(where, result.stderr).not.toBeNull();
      const [json = '', md = ''] = where?.slice(1) ?? [];
      written.push(dirname(json));
      expect(dirname(json)).not.toBe(join(root, 'bench'));
      expect(existsSync(json) && existsSync(md)).toBe(true);
      expect((JSON.parse(readFileSync(json, 'utf8')) as { cases: unknown[] }).cases.length).toBeGreaterThan(0);
      expect(['results.json', 'results.md'].map((file) => readFileSync(join(root, 'bench', file), 'utf8'))).toEqual(committed);
    }, 900_000);
  });
