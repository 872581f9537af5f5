import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/internal/byte-writer.js';

describe('ByteWriter.utf8', () => {
  it('writes exactly Buffer.from(s, "utf8") for any string, short or long, after any prefix', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', 'é', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '☃', '\uffff', '\ud83d\ude00', '\ud800', '\ud83d', '\udc00', '\udfff', '\udbff'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), fc.nat(20), (parts, prefix) => {
        const w = new ByteWriter(4); // tiny, so the loop also runs right after growth
        w.bytes(Buffer.alloc(prefix, 7));
        for (const p of parts) w.cstring(p);
        const expected = Buffer.concat([Buffer.alloc(prefix, 7), ...parts.map((p) => Buffer.from(p + '\u0000', 'utf8'))]);
        expect(w.take().equals(expected)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ByteWriter integers', () => {
  type Op = ['i16' | 'u16' | 'i32' | 'u32', number];
  const ref: Record<Op[0], (b: Buffer, v: number) => void> = {
    i16: (b, v) => b.writeInt16BE(v),
    u16: (b, v) => b.writeUInt16BE(v),
    i32: (b, v) => b.writeInt32BE(v),
    u32: (b, v) => b.writeUInt32BE(v),
  };
  const size = { i16: 2, u16: 2, i32: 4, u32: 4 };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.tuple(fc.constant('i16' as const), fc.integer({ min: -32768, max: 32767 })),
    fc.tuple(fc.constant('u16' as const), fc.integer({ min: 0, max: 65535 })),
    fc.tuple(fc.constant('i32' as const), fc.integer({ min: -2147483648, max: 2147483647 })),
    fc.tuple(fc.constant('u32' as const), fc.integer({ min: 0, max: 4294967295 })),
  );

  it('writes what Buffer writes for every in-range value, and patched lengths count the right bytes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.nat(9), (ops, prefix) => {
        const w = new ByteWriter(4);
        w.bytes(Buffer.alloc(prefix, 7));
        const msg = w.reserve32();
        const value = w.reserve32();
        const parts: Buffer[] = [];
        for (const [kind, v] of ops) {
          w[kind](v);
          const b = Buffer.alloc(size[kind]);
          ref[kind](b, v);
          parts.push(b);
        }
        w.endValue(value);
        w.endMessage(msg);
        const body = Buffer.concat(parts);
        const head = Buffer.alloc(8);
        head.writeInt32BE(body.length + 8, 0);
        head.writeInt32BE(body.length, 4);
        expect(w.take().equals(Buffer.concat([Buffer.alloc(prefix, 7), head, body]))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('throws a RangeError for a value out of range instead of wrapping it', () => {
    const w = new ByteWriter();
    expect(() => w.i16(32768)).toThrow(RangeError);
    expect(() => w.u16(-1)).toThrow(RangeError);
    expect(() => w.i32(2147483648)).toThrow(RangeError);
    expect(() => w.u32(4294967296)).toThrow(RangeError);
    expect(() => w.u32(-1)).toThrow(RangeError);
  });
});
