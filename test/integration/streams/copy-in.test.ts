/**
 * COPY into tables: binary records (copyRecordsToTable) and raw streams (copyToTable), with the faults of
 * issue 6: bad records, failing sources, timeouts. Every failure must leave the table untouched and the
 * connection usable.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError, InterfaceError, QueryCanceledError, TimeoutError, AbortError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;
let dir: string;

beforeAll(async () => {
  conn = await connect(testDsn());
  dir = await mkdtemp(join(tmpdir(), 'pgjet-copy-in-'));
  await conn.execute(`
    DROP TABLE IF EXISTS ci_types, ci_big, ci_csv, ci_people;
    CREATE TABLE ci_types (
      i4 int4, i8 int8, t text, f8 float8, num numeric, ts timestamptz, b bytea, j jsonb, ok bool, u uuid,
      ia int4[], ta text[], d date
    );
    CREATE TABLE ci_big (id int4 PRIMARY KEY, label text, v float8);
    CREATE TABLE ci_csv (id int4, name text, note text);
    CREATE TABLE ci_people (id int4 NOT NULL, name varchar(5), born date, tag text GENERATED ALWAYS AS ('p' || id) STORED);
  `);
});

afterAll(async () => {
  await conn.execute('DROP TABLE IF EXISTS ci_types, ci_big, ci_csv, ci_people');
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

async function count(table: string): Promise<bigint> {
  return (await conn.fetchVal<bigint>(`SELECT count(*) FROM ${table}`)) ?? -1n;
}

describe('copyRecordsToTable (binary COPY)', () => {
  it('round-trips many types, NULLs included', async () => {
    const when = new Date('2024-02-29T12:34:56.789Z');
    const records = [
      [1, 9007199254740993n, "it's \"quoted\"\n", 1.5, '12345678901234567890.123456789', when, Buffer.from([0, 1, 255]),
        { a: [1, 'x'], b: null }, true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', [1, null, 3], ['x', 'y z'], '2024-02-29'],
      [-2, -1n, 'ünïcödé ✓', -0.25, 'NaN', new Date(0), Buffer.alloc(0), [1, 2], false, '00000000-0000-0000-0000-000000000000', [], [], '0044-03-15 BC'],
      [null, null, null, null, null, null, null, null, null, null, null, null, null],
    ];
    expect(await conn.copyRecordsToTable('ci_types', { records })).toBe('COPY 3');
    const rows = await conn.fetch('SELECT * FROM ci_types ORDER BY i4 NULLS LAST', [], { rowMode: 'array' });
    expect(rows[0]).toEqual([-2, -1n, 'ünïcödé ✓', -0.25, 'NaN', new Date(0), Buffer.alloc(0), [1, 2], false, '00000000-0000-0000-0000-000000000000', [], [], '0044-03-15 BC']);
    expect(rows[1]).toEqual(records[0]);
    expect(rows[2]).toEqual(records[2]);
  });

  it('takes objects keyed by column name, a column subset and a schema name', async () => {
    const tag = await conn.copyRecordsToTable('ci_people', {
      schemaName: 'public',
      columns: ['id', 'name'],
      records: [{ id: 1, name: 'Ann' }, { name: 'Bob', id: 2 }],
    });
    expect(tag).toBe('COPY 2');
    expect(await conn.fetch('SELECT id, name, born, tag FROM ci_people ORDER BY id')).toEqual([
      { id: 1, name: 'Ann', born: null, tag: 'p1' },
      { id: 2, name: 'Bob', born: null, tag: 'p2' },
    ]);
  });

  it('without columns copies every column except generated ones', async () => {
    await conn.copyRecordsToTable('ci_people', { records: [[3, 'Cy', '2000-01-01']] });
    expect(await conn.fetchRow('SELECT * FROM ci_people WHERE id = 3')).toEqual({ id: 3, name: 'Cy', born: '2000-01-01', tag: 'p3' });
  });

  it('streams 100k rows from an async generator', async () => {
    async function* gen(): AsyncGenerator<unknown[]> {
      for (let i = 0; i < 100_000; i++) yield [i, `row ${i}`, i / 7];
    }
    expect(await conn.copyRecordsToTable('ci_big', { records: gen() })).toBe('COPY 100000');
    const r = await conn.fetchRow<{ n: bigint; s: bigint }>('SELECT count(*) AS n, sum(id) AS s FROM ci_big');
    expect(r).toEqual({ n: 100_000n, s: 4_999_950_000n });
    expect(await conn.fetchVal('SELECT label FROM ci_big WHERE id = 99999')).toBe('row 99999');
  });

  it('a record with the wrong number of fields: DataError naming record and column, nothing written', async () => {
    await conn.execute('TRUNCATE ci_csv');
    const records = [[1, 'a', 'x'], [2, 'b', 'y'], [3, 'c']];
    const err = await conn.copyRecordsToTable('ci_csv', { records }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/record 2/);
    expect((err as Error).message).toMatch(/"note"/);
    expect(err).toMatchObject({ recordIndex: 2, column: 'note' });
    expect(await count('ci_csv')).toBe(0n);
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });

  it('a value that does not fit its column: DataError naming record and column, nothing written', async () => {
    await conn.execute('TRUNCATE ci_csv');
    // Enough good rows that earlier chunks already reached the server before the bad one.
    const records: unknown[][] = [];
    for (let i = 0; i < 20_000; i++) records.push([i, `name ${i}`, 'n']);
    records.push([2 ** 40, 'too big', 'n']);
    const err = await conn.copyRecordsToTable('ci_csv', { records }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/record 20000, column "id" \(int4\)/);
    expect(await count('ci_csv')).toBe(0n);
    const bad = await conn.copyRecordsToTable('ci_csv', { records: [[1, 'ok', 'n'], ['seven', 'x', 'n']] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DataError);
    expect((bad as Error).message).toMatch(/record 1, column "id"/);
    const undef = await conn.copyRecordsToTable('ci_csv', { records: [{ id: 1, name: 'a' }], columns: ['id', 'name', 'note'] }).catch((e: unknown) => e);
    expect(undef).toBeInstanceOf(DataError);
    expect((undef as Error).message).toMatch(/record 0, column "note".*undefined/);
    expect(await count('ci_csv')).toBe(0n);
  });

  it('a value the server rejects (varchar(5) overflow) fails the whole COPY', async () => {
    await conn.execute('DELETE FROM ci_people');
    const err = await conn.copyRecordsToTable('ci_people', { columns: ['id', 'name'], records: [[10, 'fine'], [11, 'far too long']] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '22001' });
    expect(await count('ci_people')).toBe(0n);
  });

  it('an async source that throws midway aborts the COPY with CopyFail; its error surfaces', async () => {
    await conn.execute('TRUNCATE ci_big');
    const boom = new Error('source exploded');
    async function* gen(): AsyncGenerator<unknown[]> {
      for (let i = 0; i < 30_000; i++) yield [i, 'x', 0];
      throw boom;
    }
    await expect(conn.copyRecordsToTable('ci_big', { records: gen() })).rejects.toBe(boom);
    expect(await count('ci_big')).toBe(0n);
    expect(await conn.fetchVal('SELECT 2')).toBe(2);
  });

  it('rejects unknown tables and columns with the server error, and bad options with InterfaceError', async () => {
    await expect(conn.copyRecordsToTable('ci_nope', { records: [] })).rejects.toMatchObject({ code: '42P01' });
    await expect(conn.copyRecordsToTable('ci_csv', { columns: ['nope'], records: [] })).rejects.toMatchObject({ code: '42703' });
    await expect(conn.copyRecordsToTable('ci_csv', { records: 5 as never })).rejects.toBeInstanceOf(InterfaceError);
    expect(await conn.copyRecordsToTable('ci_csv', { records: [] })).toBe('COPY 0');
  });

  it('quotes identifiers (a table name with a quote and a dot)', async () => {
    await conn.execute('CREATE TEMP TABLE "we""ird.name" ("Col" int4)');
    expect(await conn.copyRecordsToTable('we"ird.name', { columns: ['Col'], records: [[7]] })).toBe('COPY 1');
    expect(await conn.fetchVal('SELECT "Col" FROM "we""ird.name"')).toBe(7);
  });
});

describe('copyToTable (streams)', () => {
  const csv = 'id,name,note\n1,Alice,"has, comma"\n2,Bob,\n3,"Quote ""q""",x\n';

  it('CSV from a Readable', async () => {
    await conn.execute('TRUNCATE ci_csv');
    const source = Readable.from([csv.slice(0, 10), Buffer.from(csv.slice(10))]);
    expect(await conn.copyToTable('ci_csv', { source, format: 'csv', header: true })).toBe('COPY 3');
    expect(await conn.fetch('SELECT * FROM ci_csv ORDER BY id')).toEqual([
      { id: 1, name: 'Alice', note: 'has, comma' },
      { id: 2, name: 'Bob', note: null },
      { id: 3, name: 'Quote "q"', note: 'x' },
    ]);
  });

  it('CSV from a file path, with columns, delimiter and null options', async () => {
    await conn.execute('TRUNCATE ci_csv');
    const file = join(dir, 'people.csv');
    await writeFile(file, 'Zed;9\nNone;\\N\n');
    const tag = await conn.copyToTable('ci_csv', { source: file, format: 'csv', columns: ['name', 'id'], delimiter: ';', null: '\\N' });
    expect(tag).toBe('COPY 2');
    expect(await conn.fetch('SELECT name, id FROM ci_csv ORDER BY name')).toEqual([{ name: 'None', id: null }, { name: 'Zed', id: 9 }]);
  });

  it('text format from an async iterable of strings, and a WHERE filter', async () => {
    await conn.execute('TRUNCATE ci_csv');
    async function* lines(): AsyncGenerator<string> {
      for (let i = 0; i < 1000; i++) yield `${i}\tname ${i}\t\\N\n`;
    }
    expect(await conn.copyToTable('ci_csv', { source: lines(), where: 'id % 2 = 0' })).toBe('COPY 500');
  });

  it('a large Readable (several MB) in many chunks', async () => {
    await conn.execute('TRUNCATE ci_big');
    const source = Readable.from((function* () {
      for (let i = 0; i < 200_000; i++) yield `${i},label ${i},${i * 0.5}\n`;
    })());
    expect(await conn.copyToTable('ci_big', { source, format: 'csv' })).toBe('COPY 200000');
  });

  it('a Readable that errors midway: CopyFail, the error surfaces, nothing written', async () => {
    await conn.execute('TRUNCATE ci_csv');
    const boom = new Error('disk on fire');
    let sent = 0;
    const source = new Readable({
      read() {
        sent++;
        if (sent > 50) this.destroy(boom);
        else this.push(`${sent},n,x\n`);
      },
    });
    await expect(conn.copyToTable('ci_csv', { source, format: 'csv' })).rejects.toBe(boom);
    expect(await count('ci_csv')).toBe(0n);
  });

  it('bad data: the server error surfaces, nothing written, connection fine', async () => {
    await conn.execute('TRUNCATE ci_csv');
    const err = await conn.copyToTable('ci_csv', { source: ['1,a,b\n', 'oops,b,c\n'], format: 'csv' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '22P02' });
    expect(await count('ci_csv')).toBe(0n);
  });

  it('a missing file rejects with the fs error (as a path, or a stream that fails before the COPY starts)', async () => {
    await expect(conn.copyToTable('ci_csv', { source: join(dir, 'missing.csv'), format: 'csv' })).rejects.toMatchObject({ code: 'ENOENT' });
    // Queued behind a slow query, the COPY starts well after the stream has failed to open.
    const slow = conn.fetch('SELECT pg_sleep(0.2)');
    const early = createReadStream(join(dir, 'missing.csv'));
    await expect(conn.copyToTable('ci_csv', { source: early, format: 'csv' })).rejects.toMatchObject({ code: 'ENOENT' });
    await slow;
    expect(await conn.fetchVal('SELECT 3')).toBe(3);
  });

  it('a stalled source times out: TimeoutError caused by 57014, nothing written, connection usable', async () => {
    await conn.execute('TRUNCATE ci_csv');
    async function* stalls(): AsyncGenerator<string> {
      yield '1,a,b\n';
      await new Promise((r) => setTimeout(r, 5_000));
      yield '2,a,b\n';
    }
    const err = await conn.copyToTable('ci_csv', { source: stalls(), format: 'csv', timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).cause).toBeInstanceOf(QueryCanceledError);
    expect(await count('ci_csv')).toBe(0n);
  });

  it('an abort during COPY, and an abort before it is sent', async () => {
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<string> {
      yield '1,a,b\n';
      controller.abort(new Error('user gave up'));
      await new Promise((r) => setTimeout(r, 1000));
      yield '2,a,b\n';
    }
    const err = await conn.copyToTable('ci_csv', { source: slow(), format: 'csv', signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(await count('ci_csv')).toBe(0n);
    const early = await conn.copyToTable('ci_csv', { source: ['1,a,b\n'], format: 'csv', signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(AbortError);
    expect((early as AbortError).safeToRetry).toBe(true);
  });

  it('calls made during a COPY wait for it (the COPY holds the connection)', async () => {
    await conn.execute('TRUNCATE ci_csv');
    async function* lines(): AsyncGenerator<string> {
      for (let i = 0; i < 100; i++) {
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
        yield `${i},n,x\n`;
      }
    }
    const copy = conn.copyToTable('ci_csv', { source: lines(), format: 'csv' });
    const during = conn.fetchVal('SELECT count(*) FROM ci_csv');
    expect(await copy).toBe('COPY 100');
    expect(await during).toBe(100n);
  });
});
