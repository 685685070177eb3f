import { describe, expect, it } from 'vitest';
import { canonicalBase64, decodeBase64, withStoredBytes } from '../../tools/kube/stored-bytes.ts';
import type { KubeObject } from '../../tools/kube/object.ts';

describe('byte fields as the API server stores them', () => {
  it('decodes base64 as Go’s StdEncoding does: line breaks skipped, padding and alphabet strict', () => {
    // GIVEN base64 spelled in ways the API server accepts and refuses
    // WHEN decoded THEN CR and LF are ignored; spaces, missing padding and URL-safe letters are refused
    expect(decodeBase64('aGVs\nbG8=\r\n')?.toString()).toBe('hello');
    expect(decodeBase64('aGVs bG8=')).toBeUndefined();
    expect(decodeBase64('aGVsbG8')).toBeUndefined();
    expect(decodeBase64('-_8=')).toBeUndefined();
    expect(canonicalBase64('QR==')).toBe(canonicalBase64('QQ=='));
    expect(canonicalBase64('not base64!')).toBe('not base64!');
  });

  it('folds stringData over data and writes every value in one spelling; other kinds are left alone', () => {
    // GIVEN a Secret with a wrapped data value and a stringData value for another and the same key
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'YQ\n==', b: 'Yg==' },
      stringData: { b: 'B', c: 'c' },
    };
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'YQ\n==' } };
    // WHEN read as stored
    const stored = withStoredBytes(secret);
    // THEN stringData wins, data is canonical, the input is untouched; a ConfigMap's text data is text
    expect(stored['data']).toEqual({ a: 'YQ==', b: 'Qg==', c: 'Yw==' });
    expect(stored).not.toHaveProperty('stringData');
    expect(secret['stringData']).toEqual({ b: 'B', c: 'c' });
    expect(withStoredBytes(configMap)).toBe(configMap);
  });
});
