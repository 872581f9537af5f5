/**
 * Input the protocol cannot carry is refused on the client with a typed error naming what was wrong, before
 * anything is sent, and the connection stays usable: a lone surrogate (no UTF-8 form), more parameters than
 * the protocol's 16-bit count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError, InterfaceError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
});

afterAll(async () => {
  await conn.close();
});

describe('a lone surrogate in a text value', () => {
  it.each([
    ['a high surrogate at the end', 'abc\ud83d', 3, 'D83D'],
    ['a low surrogate alone', 'x\ude00y', 1, 'DE00'],
    ['two high surrogates', '\ud83d\ud83d\ude00', 0, 'D83D'],
  ])('%s is a DataError naming the parameter and the index', async (_name, value, index, unit) => {
    const err = await conn.fetchVal('SELECT $1::text', [value]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain('parameter $1 (text)');
    expect((err as Error).message).toContain(`lone surrogate (\\u${unit}) at index ${index}`);
    expect((err as DataError).safeToRetry).toBe(true);
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });

  it('inside a text[] element, a varchar parameter and in text format too', async () => {
    await expect(conn.fetchVal('SELECT $1::text[]', [['ok', 'b\udc00']])).rejects.toThrow(/parameter \$1 .*lone surrogate/);
    await expect(conn.fetchVal('SELECT $1::varchar', ['\ud800'])).rejects.toThrow(DataError);
    await expect(conn.fetchVal('SELECT $1::text', ['\ud800'], { format: 'text' })).rejects.toThrow(DataError);
  });

  it('well-formed pairs (emoji) still round-trip', async () => {
    expect(await conn.fetchVal('SELECT $1::text', ['a😀b'])).toBe('a😀b');
  });
});

describe('the parameter count', () => {
  it('65,535 parameters run; 65,536 are an InterfaceError with the right count, nothing sent', async () => {
    const placeholders = (n: number): string => Array.from({ length: n }, (_, i) => `$${i + 1}::int4`).join(',');
    const ok = Array.from({ length: 65_535 }, (_, i) => i);
    const sql = `SELECT array_length(ARRAY[${placeholders(65_535)}], 1)`;
    expect(await conn.fetchVal(sql, ok)).toBe(65_535);
    const tooMany = [...ok, 65_535];
    const err = await conn.fetchVal(`SELECT array_length(ARRAY[${placeholders(65_536)}], 1)`, tooMany).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/^65536 arguments given, but a statement takes at most 65535 parameters/);
    expect((err as InterfaceError).safeToRetry).toBe(true);
    const batch = await conn.executeMany('SELECT 1', [[], tooMany]).catch((e: unknown) => e);
    expect((batch as Error).message).toContain('(argument list 1)');
    const cursor = conn.cursor('SELECT 1', tooMany);
    await expect(cursor.next()).rejects.toThrow(InterfaceError);
    expect(await conn.fetchVal('SELECT 2')).toBe(2);
  });
});
