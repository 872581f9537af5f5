/**
 * `npm start`: the asyncpg practical guide's walk-through, step by step, in pgjet, against an embedded
 * PostgreSQL started for the occasion (no setup needed). Each step prints what it did.
 */
import { Kysely, type Generated } from 'kysely';
import { connect, createPool, type Connection } from '../src/index.js';
import { PgjetDialect } from '../src/integrations/kysely/index.js';
import { startEmbeddedServer } from '../test/support/embedded-server.js';

function step(title: string): void {
  console.log(`\n== ${title}`);
}

async function main(): Promise<void> {
  step('Starting an embedded PostgreSQL');
  const server = await startEmbeddedServer();
  console.log(`server ready at ${server.dsn.replace(/:[^:@/]*@/, ':***@')}`);
  let conn: Connection | undefined;
  try {
    step('connect (asyncpg.connect(user=…, host=…))');
    const { user, password, host, port, database } = server;
    conn = await connect({ user, password, host, port, database });
    console.log(`connected to PostgreSQL ${conn.serverVersion}, backend pid ${conn.processId}`);

    step('create the users and logs tables');
    await conn.execute(`
      CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, name text NOT NULL);
      CREATE TABLE IF NOT EXISTS logs (id serial PRIMARY KEY, action text NOT NULL, at timestamptz DEFAULT now());
    `);
    console.log('created users(id, name) and logs(id, action, at)');

    step("execute: INSERT INTO users(name) VALUES($1), 'Alice'");
    const tag = await conn.execute('INSERT INTO users(name) VALUES ($1)', ['Alice']);
    console.log(`command tag: ${tag}`);

    step('executeMany: a batch insert in one pipeline');
    await conn.executeMany('INSERT INTO users(name) VALUES ($1)', [['Bob'], ['Carol'], ['Dan']]);
    console.log('inserted Bob, Carol and Dan atomically');

    step('fetch: SELECT id, name FROM users');
    const rows = await conn.fetch<{ id: number; name: string }>('SELECT id, name FROM users ORDER BY id');
    for (const row of rows) console.log(`  ${row.id} ${row.name}`);

    step('fetchRow: SELECT * FROM users WHERE id=$1, 1');
    const first = await conn.fetchRow<{ id: number; name: string }>('SELECT * FROM users WHERE id = $1', [1]);
    console.log(`  row.id=${first?.id} row.name=${first?.name}`);

    step('fetchVal: SELECT COUNT(*) FROM users');
    const count = await conn.fetchVal<bigint>('SELECT COUNT(*) FROM users');
    console.log(`  count = ${count} (int8 arrives as a lossless bigint)`);

    step('no N+1: SELECT * FROM users WHERE id = ANY($1)');
    const some = await conn.fetch<{ id: number; name: string }>('SELECT * FROM users WHERE id = ANY($1) ORDER BY id', [[1, 2, 3]]);
    console.log(`  ${some.map((r) => `${r.id}:${r.name}`).join(', ')}`);

    step('transaction: create a user and its audit log atomically (async with conn.transaction())');
    await conn.transaction(async (tx) => {
      await tx.execute('INSERT INTO users(name) VALUES ($1)', ['Erin']);
      await tx.execute('INSERT INTO logs(action) VALUES ($1)', ['create_user']);
    });
    console.log(`  committed: users=${await conn.fetchVal('SELECT count(*) FROM users')}, logs=${await conn.fetchVal('SELECT count(*) FROM logs')}`);
    const failed = await conn
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO users(name) VALUES ($1)', ['Frank']);
        await tx.execute('INSERT INTO logs(action) VALUES ($1)', [null]); // violates NOT NULL: the whole unit rolls back
      })
      .catch((err: Error) => err);
    console.log(`  a failing transaction rolled back (${failed?.constructor.name}): Frank present? ${(await conn.fetchVal('SELECT count(*) FROM users WHERE name = $1', ['Frank'])) !== 0n}`);

    step('pool: createPool({ minSize: 5, maxSize: 20 }) and acquire');
    const pool = createPool({ user, password, host, port, database, minSize: 5, maxSize: 20 });
    await pool.ready();
    console.log(`  pool ready: ${JSON.stringify(pool.stats())}`);
    // In TypeScript >= 5.2 (or tsx): `await using c = await pool.acquire()`; withConnection is the callback form.
    const names = await pool.withConnection(async (c) => c.fetch<{ name: string }>('SELECT name FROM users ORDER BY id'));
    console.log(`  borrowed a connection, read ${names.length} users, released it: ${JSON.stringify(pool.stats())}`);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => pool.fetchVal<number>('SELECT $1::int4', [i])));
    console.log(`  50 concurrent pool.fetchVal calls on at most 20 connections: sum=${many.reduce<number>((a, b) => a + (b ?? 0), 0)}`);
    step('SQLAlchemy 2.x (create_async_engine("postgresql+asyncpg://…")) → Kysely on the same pool');
    // Typed models of the same tables; Kysely builds the SQL, pgjet runs it on the pool above.
    interface Db {
      users: { id: Generated<number>; name: string };
      logs: { id: Generated<number>; action: string; at: Generated<Date> };
    }
    const db = new Kysely<Db>({ dialect: new PgjetDialect({ pool, closePoolOnDestroy: false }) });
    const grace = await db.transaction().execute(async (trx) => {
      const created = await trx.insertInto('users').values({ name: 'Grace' }).returning(['id', 'name']).executeTakeFirstOrThrow();
      await trx.insertInto('logs').values({ action: 'create_user' }).execute();
      return created;
    });
    console.log(`  typed insert … returning, with its audit log, in one transaction: ${grace.id}:${grace.name}`);
    const picked = await db.selectFrom('users').select(['id', 'name']).where('id', '=', (eb) => eb.fn.any(eb.val([1, 2, grace.id]))).orderBy('id').execute();
    console.log(`  selectFrom … where id = ANY(…): ${picked.map((r) => `${r.id}:${r.name}`).join(', ')}`);
    const perAction = await db.selectFrom('logs').select(['action', (eb) => eb.fn.countAll<bigint>().as('n')]).groupBy('action').execute();
    console.log(`  logs per action: ${perAction.map((r) => `${r.action}=${r.n}`).join(', ')}`);
    await db.destroy(); // closePoolOnDestroy: false leaves the shared pool to its owner
    await pool.close();
    console.log('  pool closed (graceful: waits for borrowed connections)');

    step('close');
    await conn.close();
    conn = undefined;
    console.log('connection closed');
  } finally {
    if (conn !== undefined) await conn.close().catch(() => undefined);
    await server.stop();
    console.log('\nembedded PostgreSQL stopped');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
