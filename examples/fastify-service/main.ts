/**
 * `npm run example:service`: the users service. With DATABASE_URL (a role that may create roles) it sets up
 * the service schemas there; without, it starts an embedded PostgreSQL for the occasion. Then it listens on
 * PORT (default 3000) until SIGTERM/SIGINT, when it stops taking requests, lets the running ones finish,
 * drains the pool (`app.close()` → `pool.close()`), and only then stops the embedded server.
 *
 *   curl -X POST localhost:3000/users -H 'content-type: application/json' -d '{"name":"Ada","email":"ada@example.com"}'
 *   curl 'localhost:3000/users?ids=1,2,3'
 *   curl localhost:3000/health
 */
import { startEmbeddedServer, type EmbeddedServer } from '../../test/support/embedded-server.js';
import { buildApp } from './app.js';
import { setupServices } from './setup.js';
import { createPgjetStore, createUsersPool } from './store.js';

/**
 * Starts the embedded server without its signal hooks: they stop the server at once, which would cut the
 * pool's drain short. This process stops it after the drain; the hook on process exit stays as a last resort.
 */
async function startDatabase(): Promise<EmbeddedServer> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const server = await startEmbeddedServer({ database: 'services' });
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
  return server;
}

async function main(): Promise<void> {
  const embedded = process.env.DATABASE_URL ? undefined : await startDatabase();
  const adminDsn = process.env.DATABASE_URL ?? embedded!.dsn;
  const dsns = await setupServices(adminDsn);
  const pool = createUsersPool(dsns.users_svc);
  await pool.ready();
  const app = buildApp({ store: createPgjetStore(pool), logger: true });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal, pool: pool.stats() }, 'shutting down: draining requests and the pool');
    try {
      await app.close();
      app.log.info({ pool: pool.stats() }, 'pool drained');
    } finally {
      await embedded?.stop();
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
