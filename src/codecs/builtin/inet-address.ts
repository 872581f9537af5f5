/**
 * IP address text, read and written exactly as PostgreSQL does (utils/adt/inet_net_pton.c and
 * inet_cidr_ntop.c, which come from BIND), so that binary results print like the server's text output.
 */
import { CodecError } from '../types.js';

/** An address split into what the binary inet/cidr format carries. */
export interface InetParts {
  /** 4 or 6. */
  family: 4 | 6;
  /** 4 or 16 address bytes. */
  bytes: number[];
  /** Netmask length. */
  bits: number;
}

function invalid(type: string, text: string): CodecError {
  return new CodecError(`invalid ${type} value '${text}'`);
}

function parseIpv4(text: string, isAbbreviationAllowed: boolean): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || (parts.length < 4 && !isAbbreviationAllowed)) return undefined;
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
    if (tail.includes('::')) return undefined;
  }
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes('.')) {
        // An embedded IPv4 address fills the last 32 bits (`::ffff:1.2.3.4`).
        const v4 = parseIpv4(g, false);
        if (v4 === undefined) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const first = words(head);
  const last = words(tail);
  if (first === undefined || last === undefined) return undefined;
  const missing = 8 - first.length - last.length;
  if (gap >= 0 ? missing < 1 : missing !== 0) return undefined;
  const all = [...first, ...new Array<number>(gap >= 0 ? missing : 0).fill(0), ...last];
  const bytes: number[] = [];
  for (const word of all) bytes.push(word >> 8, word & 0xff);
  return bytes;
}

/** True when every bit after the first `bits` is zero (cidr's rule, `addressOK` in utils/adt/network.c). */
function hostBitsAreZero(bytes: number[], bits: number): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const mask = keep === 8 ? 0 : 0xff >> keep;
    if ((bytes[i] & mask) !== 0) return false;
  }
  return true;
}

/**
 * Parses inet or cidr input: an IPv4 or IPv6 address with an optional `/bits`. IPv4 may be abbreviated
 * (`10/8`) when bits are given; cidr also refuses bits set right of the mask, as `cidr_in` does. The classful
 * masks cidr_in imputes for abbreviations without bits (`'192.168.1'`) are not guessed: write the mask.
 */
export function parseInet(text: string, isCidr: boolean): InetParts {
  const type = isCidr ? 'cidr' : 'inet';
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bitsText = slash < 0 ? undefined : text.slice(slash + 1);
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) throw invalid(type, text);
  const isV6 = address.includes(':');
  const bytes = isV6 ? parseIpv6(address) : parseIpv4(address, bitsText !== undefined);
  if (bytes === undefined) throw invalid(type, text);
  const maxBits = isV6 ? 128 : 32;
  const bits = bitsText === undefined ? maxBits : Number(bitsText);
  if (bits > maxBits) throw invalid(type, text);
  if (isCidr && !hostBitsAreZero(bytes, bits)) {
    throw new CodecError(`invalid cidr value '${text}': it has bits set to right of the mask`);
  }
  return { family: isV6 ? 6 : 4, bytes, bits };
}

/** The longest run (at least two) of zero 16-bit words, first one on ties, as `::` replaces it. */
function longestZeroRun(words: number[]): { base: number; len: number } {
  let best = { base: -1, len: 0 };
  let base = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && words[i] === 0) {
      if (base < 0) base = i;
    } else if (base >= 0) {
      if (i - base > best.len) best = { base, len: i - base };
      base = -1;
    }
  }
  return best.len >= 2 ? best : { base: -1, len: 0 };
}

/**
 * Formats IPv6 bytes as PostgreSQL does (`inet_net_ntop_ipv6`): lowercase hex words without leading zeros,
 * the longest zero run as `::`, and the last 32 bits as dotted IPv4 for IPv4-compatible (`::a.b.c.d`, six
 * leading zero words) and IPv4-mapped (`::ffff:a.b.c.d`) addresses.
 */
function formatIpv6(bytes: ArrayLike<number>): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  const run = longestZeroRun(words);
  const isEmbeddedV4 = run.base === 0 && (run.len === 6 || (run.len === 5 && words[5] === 0xffff));
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i >= run.base && i < run.base + run.len) {
      if (i === run.base) out += ':';
      continue;
    }
    if (i > 0) out += ':';
    if (i === 6 && isEmbeddedV4) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += words[i].toString(16);
  }
  if (run.base >= 0 && run.base + run.len === 8) out += ':';
  return out;
}

/**
 * Formats an address as `network_out` prints it: all four IPv4 octets, compressed IPv6, and `/bits` unless the
 * mask is full-length, except that cidr always shows it.
 */
export function formatInet(family: 4 | 6, bytes: ArrayLike<number>, bits: number, isCidr: boolean): string {
  const address = family === 4 ? `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` : formatIpv6(bytes);
  return isCidr || bits !== (family === 4 ? 32 : 128) ? `${address}/${bits}` : address;
}
