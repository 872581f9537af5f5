/**
 * COPY out of the server: into files, Writables and functions, as an async iterable, with server-rendered
 * arguments; and the faults of issue 6: an output that errors or is destroyed cancels the COPY and the
 * connection recovers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, InterfaceError, QueryCanceledError, TimeoutError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;
let dir: string;

beforeAll(async () => {
  conn = await connect(testDsn());
  dir = await mkdtemp(join(tmpdir(), 'pgjet-copy-out-'));
  await conn.execute(`
    DROP TABLE IF EXISTS co_people;
    CREATE TABLE co_people (id int4, name text, org text);
    INSERT INTO co_people VALUES (1, 'Alice', 'acme'), (2, 'Bob, Jr.', 'acme'), (3, 'O''Hara', 'it''s $1'), (4, NULL, 'other');
  `);
});

afterAll(async () => {
  await conn.execute('DROP TABLE IF EXISTS co_people');
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

/** A Writable that collects what it receives. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

describe('copyFromTable / copyFromQuery', () => {
  it('copyFromTable to a file, as CSV with a header', async () => {
    const file = join(dir, 'people.csv');
    expect(await conn.copyFromTable('co_people', { output: file, format: 'csv', header: true })).toBe('COPY 4');
    expect(await readFile(file, 'utf8')).toBe('id,name,org\n1,Alice,acme\n2,"Bob, Jr.",acme\n3,O\'Hara,it\'s $1\n4,,other\n');
  });

  it('copyFromTable to a Writable, ended before the call resolves; columns and text format', async () => {
    const out = collector();
    let finished = false;
    out.stream.on('finish', () => {
      finished = true;
    });
    expect(await conn.copyFromTable('co_people', { output: out.stream, columns: ['name', 'id'], schemaName: 'public' })).toBe('COPY 4');
    expect(finished).toBe(true);
    expect(out.text()).toBe('Alice\t1\nBob, Jr.\t2\nO\'Hara\t3\n\\N\t4\n');
  });

  it('copyFromTable to an async function', async () => {
    const parts: string[] = [];
    const tag = await conn.copyFromTable('co_people', {
      format: 'csv',
      forceQuote: '*',
      output: async (chunk) => {
        await new Promise((r) => setTimeout(r, 1));
        parts.push(chunk.toString());
      },
    });
    expect(tag).toBe('COPY 4');
    expect(parts.join('')).toContain('"1","Alice","acme"');
  });

  it('copyFromQuery with arguments rendered by the server (quotes, $1 inside a literal)', async () => {
    const out = collector();
    const tag = await conn.copyFromQuery(
      "SELECT id, name, '$1 stays' AS lit, $2::int4 AS n FROM co_people /* $1 in a comment */ WHERE org = $1 -- and $2 here\n ORDER BY id;",
      ["it's $1", 42],
      { output: out.stream, format: 'csv' },
    );
    expect(tag).toBe('COPY 1');
    expect(out.text()).toBe("3,O'Hara,$1 stays,42\n");
  });

  it('copyFromQuery with NULL, arrays, bytea and dates as arguments', async () => {
    const out = collector();
    await conn.copyFromQuery(
      'SELECT $1::text IS NULL, $2::int4[], $3::bytea, $4::timestamptz, "co_people".id FROM co_people WHERE id = ANY($2)',
      [null, [1, 2], Buffer.from([1, 2]), new Date('2024-01-02T03:04:05Z')],
      { output: out.stream, format: 'csv' },
    );
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^t,"\{1,2\}",\\x0102,2024-01-02 03:04:05\+00,1$/);
  });

  it('copyFromQuery with a sql`` fragment', async () => {
    const { sql } = await import('../../../src/index.js');
    const out = collector();
    await conn.copyFromQuery(sql`SELECT name FROM co_people WHERE id = ${2}`, undefined, { output: out.stream, format: 'csv' });
    expect(out.text()).toBe('"Bob, Jr."\n');
  });

  it('wrong argument count is an InterfaceError; bad SQL the server error; the connection is fine', async () => {
    const out = collector();
    await expect(conn.copyFromQuery('SELECT $1::int4', [], { output: out.stream })).rejects.toMatchObject({ code: '42P02' });
    await expect(conn.copyFromQuery('SELECT $1::int4', [1, 2], { output: collector().stream })).rejects.toBeInstanceOf(InterfaceError);
    await expect(conn.copyFromQuery('SELEKT 1', [], { output: collector().stream })).rejects.toMatchObject({ code: '42601' });
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });
});

describe('copyOut (async iterable)', () => {
  it('yields Buffer chunks holding all the data', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of conn.copyOut('SELECT g, repeat($1, 20) FROM generate_series(1, 50000) g', ['ab'], { format: 'csv' })) {
      expect(Buffer.isBuffer(chunk)).toBe(true);
      chunks.push(chunk);
    }
    const lines = Buffer.concat(chunks).toString().trim().split('\n');
    expect(lines).toHaveLength(50000);
    expect(lines[49999]).toBe(`50000,${'ab'.repeat(20)}`);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('a slow consumer gets everything; breaking early cancels and the connection works', async () => {
    let n = 0;
    // Endless unless cancelled (see ENDLESS below): the loop's break must cancel it.
    for await (const chunk of conn.copyOut('SELECT generate_series(1, 1000000000000)')) {
      n += chunk.length;
      await new Promise((r) => setTimeout(r, 5));
      if (n > 200_000) break;
    }
    expect(await conn.fetchVal('SELECT 42')).toBe(42);
  });

  it('binary format', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of conn.copyOut('SELECT 1::int4', [], { format: 'binary' })) chunks.push(chunk);
    const data = Buffer.concat(chunks);
    expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  });
});

describe('COPY out faults', () => {
  // A set-returning function in the target list streams (ProjectSet) instead of materialising: this COPY
  // never ends unless it is cancelled, so each test below hangs if the cancel does not happen.
  const ENDLESS = 'SELECT generate_series(1, 1000000000000), md5(random()::text)';

  it('an output stream that errors midway cancels the COPY; the connection recovers', async () => {
    let written = 0;
    const boom = new Error('disk full');
    const output = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > 300_000) cb(boom);
        else setTimeout(cb, 1);
      },
    });
    output.on('error', () => undefined);
    const started = Date.now();
    const err = await conn.copyFromQuery(ENDLESS, [], { output }).catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await conn.fetchVal('SELECT 7')).toBe(7);
    // The backend is idle again (not still producing the cancelled COPY).
    const state = await conn.fetchVal("SELECT state FROM pg_stat_activity WHERE pid = pg_backend_pid()");
    expect(state).toBe('active');
  });

  it('an output stream destroyed during the COPY cancels it; the connection recovers', async () => {
    const output = new PassThrough({ highWaterMark: 1024 });
    let received = 0;
    output.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > 100_000) output.destroy();
    });
    const err = await conn.copyFromTable('co_people', { output: collector().stream }).then(() =>
      conn.copyFromQuery(ENDLESS, [], { output })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await conn.fetchVal('SELECT 8')).toBe(8);
  });

  it('an output function that throws cancels the COPY with its error', async () => {
    const boom = new Error('consumer failed');
    let calls = 0;
    const err = await conn.copyFromQuery(ENDLESS, [], {
      output: () => {
        if (++calls === 3) throw boom;
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(await conn.fetchVal('SELECT 9')).toBe(9);
  });

  it('a timeout during COPY out: TimeoutError caused by 57014, connection usable', async () => {
    const err = await conn.copyFromQuery('SELECT pg_sleep(5)', [], { output: collector().stream, timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).cause).toBeInstanceOf(QueryCanceledError);
    expect(await conn.fetchVal('SELECT 10')).toBe(10);
  });
});
