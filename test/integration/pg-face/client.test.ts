/**
 * pgjet/pg's Client behaves as node-postgres' does: callbacks and promises, events, errors with pg's messages
 * and classes, named queries, array rows, type parsers at every level, pipelining and query_timeout.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndefinedTableError, UniqueViolationError } from '../../../src/index.js';
import pg, { Client, DatabaseError, Query, types, type Notification, type Result } from '../../../src/faces/pg/index.js';
import { testConfig, testDsn } from '../../support/env.js';

let client: Client;

beforeAll(async () => {
  client = new Client({ connectionString: testDsn() });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

describe('pgjet/pg Client', () => {
  it('resolves a promise, or calls a callback and returns nothing, never both', async () => {
    const res = await client.query('SELECT $1::int4 AS n', [5]);
    expect(res.rows).toEqual([{ n: 5 }]);
    let calls = 0;
    const returned = await new Promise((resolve) => {
      const r = client.query('SELECT nope', (err: Error | null) => {
        calls++;
        expect(err).toBeInstanceOf(DatabaseError);
        resolve(r);
      });
    });
    expect(returned).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('reports server errors as pg DatabaseErrors that are still pgjet typed errors, and stays usable', async () => {
    const err = await client.query('SELECT * FROM pgf_missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toBeInstanceOf(pg.DatabaseError);
    expect(err).toBeInstanceOf(UndefinedTableError);
    const e = err as DatabaseError;
    expect([e.name, e.code, e.severity, e.position, e.message]).toEqual(['error', '42P01', 'ERROR', '15', 'relation "pgf_missing" does not exist']);
    await client.query('CREATE TEMP TABLE pgf_u (id int PRIMARY KEY)');
    await client.query('INSERT INTO pgf_u VALUES (1)');
    const dup = (await client.query('INSERT INTO pgf_u VALUES (1)').catch((x: unknown) => x)) as DatabaseError;
    expect(dup).toBeInstanceOf(UniqueViolationError);
    expect([dup.code, dup.constraint, dup.table, dup.detail]).toEqual(['23505', 'pgf_u_pkey', 'pgf_u', 'Key (id)=(1) already exists.']);
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('gives command, rowCount and oid as pg reads them off the tag', async () => {
    const created = await client.query('CREATE TEMP TABLE pgf_t (x int)');
    expect([created.command, created.rowCount, created.oid]).toEqual(['CREATE', null, null]);
    const inserted = await client.query('INSERT INTO pgf_t VALUES (1), (2)');
    expect([inserted.command, inserted.rowCount, inserted.oid]).toEqual(['INSERT', 2, 0]);
    const updated = await client.query('UPDATE pgf_t SET x = x + 1');
    expect([updated.command, updated.rowCount, updated.oid]).toEqual(['UPDATE', 2, null]);
    const selected = await client.query('SELECT x FROM pgf_t ORDER BY x');
    expect(selected.fields[0]).toMatchObject({ name: 'x', dataTypeID: 23, dataTypeSize: 4, columnID: 1, format: 'text' });
    expect(selected.fields[0].tableID).toBeGreaterThan(0);
  });

  it('returns one result per statement for a parameterless multi-statement query, and one for the empty query', async () => {
    const results = (await client.query('SELECT 1 AS a; SELECT 2 AS b; SET search_path = public')) as unknown as Result[];
    expect(results.map((r) => [r.command, r.rows])).toEqual([['SELECT', [{ a: 1 }]], ['SELECT', [{ b: 2 }]], ['SET', []]]);
    const empty = await client.query('');
    expect([empty.command, empty.rows]).toEqual([null, []]);
  });

  it('runs named queries, reuses a name without text, and refuses a name for different text', async () => {
    expect((await client.query({ name: 'pgf_q', text: 'SELECT $1::text AS v', values: ['a'] })).rows).toEqual([{ v: 'a' }]);
    expect((await client.query({ name: 'pgf_q', values: ['b'] })).rows).toEqual([{ v: 'b' }]);
    await expect(client.query({ name: 'pgf_q', text: 'SELECT 2' })).rejects.toThrow("Prepared statements must be unique - 'pgf_q' was used for a different statement");
  });

  it('gives array rows with rowMode array (duplicate names kept)', async () => {
    const res = await client.query({ text: 'SELECT 1 AS a, 2 AS a', rowMode: 'array' });
    expect([res.rows, res.rowAsArray]).toEqual([[[1, 2]], true]);
  });

  it('honours setTypeParser globally, per client and per query, with the text form', async () => {
    const other = new Client(testConfig());
    await other.connect();
    try {
      types.setTypeParser(20, (v: string) => BigInt(v));
      other.setTypeParser(1700, (v: string) => `n:${v}`);
      const res = await other.query('SELECT 7::int8 AS a, 1.50::numeric AS b, 3::int4 AS c');
      expect(res.rows).toEqual([{ a: 7n, b: 'n:1.50', c: 3 }]);
      const perQuery = await other.query({ text: 'SELECT 3::int4 AS c, 7::int8 AS a', types: { getTypeParser: (oid: number) => (oid === 23 ? (v: string) => `i:${v}` : types.getTypeParser(oid)) } });
      expect(perQuery.rows).toEqual([{ c: 'i:3', a: 7n }]);
      expect((await client.query('SELECT 1.50::numeric AS b')).rows).toEqual([{ b: '1.50' }]);
    } finally {
      pg.defaults.parseInt8 = false; // puts pg's own int8 parser back
      await other.end();
    }
    expect((await client.query('SELECT 7::int8 AS a')).rows).toEqual([{ a: '7' }]);
  });

  it('pipelines concurrent queries and settles them in call order; a failing one leaves the rest alone', async () => {
    const order: number[] = [];
    const calls = Array.from({ length: 20 }, (_, i) =>
      client.query(i === 7 ? 'SELECT nope' : 'SELECT $1::int4 AS i', i === 7 ? [] : [i]).then(
        (r) => order.push(r.rows[0].i as number),
        () => order.push(-1),
      ),
    );
    await Promise.all(calls);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? -1 : i)));
  });

  it('query_timeout fails the query with pg\'s message and cancels it on the server', async () => {
    const c = new Client({ ...testConfig(), query_timeout: 200 });
    await c.connect();
    try {
      const err = (await c.query("SELECT pg_sleep(30), 'pgf-timeout-marker'").catch((e: unknown) => e)) as Error;
      expect(err.message).toBe('Query read timeout');
      const running = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pgf-timeout-marker%' AND state = 'active' AND pid <> pg_backend_pid()");
      expect(running.rows[0].n).toBe(0);
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('emits notice and notification events shaped as pg\'s', async () => {
    const noticed = once(client, 'notice');
    await client.query("DO $$ BEGIN RAISE NOTICE 'hello %', 1 USING DETAIL = 'd'; END $$");
    const [notice] = (await noticed) as [{ name: string; message: string; detail: string; severity: string }];
    expect(notice).not.toBeInstanceOf(Error);
    expect([notice.name, notice.message, notice.detail, notice.severity]).toEqual(['notice', 'hello 1', 'd', 'NOTICE']);
    await client.query('LISTEN pgf_chan');
    const notified = once(client, 'notification');
    await client.query("NOTIFY pgf_chan, 'payload'");
    const [msg] = (await notified) as [Notification];
    expect([msg.channel, msg.payload, msg.processId]).toEqual(['pgf_chan', 'payload', client.processID]);
    await client.query('UNLISTEN pgf_chan');
  });

  it('a Query object emits row and end events', async () => {
    const q = client.query(new Query('SELECT generate_series(1, 3) AS n'));
    const rows: unknown[] = [];
    q.on('row', (row) => rows.push(row));
    const [result] = (await once(q, 'end')) as [Result];
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(result.rowCount).toBe(3);
  });

  it('queues queries made before connect(), and connect/end events and callbacks fire once', async () => {
    const c = new Client(testConfig());
    const early = c.query('SELECT 1 AS early');
    const events: string[] = [];
    c.on('connect', () => events.push('connect'));
    c.on('end', () => events.push('end'));
    await new Promise<void>((resolve, reject) => c.connect((err: Error | null) => (err ? reject(err) : resolve())));
    expect((await early).rows).toEqual([{ early: 1 }]);
    expect(typeof c.processID).toBe('number');
    await new Promise<void>((resolve) => c.end(() => resolve()));
    expect(events).toEqual(['connect', 'end']);
  });

  it('refuses a second connect and queries after end with pg\'s messages', async () => {
    const c = new Client(testConfig());
    await c.connect();
    await expect(c.connect()).rejects.toThrow('Client has already been connected. You cannot reuse a client.');
    await c.end();
    await expect(c.query('SELECT 1')).rejects.toThrow('Client was closed and is not queryable');
    const viaCallback = await new Promise<Error | null>((resolve) => c.query('SELECT 1', (err: Error | null) => resolve(err)));
    expect(viaCallback?.message).toBe('Client was closed and is not queryable');
    expect(() => c.query(null as unknown as string)).toThrow('Client was passed a null or undefined query');
  });

  it('reports a killed backend: the running query gets the server error, the client an error event, later queries pg\'s error', async () => {
    const c = new Client(testConfig());
    await c.connect();
    const errored = once(c, 'error');
    const err = (await c.query('SELECT pg_terminate_backend(pg_backend_pid())').catch((e: unknown) => e)) as DatabaseError;
    expect(err.code).toBe('57P01');
    const [event] = (await errored) as [Error];
    expect(event.message).toBe('Connection terminated unexpectedly');
    await expect(c.query('SELECT 1')).rejects.toThrow('Client has encountered a connection error and is not queryable');
    await c.end();
  });

  it('rejects a failed connect through the callback or the promise, and a password function must give a string', async () => {
    const bad = new Client({ ...testConfig(), password: 'wrong' });
    const err = (await bad.connect().catch((e: unknown) => e)) as DatabaseError;
    expect(err.code).toBe('28P01');
    const fn = new Client({ ...testConfig(), password: () => 42 as unknown as string });
    await expect(fn.connect()).rejects.toThrow('Password must be a string');
    const cb = new Client({ ...testConfig(), password: async () => testConfig().password });
    await new Promise<void>((resolve, reject) => cb.connect((e: Error | null) => (e ? reject(e) : resolve())));
    await cb.end();
  });

  it('escapes identifiers and literals as pg does', () => {
    expect(client.escapeIdentifier('a"b')).toBe('"a""b"');
    expect(pg.escapeLiteral("it's \\ here")).toBe(" E'it''s \\\\ here'");
    expect(pg.escapeLiteral('plain')).toBe("'plain'");
  });
});
