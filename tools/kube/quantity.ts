/** Kubernetes resource quantities (`500m`, `1Gi`, `1e3`), compared exactly by value. */

/** A quantity as the exact fraction numerator / denominator. */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

const BINARY_SUFFIXES: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The parts of a quantity's text: sign, digits, and its suffix or decimal exponent; undefined when it is not a quantity. */
interface QuantityText {
  sign: string;
  number: string;
  suffix: string;
  exponent: string | undefined;
}

function quantityText(value: unknown): QuantityText | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (typeof text !== 'string') return undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', number = '', suffix = '', exponent] = match;
  return { sign, number, suffix, exponent };
}

function exactValue({ sign, number, suffix, exponent }: QuantityText): Fraction {
  const [whole = '', fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  if (sign === '-') numerator = -numerator;
  let power = -fraction.length;
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) numerator <<= binary;
  else power += exponent !== undefined ? Number(exponent) : (DECIMAL_SUFFIXES[suffix] ?? 0);
  if (power >= 0) return { numerator: numerator * 10n ** BigInt(power), denominator: 1n };
  return { numerator, denominator: 10n ** BigInt(-power) };
}

/** The value as the nearest double: one correctly rounded decimal read, times a power of two for binary suffixes. */
function approximateValue({ sign, number, suffix, exponent }: QuantityText): number {
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return Number(`${sign}${number}`) * 2 ** Number(binary);
  return Number(`${sign}${number}e${exponent !== undefined ? Number(exponent) : (DECIMAL_SUFFIXES[suffix] ?? 0)}`);
}

/** Parses a quantity (string or number) into an exact fraction; undefined when it is not one. */
export function parseQuantity(value: unknown): Fraction | undefined {
  const text = quantityText(value);
  return text && exactValue(text);
}

/** True when both values are quantities of the same value: `1000m` = `1`, `1Gi` = `1024Mi`, `0.5` = `500m`. */
export function quantitiesEqual(a: unknown, b: unknown): boolean {
  const left = quantityText(a);
  const right = quantityText(b);
  if (!left || !right) return false;
  // Equal values read as doubles within a few units in the last place of each other: values further
  // apart differ, found without exact (BigInt) arithmetic. Overflow and underflow take the exact way.
  const x = approximateValue(left);
  const y = approximateValue(right);
  if (Number.isFinite(x) && Number.isFinite(y) && x !== 0 && y !== 0 && Math.abs(x - y) > 1e-9 * Math.max(Math.abs(x), Math.abs(y))) {
    return false;
  }
  const l = exactValue(left);
  const r = exactValue(right);
  return l.numerator * r.denominator === r.numerator * l.denominator;
}

/** -1, 0 or 1 as `a` is less than, equal to or more than `b`; undefined when either is not a quantity. */
export function compareQuantities(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const left = parseQuantity(a);
  const right = parseQuantity(b);
  if (!left || !right) return undefined;
  const difference = left.numerator * right.denominator - right.numerator * left.denominator;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
