import { describe, expect, test } from 'vitest';
import { GitHubError } from '../../tools/github/error.ts';
import { parseRepo } from '../../tools/github/repo.ts';

describe('parseRepo', () => {
  test('splits OWNER/NAME as GitHub Actions gives it in GITHUB_REPOSITORY', () => {
    // GIVEN names with the characters GitHub allows
    const inputs = ['acme/obs', 'my-org/observability-gitops', 'Acme_1/repo.name_2', ' acme/obs\n'];

    // WHEN each is parsed
    const refs = inputs.map(parseRepo);

    // THEN owner and repo come back as written, surrounding whitespace dropped
    expect(refs).toEqual([
      { owner: 'acme', repo: 'obs' },
      { owner: 'my-org', repo: 'observability-gitops' },
      { owner: 'Acme_1', repo: 'repo.name_2' },
      { owner: 'acme', repo: 'obs' },
    ]);
  });

  test.each(['acme', 'acme/obs/extra', 'https://github.com/acme/obs', '/obs', 'acme/', 'acme/..', 'ac me/obs', 'acme/o bs', ''])(
    'rejects %j naming the value and the expected form',
    (input) => {
      // GIVEN a value that is not OWNER/NAME
      // WHEN it is parsed
      const attempt = (): unknown => parseRepo(input);

      // THEN a GitHubError quotes it and shows the form
      expect(attempt).toThrow(GitHubError);
      expect(attempt).toThrow(`repository ${JSON.stringify(input)} is not OWNER/NAME`);
    },
  );
});
