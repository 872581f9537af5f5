import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyBytes, SLAB_MAX_VALUE, SLAB_SIZE } from '../../../src/internal/slab.js';

describe('copyBytes', () => {
  it('returns copies equal to the source range that later writes to the source do not change', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: SLAB_MAX_VALUE + 100 }), { minLength: 1, maxLength: 40 }), (values) => {
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

  it('never lets two live copies overlap, across slab boundaries', () => {
    const src = Buffer.alloc(3000, 1);
    const copies = Array.from({ length: 4 * Math.ceil(SLAB_SIZE / 3000) }, (_, i) => copyBytes(src, i % 7, 2500 + (i % 5)));
    copies.forEach((c, i) => c.fill(i & 0xff));
    copies.forEach((c, i) => expect(c.every((b) => b === (i & 0xff))).toBe(true));
  });

  it('aligns small copies to 8 bytes and gives large values a buffer of their own', () => {
    const src = Buffer.alloc(SLAB_MAX_VALUE + 1, 9);
    for (let n = 1; n < 20; n++) expect(copyBytes(src, 1, n).byteOffset % 8).toBe(0);
    const large = copyBytes(src, 0, SLAB_MAX_VALUE + 1);
    expect(large.byteOffset).toBe(0);
    expect(large.buffer.byteLength).toBe(SLAB_MAX_VALUE + 1);
    expect(copyBytes(src, 0, 0).length).toBe(0);
  });
});
