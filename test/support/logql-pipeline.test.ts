import { describe, expect, it } from 'vitest';
import { compileQuery, detectedLevel, LogfmtDecoder, re2, UnsupportedLogql } from './logql-pipeline.ts';

const pairs = (line: string): string[] => {
  const decoder = new LogfmtDecoder(line);
  const out: string[] = [];
  while (!decoder.eol()) {
    const kv = decoder.scan();
    if (kv === undefined) break;
    out.push(kv === 'error' ? '!' : `${kv.key}=${kv.value ?? '<none>'}`);
  }
  return out;
};

describe('the Node-side LogQL check', () => {
  it('decodes logfmt as Loki does: bare keys, escaped quotes, rejected pairs skipped', () => {
    // GIVEN lines with a bare key, an escaped quote, a quote inside a bare value and an unterminated quote
    // THEN each pair decodes as pkg/logql/log/logfmt/decode.go reads it
    expect(pairs('a=1 b c="x \\"y\\"" d=e"f g=h')).toEqual(['a=1', 'b=<none>', 'c=x "y"', '!', 'g=h']);
    expect(pairs('k="open')).toEqual(['!']);
    expect(pairs('=v k=')).toEqual(['!', 'k=<none>']);
  });

  it("detects levels as Loki's distributor does", () => {
    // THEN a level label wins, then the logfmt field, then a bounded level word, and a word inside another is not one
    expect(detectedLevel({ level: 'ERR' }, 'level=info')).toBe('error');
    expect(detectedLevel({}, 'ts=1 lvl=WARNING msg=x')).toBe('warn');
    expect(detectedLevel({}, 'msg="no level" status=500')).toBe('unknown');
    expect(detectedLevel({}, '[ERROR] disk full')).toBe('error');
    expect(detectedLevel({}, 'misc:error in cmd/xl-storage-errors.go')).toBe('unknown');
    expect(() => detectedLevel({}, '{"msg":"x"}')).toThrow(UnsupportedLogql);
  });

  it('refuses regexes outside the subset where RE2 and JavaScript agree', () => {
    for (const pattern of ['\\s+', '(?P<x>a)', '(?=a)', 'a\\b', '[\\d]', 'caf\u00e9'])
      expect(() => re2(pattern, false), pattern).toThrow(UnsupportedLogql);
    expect(re2('(?i)a[(]5[0-9]{2}[)]', true).test('A(503)')).toBe(true);
  });

  it('suffixes a parsed key that a stream label already has, and refuses a line repeating a key', () => {
    // GIVEN a stream with a `level` label and a logfmt line with its own level field
    const keep = compileQuery('{app="x"} | logfmt | level_extracted="info" | level="error"');
    // THEN the line's field is level_extracted, the label stays level
    expect(keep({ app: 'x', level: 'error' }, 'level=info msg=hi')).toBe(true);
    expect(() => compileQuery('{app="x"} | logfmt msg | msg="a"')({ app: 'x' }, 'msg=a msg=b')).toThrow(UnsupportedLogql);
  });

  it('refuses stages it does not evaluate, for the upstream tier to decide', () => {
    for (const expr of [
      '{app="x"} | json',
      '{app="x"} | line_format "{{.a}}"',
      '{app="x"} | logfmt --strict',
      '{app="x"} | bytes > 1KB',
      '{app="x"} |= "a" or "b"',
    ]) {
      expect(() => compileQuery(expr)({ app: 'x' }, 'a=1'), expr).toThrow(UnsupportedLogql);
    }
  });
});
