import { CompiledQuery, Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPool, InterfaceError, type Connection } from '../../../src/index.js';
import { PgjetDialect, type PgjetKyselyConnection } from '../../../src/integrations/kysely/index.js';
import { testDsn } from '../../support/env.js';

// onCreateConnection is the pool's `init` (once per new connection, before its first query);
// onReserveConnection runs on every hand-over to Kysely.

const backendPid = async (db: Kysely<never>): Promise<number> => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0].pid;

describe('onCreateConnection', () => {
  it('runs once on each new connection, before its first query, with a Kysely connection over it', async () => {
    const created: number[] = [];
    const onCreateConnection = async (connection: PgjetKyselyConnection<Connection>): Promise<void> => {
      created.push(connection.connection.processId);
      // A temporary table lives as long as the session: every later query on this connection can see it.
      await connection.executeQuery(CompiledQuery.raw('CREATE TEMP TABLE made_by_hook AS SELECT pg_backend_pid() AS pid'));
    };
    const db = new Kysely<never>({ dialect: new PgjetDialect({ pool: testDsn(), onCreateConnection }) });
    try {
      // Three Kysely connections held at once are three pool connections; fifteen queries later reuse them.
      let arrived = 0;
      let allIn!: () => void;
      const together = new Promise<void>((resolve) => (allIn = resolve));
      const held = await Promise.all(
        [0, 1, 2].map(() =>
          db.connection().execute(async (conn) => {
            const { pid } = (await sql<{ pid: number }>`SELECT pid FROM made_by_hook`.execute(conn)).rows[0];
            if (++arrived === 3) allIn();
            await together;
            return pid;
          }),
        ),
      );
      expect(new Set(held).size).toBe(3);
      for (let i = 0; i < 15; i++) expect(held).toContain((await sql<{ pid: number }>`SELECT pid FROM made_by_hook`.execute(db)).rows[0].pid);
      expect(created).toHaveLength(3);
    } finally {
      await db.destroy();
    }
  });

  it("runs after the pool settings' own init, on a pool the dialect creates from them", async () => {
    const order: string[] = [];
    const db = new Kysely<never>({
      dialect: new PgjetDialect({
        pool: {
          ...parseDsn(testDsn()),
          maxSize: 1,
          init: async (conn) => {
            order.push(`init ${conn.processId}`);
          },
        },
        onCreateConnection: async (connection) => {
          order.push(`hook ${connection.connection.processId}`);
        },
      }),
    });
    try {
      const pid = await backendPid(db);
      expect(await backendPid(db)).toBe(pid);
      expect(order).toEqual([`init ${pid}`, `hook ${pid}`]);
    } finally {
      await db.destroy();
    }
  });

  it('is refused with a pool made elsewhere (its init is fixed): an InterfaceError saying what to do', async () => {
    const pool = createPool(testDsn());
    try {
      const make = (): PgjetDialect => new PgjetDialect({ pool, onCreateConnection: async () => undefined });
      expect(make).toThrow(InterfaceError);
      expect(make).toThrow(/onCreateConnection needs pool settings/);
    } finally {
      await pool.close();
    }
  });
});

describe('onReserveConnection', () => {
  it('runs on every hand-over; a hook that throws fails the query and returns the connection', async () => {
    const pool = createPool(testDsn(), { maxSize: 1 });
    let calls = 0;
    const db = new Kysely<never>({
      dialect: new PgjetDialect({
        pool,
        onReserveConnection: async (connection) => {
          calls++;
          if (calls === 2) throw new Error('not now');
          await connection.connection.execute('SELECT 1');
        },
      }),
    });
    try {
      await backendPid(db);
      await expect(backendPid(db)).rejects.toThrow('not now');
      await backendPid(db);
      expect(calls).toBe(3);
      expect(pool.stats()).toMatchObject({ borrowed: 0 });
    } finally {
      await db.destroy();
    }
  });
});

/** The parts of a `postgres://user:password@host:port/database` DSN that pool settings take. */
function parseDsn(dsn: string): { host: string; port: number; user: string; password: string; database: string } {
  const url = new URL(dsn);
  return {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
  };
}
