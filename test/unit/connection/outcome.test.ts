import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tagRowCount } from '../../../src/connection/requests/outcome.js';

describe('tagRowCount', () => {
  it('reads the count of every tag PostgreSQL sends', () => {
    expect(tagRowCount('INSERT 0 1')).toBe(1);
    expect(tagRowCount('INSERT 0 1000')).toBe(1000);
    expect(tagRowCount('SELECT 0')).toBe(0);
    expect(tagRowCount('UPDATE 42')).toBe(42);
    expect(tagRowCount('COPY 10000')).toBe(10000);
    expect(tagRowCount('MERGE 7')).toBe(7);
    expect(tagRowCount('SELECT 18446744073709551615')).toBe(18446744073709551615);
    expect(tagRowCount('CREATE TABLE')).toBe(0);
    expect(tagRowCount('BEGIN')).toBe(0);
    expect(tagRowCount('')).toBe(0);
  });

  it('takes the number after the last space, and 0 when the last word is not a number', () => {
    const word = fc.stringMatching(/^[A-Z0-9]{0,8}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const tag = words.join(' ');
        const last = words[words.length - 1];
        const expected = words.length > 1 && /^[0-9]+$/.test(last) ? Number(last) : 0;
        expect(tagRowCount(tag)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
