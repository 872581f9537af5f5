/**
 * `npm run bench:service`: loads GET /users?ids=… of the users service with autocannon, once on pgjet and once
 * on node-postgres (the same routes, SQL, pool size and search_path; only the data layer differs), and prints
 * requests per second and latency for each. Uses DATABASE_URL when set, else an embedded PostgreSQL.
 *
 * Each service runs in a child process of its own (this file with `serve <driver>`), so autocannon's load
 * generation does not share the service's event loop.
 *
 * Options (environment): BENCH_SECONDS (default 5 per driver), BENCH_CONNECTIONS (HTTP connections, default 50),
 * BENCH_POOL (database connections per pool, default 10), BENCH_IDS (ids per request, default 20).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { connect } from '../../src/index.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../test/support/embedded-server.js';
import { buildApp } from './app.js';
import { setupServices } from './setup.js';
import { createPgjetStore, createUsersPool, type UsersStore } from './store.js';
import { createPgStore, createPgUsersPool } from './store-pg.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const POOL_SIZE = Number(process.env.BENCH_POOL ?? 10);
const IDS_PER_REQUEST = Number(process.env.BENCH_IDS ?? 20);
const USERS = 10_000;

/** Inserts USERS users (as the service role, through its own schema) unless they are there already. */
async function seed(usersDsn: string): Promise<void> {
  const conn = await connect(usersDsn, { serverSettings: { search_path: 'users_svc' } });
  try {
    const have = (await conn.fetchVal<bigint>('SELECT count(*) FROM users')) ?? 0n;
    if (have >= BigInt(USERS)) return;
    await conn.execute(
      "INSERT INTO users (name, email) SELECT 'user ' || g, 'user' || g || '@bench.example' FROM generate_series($1::int, $2::int) g",
      [Number(have) + 1, USERS],
    );
  } finally {
    await conn.close();
  }
}

/** A path asking for IDS_PER_REQUEST random ids, so requests differ (the SQL text, and so the plan, does not). */
function randomPath(): string {
  const ids = Array.from({ length: IDS_PER_REQUEST }, () => 1 + Math.floor(Math.random() * USERS));
  return `/users?ids=${ids.join(',')}`;
}

interface Outcome {
  driver: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Child-process role: serves the users service on `driver` and prints its port. */
async function serve(driver: string, dsn: string): Promise<void> {
  let store: UsersStore;
  if (driver === 'pgjet') {
    const pool = createUsersPool(dsn, { minSize: POOL_SIZE, maxSize: POOL_SIZE });
    await pool.ready();
    store = createPgjetStore(pool);
  } else {
    store = createPgStore(createPgUsersPool(dsn, POOL_SIZE));
  }
  const app = buildApp({ store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  console.log(`listening ${(app.server.address() as AddressInfo).port}`);
}

/** Starts the service for `driver` in a child process and resolves with it and its port. */
async function startService(driver: string, dsn: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', driver], {
    env: { ...process.env, BENCH_SERVICE_DSN: dsn },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the ${driver} service exited (${code}) before listening`)));
  });
  return { child, port };
}

/** Loads the `driver` service (1 s warm-up, then SECONDS) and stops it. */
async function load(driver: string, dsn: string): Promise<Outcome> {
  const { child, port } = await startService(driver, dsn);
  const run = (duration: number): Promise<autocannon.Result> =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: randomPath() }) }],
    });
  try {
    await run(1);
    const result = await run(SECONDS);
    return {
      driver,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
    };
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  let embedded: EmbeddedServer | undefined;
  if (process.env.DATABASE_URL === undefined) embedded = await startEmbeddedServer({ database: 'services' });
  try {
    const dsns = await setupServices(process.env.DATABASE_URL ?? embedded!.dsn);
    await seed(dsns.users_svc);
    console.log(`GET /users?ids=<${IDS_PER_REQUEST} random ids>, ${CONNECTIONS} HTTP connections, pools of ${POOL_SIZE}, ${SECONDS} s each`);

    const outcomes = [await load('pgjet', dsns.users_svc), await load('pg', dsns.users_svc)];

    console.table(
      outcomes.map((o) => ({
        driver: o.driver,
        'requests/s': Math.round(o.requestsPerSecond),
        'p50 ms': o.p50,
        'p99 ms': o.p99,
        errors: o.errors,
        'non-2xx': o.non2xx,
      })),
    );
    const [jet, pg] = outcomes;
    console.log(`pgjet / pg: ${(jet.requestsPerSecond / pg.requestsPerSecond).toFixed(2)}x requests/s`);
    if (outcomes.some((o) => o.errors > 0 || o.non2xx > 0)) process.exitCode = 1;
  } finally {
    await embedded?.stop();
  }
}

const run = process.argv[2] === 'serve' ? serve(process.argv[3], process.env.BENCH_SERVICE_DSN ?? '') : main();
run.catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
