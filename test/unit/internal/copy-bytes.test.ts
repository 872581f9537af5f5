import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyBytes } from '../../../src/internal/copy-bytes.js';

describe('copyBytes', () => {
  it('returns copies equal to the source range that later writes to the source do not change', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 5000 }), { minLength: 1, maxLength: 40 }), (values) => {
        const src = Buffer.concat(values.map((v) => Buffer.concat([Buffer.from([0xaa]), Buffer.from(v)])));
        const copies: Buffer[] = [];
        let pos = 0;
        for (const v of values) {
          copies.push(copyBytes(src, pos + 1, v.length));
          pos += 1 + v.length;
        }
        src.fill(0x55);
        copies.forEach((c, i) => {
          expect(Buffer.isBuffer(c)).toBe(true);
          expect(c.equals(Buffer.from(values[i]))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never lets two live copies overlap', () => {
    const src = Buffer.alloc(3000, 1);
    const copies = Array.from({ length: 200 }, (_, i) => copyBytes(src, i % 7, (i * 37) % 3000));
    copies.forEach((c, i) => c.fill(i & 0xff));
    copies.forEach((c, i) => expect(c.every((b) => b === (i & 0xff))).toBe(true));
  });
});
