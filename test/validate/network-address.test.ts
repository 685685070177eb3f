import { describe, expect, it } from 'vitest';
import { cidrContains, cidrStrictlyInside, parseAddress, parseCidr, type Cidr } from '../../tools/validate/network-address.ts';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`test CIDR ${text} does not parse`);
  return parsed;
};
const contains = (block: string, address: string): boolean => {
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`test address ${address} does not parse`);
  return cidrContains(cidr(block), parsed);
};

describe('parseAddress', () => {
  it('reads IPv4 and IPv6 addresses into integers', () => {
    // GIVEN addresses of both families, IPv6 compressed, full and with an IPv4 tail
    // WHEN parsed / THEN each is its integer value
    expect(parseAddress('10.244.1.7')).toEqual({ family: 4, value: (10n << 24n) | (244n << 16n) | (1n << 8n) | 7n });
    expect(parseAddress('255.255.255.255')).toEqual({ family: 4, value: 0xffffffffn });
    expect(parseAddress('::')).toEqual({ family: 6, value: 0n });
    expect(parseAddress('fd00::7')).toEqual({ family: 6, value: (0xfd00n << 112n) | 7n });
    expect(parseAddress('2001:db8:0:0:0:0:0:1')).toEqual(parseAddress('2001:db8::1'));
    expect(parseAddress('::ffff:10.0.0.1')).toEqual({ family: 6, value: (0xffffn << 32n) | (10n << 24n) | 1n });
  });

  it('refuses what is not an address', () => {
    // GIVEN malformed addresses: out of range, leading zeros, too short, two `::`, an IPv4 part not at the end, a host name
    const bad = ['256.0.0.1', '10.01.0.1', '10.0.0', '1::2::3', '1.2.3.4::', '1:2:3:4:5:6:7:8:9', '12345::', 'example.com', ''];

    // WHEN parsed / THEN none is an address
    expect(bad.map(parseAddress)).toEqual(bad.map(() => undefined));
  });
});

describe('parseCidr and cidrContains', () => {
  it('matches addresses by prefix, with host bits cleared', () => {
    // GIVEN the "internet" block, private ranges, a /32 and an IPv6 block
    // WHEN addresses are tested against them / THEN membership follows the prefix exactly
    expect(contains('0.0.0.0/0', '93.184.215.14')).toBe(true);
    expect(contains('172.16.0.0/12', '172.31.255.255')).toBe(true);
    expect(contains('172.16.0.0/12', '172.32.0.0')).toBe(false);
    expect(contains('10.0.0.1/8', '10.200.0.1')).toBe(true);
    expect(contains('34.118.224.1/32', '34.118.224.1')).toBe(true);
    expect(contains('34.118.224.1/32', '34.118.224.2')).toBe(false);
    expect(contains('fd00::/8', 'fd12::1')).toBe(true);
    expect(contains('::/0', '10.0.0.1')).toBe(false);
    expect(contains('0.0.0.0/0', '::1')).toBe(false);
    expect(cidr('10.0.0.1/8').base).toBe(10n << 24n);
  });

  it('refuses what is not a CIDR', () => {
    // GIVEN a bare address, a prefix too long for its family, a leading-zero prefix and garbage
    const bad = ['10.0.0.1', '10.0.0.0/33', '::/129', '10.0.0.0/08', '10.0.0.0/-1', 'any'];

    // WHEN parsed / THEN none is a CIDR
    expect(bad.map(parseCidr)).toEqual(bad.map(() => undefined));
  });

  it('tells a strict sub-block, as `except` must be', () => {
    // GIVEN blocks inside, equal to, overlapping and outside 0.0.0.0/0 and 10.0.0.0/8
    // WHEN compared / THEN only a strictly longer prefix inside the block counts
    expect(cidrStrictlyInside(cidr('10.0.0.0/8'), cidr('0.0.0.0/0'))).toBe(true);
    expect(cidrStrictlyInside(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(true);
    expect(cidrStrictlyInside(cidr('10.0.0.0/8'), cidr('10.0.0.0/8'))).toBe(false);
    expect(cidrStrictlyInside(cidr('0.0.0.0/0'), cidr('10.0.0.0/8'))).toBe(false);
    expect(cidrStrictlyInside(cidr('192.168.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    expect(cidrStrictlyInside(cidr('fd00::/8'), cidr('0.0.0.0/0'))).toBe(false);
  });
});
