import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internAscii } from '../../../src/internal/ascii-intern.js';

/** Decodes `text` placed at a random offset, as the row decoder hands it over. */
function decode(text: string, pad = 3): string {
  const bytes = Buffer.from(text, 'utf8');
  const buf = Buffer.concat([Buffer.alloc(pad, 0x61), bytes, Buffer.alloc(2, 0x62)]);
  return internAscii(buf, pad, bytes.length);
}

describe('internAscii', () => {
  it('decodes like UTF-8 for any text, repeated or not, whatever else went through the table', () => {
    // A small alphabet makes repeats and equal-length near misses (same slot, different bytes) common.
    const word = fc.string({ unit: fc.constantFrom('a', 'b', '_', '1', 'é', '☃', 'Z'), maxLength: 70 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 60 }), fc.nat(5), (words, pad) => {
        for (const w of words) expect(decode(w, pad)).toBe(w);
        for (const w of [...words].reverse()) expect(decode(w, pad)).toBe(w);
      }),
      { numRuns: 500 },
    );
  });

  it('never answers a different identifier of the same length from the table', () => {
    // 20,000 distinct same-length names overflow the 4096 slots, so most share a slot with another.
    for (let i = 0; i < 20000; i++) {
      const name = `t${String(i).padStart(6, '0')}`;
      expect(decode(name)).toBe(name);
      expect(decode(name.replace('t', 'u'))).toBe(name.replace('t', 'u'));
    }
  });

  it('keeps non-ASCII and over-long values out of the table but decodes them', () => {
    expect(decode('Grüße')).toBe('Grüße');
    expect(decode('Grüße')).toBe('Grüße');
    const long = 'x'.repeat(100);
    expect(decode(long)).toBe(long);
    expect(decode('')).toBe('');
  });
});
