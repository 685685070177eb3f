/** IP addresses and CIDR blocks as NetworkPolicy `ipBlock` uses them: exact integer arithmetic, IPv4 and IPv6. */
export interface Address {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  /** The network address: host bits cleared. */
  base: bigint;
  prefix: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused, as Go's net.ParseIP (which the API server uses) refuses them.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** Hex groups of one side of `::`; a dotted IPv4 tail is allowed only where the address ends. */
function parseGroups(text: string, endsAddress: boolean): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (endsAddress && index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<bigint>(missing).fill(0n), ...tail].reduce((value, group) => (value << 16n) | group, 0n);
}

/** `10.244.1.7` or `fd00::7`; undefined when the text is not an address. */
export function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** `10.0.0.0/8`; host bits are cleared, as the API server's parser does. Undefined when not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseAddress(match[1] ?? '');
  const prefix = Number(match[2]);
  if (!address || prefix > WIDTH[address.family]) return undefined;
  const hostBits = BigInt(WIDTH[address.family] - prefix);
  return { family: address.family, base: (address.value >> hostBits) << hostBits, prefix };
}

export function cidrContains(cidr: Cidr, address: Address): boolean {
  if (cidr.family !== address.family) return false;
  const hostBits = BigInt(WIDTH[cidr.family] - cidr.prefix);
  return address.value >> hostBits === cidr.base >> hostBits;
}

/** True when `inner` is a strictly smaller block inside `outer`: what the API server requires of `except`. */
export function cidrStrictlyInside(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix > outer.prefix && cidrContains(outer, { family: inner.family, value: inner.base });
}
