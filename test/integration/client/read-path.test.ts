/**
 * The receive path against the real server: a plain connection reads into one reused buffer and cached plans
 * switch to generated row decoders after their first rows. Both are only safe if no value keeps a view of the
 * receive buffer and the generated decoders agree with the generic loop, so these tests keep every value of
 * results spanning many reads (and many DataRows split across reads) and compare them with what the server
 * computes, before and after the switch, in object, array, text and binary modes, and through COPY out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn(), { ssl: 'disable' });
});

afterAll(async () => {
  await conn.close();
});

/** n rows whose bytes differ per row: an int, a 1000-byte bytea and a text, each derived from i. */
const WIDE = `
  SELECT i, decode(lpad(to_hex(i), 8, '0') || repeat(lpad(to_hex(i % 256), 2, '0'), 996), 'hex') AS b,
         repeat(chr(65 + i % 26), 1 + i % 700) || 'é' || i AS t
  FROM generate_series(1, $1) AS i`;

function expectedBytes(i: number): Buffer {
  const b = Buffer.alloc(1000, i % 256);
  b.writeUInt32BE(i, 0);
  return b;
}

function expectedText(i: number): string {
  return String.fromCharCode(65 + (i % 26)).repeat(1 + (i % 700)) + 'é' + i;
}

describe('read path', () => {
  it('keeps every value of a multi-megabyte result intact after later reads reuse the buffer', async () => {
    const rows = await conn.fetch<{ i: number; b: Buffer; t: string }>(WIDE, [3000]);
    expect(rows).toHaveLength(3000);
    // Checked only now, after the whole result (over 3 MB, dozens of reads) has gone through the buffer.
    for (const r of rows) {
      expect(r.b.equals(expectedBytes(r.i))).toBe(true);
      expect(r.t).toBe(expectedText(r.i));
    }
  });

  it('decodes the same rows before and after a cached plan gets its generated decoder, in every mode', async () => {
    const sql = 'SELECT i, i::text AS s, i % 3 = 0 AS m, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5::float8 END AS f, $2::text AS k FROM generate_series(1, $1) AS i';
    const expected = Array.from({ length: 40 }, (_, n) => {
      const i = n + 1;
      return { i, s: String(i), m: i % 3 === 0, f: i % 5 === 0 ? null : i * 1.5, k: 'key' };
    });
    // 40 rows per call: the first call stays below the warm-up count, later calls run the generated code.
    for (let round = 0; round < 4; round++) {
      expect(await conn.fetch(sql, [40, 'key'])).toEqual(expected);
      expect(await conn.fetch(sql, [40, 'key'], { rowMode: 'array' })).toEqual(expected.map((r) => Object.values(r)));
      expect(await conn.fetch(sql, [40, 'key'], { format: 'text' })).toEqual(expected);
    }
  });

  it('names columns as the server does, duplicates and odd names included, in generated rows', async () => {
    const sql = `SELECT i AS "__proto__", i + 1 AS "a b", i + 2 AS a, i + 3 AS a, i + 4 AS "constructor", i + 5 AS "0" FROM generate_series(1, 100) AS i`;
    for (let round = 0; round < 3; round++) {
      const rows = await conn.fetch<Record<string, number>>(sql);
      const last = rows[99];
      expect(Object.getPrototypeOf(last)).toBe(Object.prototype);
      expect(Object.keys(last)).toEqual(['0', '__proto__', 'a b', 'a', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(last, '__proto__')?.value).toBe(100);
      expect(last.a).toBe(103); // the later duplicate wins, as with the generic loop
      expect(last.constructor).toBe(104);
      expect(last['0']).toBe(105);
    }
  });

  it('delivers COPY out chunks that stay intact after later reads', async () => {
    const chunks: Buffer[] = [];
    await conn.copyFromQuery(`SELECT i, repeat('x', 500) || i FROM generate_series(1, 4000) AS i`, [], {
      output: async (chunk: Buffer) => void chunks.push(chunk),
    });
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4000);
    lines.forEach((line, n) => expect(line).toBe(`${n + 1}\t${'x'.repeat(500)}${n + 1}`));
  });
});
