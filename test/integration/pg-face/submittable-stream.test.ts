/**
 * pg-query-stream (the real package) through the pg face's submittable support: all rows with backpressure,
 * async iteration, destroying the stream early, errors as stream errors, and pg-copy-streams refused with a
 * clear error that leaves the connection usable.
 */
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import QueryStream from 'pg-query-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, InterfaceError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';
import { SubmitOnlyClient } from './submittable-adapter.js';

let conn: Connection;
let client: SubmitOnlyClient;

beforeAll(async () => {
  conn = await connect(testDsn());
  client = new SubmitOnlyClient(conn);
});

afterAll(async () => {
  await client.idle();
  await conn.close();
});

describe('pg-query-stream on the face', () => {
  it('streams every row through a slow consumer, in order', async () => {
    const stream = client.query(new QueryStream('SELECT g FROM generate_series(1, $1::int4) g', [2500], { batchSize: 100 }));
    const seen: number[] = [];
    await pipeline(
      stream,
      new Writable({
        objectMode: true,
        highWaterMark: 1,
        write(row: { g: number }, _enc, cb) {
          seen.push(row.g);
          setImmediate(cb);
        },
      }),
    );
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    await client.idle();
    expect(conn.isInTransaction).toBe(false);
  });

  it('supports async iteration and breaking out early, after which the connection is free', async () => {
    const stream = client.query(new QueryStream('SELECT g FROM generate_series(1, 100000) g', [], { batchSize: 50 }));
    let last = 0;
    for await (const row of stream as AsyncIterable<{ g: number }>) {
      last = row.g;
      if (last === 120) break;
    }
    expect(last).toBe(120);
    await client.idle();
    expect(await conn.fetchVal('SELECT 2')).toBe(2);
  });

  it('a statement error becomes the stream\'s error; the next query works', async () => {
    const stream = client.query(new QueryStream('SELECT 1 / 0'));
    const failure = new Promise<Error>((resolve) => stream.once('error', resolve));
    stream.resume();
    expect(await failure).toMatchObject({ code: '22012' });
    await client.idle();
    expect(await conn.fetchVal('SELECT 3')).toBe(3);
  });

  it('an empty query ends the stream without rows', async () => {
    const stream = client.query(new QueryStream('-- only a comment', []));
    const rows: unknown[] = [];
    stream.on('data', (row) => rows.push(row));
    await new Promise((resolve) => stream.once('end', resolve));
    expect(rows).toEqual([]);
  });

  it("pg-copy-streams is refused with an InterfaceError naming pgjet's COPY API, and nothing is left running", async () => {
    const out = client.query(copyTo('COPY (SELECT 1) TO STDOUT'));
    const outError = await new Promise<Error>((resolve) => out.once('error', resolve));
    expect(outError).toBeInstanceOf(InterfaceError);
    expect(outError.message).toMatch(/copyOut/);
    const into = client.query(copyFrom('COPY pg_temp.nothing FROM STDIN'));
    const inError = await new Promise<Error>((resolve) => into.once('error', resolve));
    expect(inError).toBeInstanceOf(InterfaceError);
    await client.idle();
    expect(await conn.fetchVal('SELECT 4')).toBe(4);
  });
});
