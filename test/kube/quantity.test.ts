import { describe, expect, it } from 'vitest';
import { parseQuantity, quantitiesEqual } from '../../tools/kube/quantity.ts';

describe('quantities', () => {
  it.each([
    ['1000m', '1'],
    ['1', 1],
    ['0.5', '500m'],
    [0.5, '500m'],
    ['1Gi', '1024Mi'],
    ['1Mi', '1048576'],
    ['1k', '1000'],
    ['1e3', '1k'],
    ['1E3', '1000'],
    ['100Mi', '104857600'],
    ['0.1', '100m'],
    ['1.5Gi', '1536Mi'],
    ['2Ti', '2048Gi'],
    ['1n', '0.000000001'],
  ])('%s equals %s', (a, b) => {
    // GIVEN two spellings of one amount WHEN compared THEN they are equal, both ways
    expect(quantitiesEqual(a, b)).toBe(true);
    expect(quantitiesEqual(b, a)).toBe(true);
  });

  it.each([
    ['1', '1001m'],
    ['1Gi', '1G'],
    ['1Mi', '1M'],
    ['500m', '0.49'],
    ['-1', '1'],
  ])('%s differs from %s', (a, b) => {
    // GIVEN two different amounts WHEN compared THEN they differ
    expect(quantitiesEqual(a, b)).toBe(false);
  });

  it('refuses what is not a quantity', () => {
    // GIVEN strings and values that are not quantities
    const notQuantities = ['', 'abc', '1Xi', '1.2.3', 'Gi', true, null, Number.POSITIVE_INFINITY];
    // WHEN parsed THEN none is a quantity, and none equals a real one
    for (const value of notQuantities) {
      expect(parseQuantity(value)).toBeUndefined();
      expect(quantitiesEqual(value, '1')).toBe(false);
    }
  });
});

describe('compareQuantities', () => {
  it('orders quantities by value, whatever their suffixes', async () => {
    const { compareQuantities } = await import('../../tools/kube/quantity.ts');
    expect(compareQuantities('10Gi', '5Gi')).toBe(1);
    expect(compareQuantities('5Gi', '5120Mi')).toBe(0);
    expect(compareQuantities('500M', '1Gi')).toBe(-1);
    expect(compareQuantities('big', '1Gi')).toBeUndefined();
  });
});
