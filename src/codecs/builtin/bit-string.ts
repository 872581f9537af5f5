/**
 * bit and varbit ↔ strings of `0` and `1`. Binary (`bit_send`/`varbit_send` in utils/adt/varbit.c): int32
 * bit length, then the bits packed most significant first, the last byte padded with zeros.
 */
import { expected, truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import type { Codec } from '../types.js';

/**
 * A bit-string parameter as `0`/`1` characters. `bit_in` also reads `B0101` and hexadecimal `X1F`
 * (4 bits per digit); both are accepted here and written out as plain bits.
 */
function toBits(value: unknown): string {
  if (typeof value === 'string') {
    if (/^[01]*$/.test(value)) return value;
    if (/^[bB][01]*$/.test(value)) return value.slice(1);
    if (/^[xX][0-9a-fA-F]*$/.test(value)) {
      let bits = '';
      for (const digit of value.slice(1)) bits += parseInt(digit, 16).toString(2).padStart(4, '0');
      return bits;
    }
  }
  throw expected("a bit string like '0101'", value);
}

function bitStringCodec(name: 'bit' | 'varbit', oid: number): Codec<string> {
  return {
    name,
    oid,
    decodeBinary(buf, offset, length) {
      if (length < 4) throw truncated(name);
      const bitLength = buf.readInt32BE(offset);
      if (bitLength < 0 || length !== 4 + Math.ceil(bitLength / 8)) throw truncated(name);
      let out = '';
      for (let i = 0; i < bitLength; i++) out += (buf[offset + 4 + (i >> 3)] >> (7 - (i & 7))) & 1 ? '1' : '0';
      return out;
    },
    encodeBinary(value, w) {
      const bits = toBits(value);
      w.i32(bits.length);
      for (let i = 0; i < bits.length; i += 8) {
        const chunk = bits.slice(i, i + 8).padEnd(8, '0');
        w.u8(parseInt(chunk, 2));
      }
    },
    decodeText: (text) => text,
    encodeText: toBits,
  };
}

/** bit(n) ↔ `'0101'`. */
export const bitCodec = bitStringCodec('bit', Oid.bit);
/** varbit ↔ `'0101'`. */
export const varbitCodec = bitStringCodec('varbit', Oid.varbit);
