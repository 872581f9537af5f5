import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/internal/byte-writer.js';

describe('ByteWriter.utf8', () => {
  it('writes exactly Buffer.from(s, "utf8") for any string, short or long, after any prefix', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', 'é', '\u0000', '\u007f', '\u0080', '☃', '\ud83d\ude00', '\ud800'), maxLength: 40 }),
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
