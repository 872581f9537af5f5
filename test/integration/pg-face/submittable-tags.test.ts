/**
 * The command tag a row-returning statement's cursor reports is rebuilt from its SQL (pgjet's cursor gives
 * rows, not the tag): checked against the tag the server itself sends for the same statements, through
 * pg-cursor on stock pg, so comments, quoting, WITH lists and RETURNING are read as PostgreSQL reads them.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../../src/index.js';
import { commandTag, leadingKeyword, rowCommand } from '../../../src/faces/pg/low-level-sql.js';
import { testConfig, testDsn } from '../../support/env.js';
import { Cursor, SubmitOnlyClient, readInSizes, stockClient, type CursorResult, type SubmittingClient } from './submittable-adapter.js';

let conn: Connection;
let stock: pg.Client;

beforeAll(async () => {
  conn = await connect(testDsn());
  stock = new pg.Client(testConfig());
  await stock.connect();
});

afterAll(async () => {
  await conn.close();
  await stock.end();
});

const statements = [
  'SELECT 1 AS x',
  '  -- a comment first\n /* and a /* nested */ one */ VALUES (1), (2)',
  'TABLE sub_tags',
  '(SELECT 1) UNION ALL (SELECT 2)',
  'WITH w AS (SELECT 1 AS x) SELECT * FROM w',
  'WITH w AS (SELECT 1 AS x) INSERT INTO sub_tags SELECT x FROM w RETURNING x',
  "WITH w AS (SELECT 'INSERT' AS \"DELETE\") SELECT * FROM w",
  'WITH d AS (DELETE FROM sub_tags WHERE x < 0 RETURNING x) SELECT * FROM d',
  'INSERT INTO sub_tags VALUES (5), (6) RETURNING x',
  'UPDATE sub_tags SET x = x WHERE x = 5 RETURNING x',
  'DELETE FROM sub_tags WHERE x = 6 RETURNING x',
  "SELECT $$ WITH x AS (DELETE $$ AS s, E'\\' UPDATE' AS t",
  'SHOW DateStyle',
  'EXPLAIN SELECT 1',
];

/** The command and row count a cursor's result reports after reading everything in reads of 2. */
async function tagOf(client: SubmittingClient, text: string): Promise<[string | null, number | null]> {
  const cursor = client.query(new Cursor(text));
  const end = new Promise<CursorResult>((resolve) => cursor.once('end', resolve));
  await readInSizes(cursor, [2]);
  const result = await end;
  return [result.command, result.rowCount];
}

describe('command tags of row-returning statements', () => {
  it('match the tags the server sends, statement by statement', async () => {
    const client = new SubmitOnlyClient(conn);
    for (const text of statements) {
      await conn.execute('CREATE TEMP TABLE IF NOT EXISTS sub_tags (x int)');
      await stock.query('CREATE TEMP TABLE IF NOT EXISTS sub_tags (x int)');
      expect([text, ...(await tagOf(client, text))]).toEqual([text, ...(await tagOf(stockClient(stock), text))]);
    }
    await client.idle();
  });

  it('reads keywords past comments, strings, quoted names and dollar quotes', () => {
    expect(leadingKeyword('/* c */ -- d\n copy t to stdout')).toBe('COPY');
    expect(leadingKeyword('  -- only a comment')).toBe('');
    expect(rowCommand('with "insert" as (select 1) select * from "insert"')).toBe('SELECT');
    expect(rowCommand("with x as (select 'update') merge into t using x on true when matched then do nothing returning 1")).toBe('MERGE');
    expect(commandTag('INSERT', 3)).toBe('INSERT 0 3');
    expect(commandTag('SHOW', 1)).toBe('SHOW');
  });
});
