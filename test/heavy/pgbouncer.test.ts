/**
 * pgjet behind a real PgBouncer in transaction pooling mode with `pgbouncer: true`: every query method,
 * transactions, COPY, cursors, cancellation and 20 concurrent connections over 5 server connections, with no
 * "prepared statement … does not exist" (pgjet sends unnamed statements, one Sync per query). Also what
 * `pgbouncer: true` refuses (explicit prepare, LISTEN), the failure it prevents (named statements clashing on a
 * shared server connection), and PgBouncer's refusal of unknown startup parameters (hence `ALTER ROLE … SET`).
 *
 * Skips only when the `pgbouncer` binary is absent, saying so; under `CI=true` that is a failure instead, since
 * CI installs it (scripts/ci/install-extras.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect, createPool, DatabaseError, InterfaceError, TimeoutError, sql, type Connection, type ConnectOptions,
} from '../../src/index.js';
import { startEmbeddedServer, type EmbeddedServer } from '../support/embedded-server.js';
import { findPgBouncer, startPgBouncer, type PgBouncer } from '../support/pgbouncer.js';

const binary = findPgBouncer();
const absent = binary === undefined ? 'pgbouncer is not installed (apt-get install pgbouncer, or scripts/ci/install-extras.sh)' : undefined;
if (absent !== undefined) {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${absent}: the PgBouncer suite must run in CI`);
  console.warn(`test/heavy/pgbouncer.test.ts skipped: ${absent}`);
}

const APP_USER = 'pgjet_app';
const APP_PASSWORD = 'app-password';
let backend: EmbeddedServer;
let bouncer: PgBouncer;

function options(database = 'app', extra: ConnectOptions = {}): ConnectOptions {
  return { host: '127.0.0.1', port: bouncer.port, user: APP_USER, password: APP_PASSWORD, database, pgbouncer: true, ...extra };
}

async function admin<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await connect(backend.dsn, { database: 'bouncer' });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

describe.skipIf(absent !== undefined)(`PgBouncer (transaction mode) ${absent ?? ''}`, () => {
  beforeAll(async () => {
    backend = await startEmbeddedServer({ database: 'bouncer' });
    await admin(async (conn) => {
      await conn.execute(`CREATE ROLE ${APP_USER} LOGIN PASSWORD '${APP_PASSWORD}'`);
      await conn.execute(`CREATE SCHEMA app AUTHORIZATION ${APP_USER}`);
      await conn.execute(`GRANT ALL ON SCHEMA public TO ${APP_USER}`);
      await conn.execute(`ALTER ROLE ${APP_USER} SET search_path = app, public`);
      await conn.execute(`CREATE TABLE app.items (id int PRIMARY KEY, name text, at timestamptz DEFAULT now())`);
      await conn.execute(`ALTER TABLE app.items OWNER TO ${APP_USER}`);
      await conn.execute(`CREATE TYPE app.mood AS ENUM ('sad', 'happy')`);
    });
    bouncer = await startPgBouncer({
      backendPort: backend.port,
      users: { [APP_USER]: APP_PASSWORD },
      databases: [
        { name: 'app', dbname: 'bouncer', poolSize: 5 },
        { name: 'tight', dbname: 'bouncer', poolSize: 1 },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await bouncer?.stop();
    await backend?.stop();
  });

  it('runs every query method', async () => {
    const conn = await connect(options());
    try {
      expect(await conn.fetchVal('SELECT current_user')).toBe(APP_USER);
      await conn.execute('TRUNCATE items');
      expect(await conn.execute('INSERT INTO items(id, name) VALUES ($1, $2)', [1, 'one'])).toBe('INSERT 0 1');
      await conn.executeMany('INSERT INTO items(id, name) VALUES ($1, $2)', [[2, 'two'], [3, 'three']]);
      const made = await conn.fetchMany<{ id: number }>('INSERT INTO items(id, name) VALUES ($1, $2) RETURNING id', [[4, 'four'], [5, 'five']]);
      expect(made.map((r) => r.id)).toEqual([4, 5]);
      expect(await conn.fetch('SELECT id, name FROM items WHERE id = ANY($1) ORDER BY id', [[1, 2]])).toEqual([
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ]);
      expect(await conn.fetchRow('SELECT name FROM items WHERE id = $1', [3])).toEqual({ name: 'three' });
      const result = await conn.query('SELECT count(*)::int AS n FROM items');
      expect(result).toMatchObject({ command: 'SELECT', rowCount: 1, rows: [{ n: 5 }] });
      expect(await conn.fetchVal(sql`SELECT name FROM items WHERE id = ${5}`)).toBe('five');
      await conn.execute('CREATE TEMP TABLE IF NOT EXISTS scratch(x int); DROP TABLE scratch');
      // The same SQL many times: with statement caching this would name statements on shifting server connections.
      for (let i = 0; i < 50; i++) expect(await conn.fetchVal('SELECT $1::int + 1', [i])).toBe(i + 1);
    } finally {
      await conn.close();
    }
  });

  it('loads user types and infers untypable parameters (paths that end a batch early) through the pooler', async () => {
    const conn = await connect(options());
    try {
      expect(await conn.fetchVal("SELECT 'happy'::mood")).toBe('happy');
      expect(await conn.fetch('SELECT $1::mood[] AS m', [['sad', 'happy']])).toEqual([{ m: ['sad', 'happy'] }]);
      expect(await conn.fetchVal('SELECT $1 IS NULL', [null])).toBe(true);
      expect(await conn.fetchVal('SELECT $1 IS NULL', [5n])).toBe(false);
    } finally {
      await conn.close();
    }
  });

  it('runs transactions (commit, rollback, savepoints) on one server connection', async () => {
    const conn = await connect(options());
    try {
      await conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO items(id, name) VALUES ($1, $2)', [10, 'ten']);
        await tx.transaction(async (sp) => {
          await sp.execute('INSERT INTO items(id, name) VALUES ($1, $2)', [11, 'eleven']);
        });
        await expect(tx.transaction(async (sp) => {
          await sp.execute('INSERT INTO items(id, name) VALUES ($1, $2)', [12, 'twelve']);
          throw new Error('undo the savepoint');
        })).rejects.toThrow('undo the savepoint');
      });
      await expect(conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO items(id, name) VALUES ($1, $2)', [13, 'thirteen']);
        throw new Error('roll back');
      })).rejects.toThrow('roll back');
      expect(await conn.fetch<{ id: number }>('SELECT id FROM items WHERE id >= 10 ORDER BY id')).toEqual([{ id: 10 }, { id: 11 }]);
    } finally {
      await conn.close();
    }
  });

  it('runs COPY in and out, and cursors', async () => {
    const conn = await connect(options());
    try {
      await conn.execute('DELETE FROM items WHERE id >= 100');
      expect(await conn.copyRecordsToTable('items', { records: [[100, 'c100'], [101, 'c101']], columns: ['id', 'name'] })).toBe('COPY 2');
      expect(await conn.copyToTable('items', { source: ['102,c102\n', '103,c103\n'], format: 'csv', columns: ['id', 'name'] })).toBe('COPY 2');
      const chunks: Buffer[] = [];
      await conn.copyFromQuery('SELECT id, name FROM items WHERE id >= $1 ORDER BY id', [100], { output: (c) => void chunks.push(c), format: 'csv' });
      expect(Buffer.concat(chunks).toString()).toBe('100,c100\n101,c101\n102,c102\n103,c103\n');
      const seen: number[] = [];
      for await (const row of conn.cursor<{ id: number }>('SELECT id FROM items WHERE id >= $1 ORDER BY id', [100], { prefetch: 1 })) seen.push(row.id);
      expect(seen).toEqual([100, 101, 102, 103]);
    } finally {
      await conn.close();
    }
  });

  it('cancels through PgBouncer: a timed-out query is cancelled and the connection stays usable', async () => {
    const conn = await connect(options());
    try {
      await expect(conn.fetch('SELECT pg_sleep(10)', [], { timeout: 300 })).rejects.toBeInstanceOf(TimeoutError);
      expect(await conn.fetchVal('SELECT 1')).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('refuses explicit prepare() and LISTEN with a clear InterfaceError', async () => {
    const conn = await connect(options());
    try {
      await expect(conn.prepare('SELECT 1')).rejects.toThrow(InterfaceError);
      await expect(conn.prepare('SELECT 1')).rejects.toThrow(/pgbouncer: true/);
      const listened = conn.listen('events', () => undefined);
      await expect(listened).rejects.toBeInstanceOf(InterfaceError);
      await expect(listened).rejects.toThrow(/transaction-mode pooler/);
    } finally {
      await conn.close();
    }
  });

  it('20 connections × interleaved queries over 5 server connections: no statement errors', async () => {
    const conns = await Promise.all(Array.from({ length: 20 }, () => connect(options())));
    const errors: unknown[] = [];
    try {
      await Promise.all(conns.map(async (conn, c) => {
        for (let i = 0; i < 40; i++) {
          const queries = [
            conn.fetchVal<number>('SELECT $1::int * 2', [i]).then((v) => expect(v).toBe(i * 2)),
            conn.fetch('SELECT id FROM items WHERE id < $1', [c]),
            conn.fetchVal(`SELECT ${c % 7} + $1::int`, [i]),
            conn.transaction(async (tx) => tx.fetchVal('SELECT count(*) FROM items')),
          ];
          for (const r of await Promise.allSettled(queries)) if (r.status === 'rejected') errors.push(r.reason);
        }
      }));
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('a pool with pgbouncer: true serves concurrent work', async () => {
    const pool = createPool({ ...options(), minSize: 2, maxSize: 20 });
    try {
      const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.fetchVal<number>('SELECT $1::int + $2::int', [i, 1])));
      expect(sums).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      await pool.transaction(async (tx) => {
        await tx.execute('SET LOCAL statement_timeout = 1000');
        expect(await tx.fetchVal('SHOW statement_timeout')).toBe('1s');
      });
    } finally {
      await pool.close();
    }
  });

  it('without pgbouncer: true, cached named statements clash on a shared server connection (what the option prevents)', async () => {
    const a = await connect(options('tight', { pgbouncer: false }));
    const b = await connect(options('tight', { pgbouncer: false }));
    try {
      // Both connections name their first cached statement alike; PgBouncer runs both on its one server connection.
      await a.fetchVal('SELECT 1 + $1::int', [1]);
      const err = await b.fetchVal('SELECT 2 + $1::int', [1]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseError);
      expect((err as DatabaseError).message).toMatch(/prepared statement .* already exists/);
      const c = await connect(options('tight'));
      expect(await c.fetchVal('SELECT 3 + $1::int', [1])).toBe(4);
      await c.close();
    } finally {
      a.terminate();
      b.terminate();
    }
  });

  it('left PgBouncer no server answer without a client to take it (no pipelining past a ReadyForQuery)', () => {
    expect(bouncer.log()).not.toMatch(/when not linked/);
  });

  it('rejects unknown startup parameters (search_path): set them with ALTER ROLE … SET instead', async () => {
    const err = await connect(options('app', { serverSettings: { search_path: 'app' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as Error).message).toMatch(/unsupported startup parameter: search_path/);
    const conn = await connect(options('app', { serverSettings: { application_name: 'through-bouncer' } }));
    expect(await conn.fetchVal('SHOW search_path')).toBe('app, public');
    expect(await conn.fetchVal('SHOW application_name')).toBe('through-bouncer');
    await conn.close();
  });
});
