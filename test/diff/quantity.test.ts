import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../tools/diff/quantity.ts';

describe('parseQuantity', () => {
  it('reads binary, decimal and exponent suffixes', () => {
    // GIVEN quantities as Kubernetes writes them
    // WHEN parsed
    // THEN each has its value in base units
    expect(parseQuantity('10Gi')).toBe(10 * 2 ** 30);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1.5Ti')).toBe(1.5 * 2 ** 40);
    expect(parseQuantity('500M')).toBe(500e6);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1E')).toBe(1e18);
    expect(parseQuantity('100')).toBe(100);
    expect(parseQuantity(3)).toBe(3);
  });

  it('orders sizes across suffixes', () => {
    // GIVEN the same size in two notations, and a smaller one
    // WHEN compared
    // THEN 10Gi equals 10240Mi and is larger than 10G
    expect(parseQuantity('10Gi')).toBe(parseQuantity('10240Mi'));
    expect(parseQuantity('10G') ?? Infinity).toBeLessThan(parseQuantity('10Gi') ?? 0);
  });

  it('returns undefined for anything else', () => {
    // GIVEN values that are not quantities
    // WHEN parsed
    // THEN there is no value
    for (const value of ['', 'ten', '10 Gi', '10GB', 'Gi', undefined, null, {}]) expect(parseQuantity(value)).toBeUndefined();
  });
});
