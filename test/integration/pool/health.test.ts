import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ConnectionError, createPool, InterfaceError, type Connection, type Pool, type PoolStats } from '../../../src/index.js';
import { testConfig, testDsn } from '../../support/env.js';

let admin: Connection;

beforeAll(async () => {
  admin = await connect(testDsn());
});

afterAll(async () => {
  await admin.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const appName = (): string => `pgjet-health-${randomUUID().slice(0, 8)}`;

async function until(cond: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

const pidsOf = async (app: string): Promise<number[]> =>
  (await admin.fetch<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid', [app])).map((r) => r.pid);

const killAll = async (app: string): Promise<number> =>
  Number(await admin.fetchVal<bigint>('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1', [app]));

function consistent(s: PoolStats): void {
  expect(s.size).toBe(s.idle + s.borrowed);
  expect(s.size + s.opening).toBeLessThanOrEqual(s.maxSize);
  expect(s.idle).toBeGreaterThanOrEqual(0);
  expect(s.waiting).toBeGreaterThanOrEqual(0);
}

describe('connections killed by the server', () => {
  it('pg_terminate_backend on every connection while 50 tasks query: in-flight calls reject with ConnectionError, later ones succeed', async () => {
    const app = appName();
    const pool = createPool(testDsn(), { minSize: 10, maxSize: 10, serverSettings: { application_name: app } });
    pool.on('error', () => undefined);
    await pool.ready();
    const before = await pidsOf(app);
    expect(before).toHaveLength(10);
    const snapshots: PoolStats[] = [];
    const sampler = setInterval(() => snapshots.push(pool.stats()), 2);
    const tasks = Array.from({ length: 50 }, (_, i) =>
      pool.fetchVal<string>('SELECT $1::text FROM pg_sleep(0.15)', [String(i)]).then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
    );
    await sleep(60);
    expect(await killAll(app)).toBe(10);
    const results = await Promise.all(tasks);
    clearInterval(sampler);
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThanOrEqual(10);
    for (const f of failed) expect((f as { e: unknown }).e).toBeInstanceOf(ConnectionError);
    for (const [i, r] of results.entries()) if (r.ok) expect(r.v).toBe(String(i));
    for (const s of snapshots) consistent(s);
    const after = pool.stats();
    consistent(after);
    expect(after).toMatchObject({ borrowed: 0, waiting: 0 });
    expect(await pool.fetchVal('SELECT 1')).toBe(1);
    const now = await pidsOf(app);
    expect(now.some((pid) => before.includes(pid))).toBe(false);
    expect(now.length).toBeLessThanOrEqual(10);
    await pool.close();
  });

  it('idle connections killed by the server are noticed and replaced, down to minSize', async () => {
    const app = appName();
    const pool = createPool(testDsn(), { minSize: 3, maxSize: 5, serverSettings: { application_name: app } });
    await pool.ready();
    const before = await pidsOf(app);
    expect(await killAll(app)).toBe(3);
    await until(async () => pool.stats().size === 3 && (await pidsOf(app)).every((p) => !before.includes(p)) && (await pidsOf(app)).length === 3);
    consistent(pool.stats());
    expect(await pool.fetchVal('SELECT 1')).toBe(1);
    await pool.close();
  });

  it('a borrowed connection that dies frees its slot at once and is discarded at release', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const c = await pool.acquire();
    await admin.fetchVal('SELECT pg_terminate_backend($1)', [c.processId]);
    await expect(c.fetchVal('SELECT 1')).rejects.toBeInstanceOf(ConnectionError);
    // The slot is free before the borrower lets go: another caller is served.
    expect(await pool.fetchVal('SELECT 2')).toBe(2);
    await c.release();
    consistent(pool.stats());
    expect(pool.stats()).toMatchObject({ size: 1, borrowed: 0 });
    await pool.close();
  });

  it('a connection closed by its borrower is discarded, never lent again', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const c = await pool.acquire();
    const pid = c.processId;
    await c.close();
    await c.release();
    expect(await pool.fetchVal('SELECT pg_backend_pid()')).not.toBe(pid);
    await pool.close();
  });
});

/** A TCP relay to the test server that can be taken down and brought back on the same port (a "restart"). */
async function startRelay(host: string, port: number): Promise<{ port: number; down(): Promise<void>; up(): Promise<void>; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  let listenPort = 0;
  const listen = (): Promise<void> =>
    new Promise((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(port, host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const down = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  await listen();
  return { port: listenPort, down, up: listen, stop: down };
}

describe('server restart', () => {
  it('a pool whose server goes away and comes back recovers by itself', async () => {
    const cfg = testConfig();
    const relay = await startRelay(cfg.host, cfg.port);
    const pool: Pool = createPool({ ...cfg, port: relay.port, minSize: 2, maxSize: 4 });
    const errors: Error[] = [];
    pool.on('error', (e) => errors.push(e));
    await pool.ready();
    await relay.down();
    await until(() => pool.stats().size === 0);
    await expect(pool.fetchVal('SELECT 1')).rejects.toBeInstanceOf(ConnectionError);
    await sleep(150);
    await relay.up();
    // Background refill (with back-off) brings minSize back without any call.
    await until(() => pool.stats().size === 2, 8_000);
    expect(await pool.fetchVal('SELECT 1')).toBe(1);
    expect(errors.every((e) => e instanceof ConnectionError)).toBe(true);
    await pool.close();
    await relay.stop();
  });
});

describe('replacement rules', () => {
  it('maxQueries replaces a connection after that many calls', async () => {
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 1, maxQueries: 3 });
    const pids = [];
    for (let i = 0; i < 4; i++) pids.push(await pool.fetchVal<number>('SELECT pg_backend_pid()'));
    expect(new Set(pids.slice(0, 3)).size).toBe(1);
    expect(pids[3]).not.toBe(pids[0]);
    await pool.close();
  });

  it('maxLifetime replaces an old connection, idle or at release', async () => {
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 1, maxLifetime: 150 });
    const first = await pool.fetchVal<number>('SELECT pg_backend_pid()');
    await sleep(200);
    const second = await pool.fetchVal<number>('SELECT pg_backend_pid()');
    expect(second).not.toBe(first);
    const c = await pool.acquire();
    await sleep(200);
    await c.release();
    await until(() => pool.stats().size === 0);
    await pool.close();
  });

  it('maxInactiveConnectionLifetime closes idle connections down to minSize', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 3, maxInactiveConnectionLifetime: 150 });
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const c of held) await c.release();
    expect(pool.stats().size).toBe(3);
    await until(() => pool.stats().size === 1, 10_000);
    expect(await pool.fetchVal('SELECT 1')).toBe(1);
    await pool.close();
  });

  it('expireConnections replaces idle connections now and borrowed ones at release', async () => {
    const app = appName();
    const pool = createPool(testDsn(), { minSize: 2, maxSize: 2, serverSettings: { application_name: app } });
    await pool.ready();
    const before = await pidsOf(app);
    const c = await pool.acquire();
    pool.expireConnections();
    await c.release();
    await until(async () => {
      const now = await pidsOf(app);
      return pool.stats().size === 2 && now.length === 2 && now.every((p) => !before.includes(p));
    });
    await pool.close();
  });
});

describe('closing', () => {
  it('close() waits for borrowed connections; waiters reject with InterfaceError', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const c = await pool.acquire();
    const waiter = pool.acquire();
    let closed = false;
    const closing = pool.close().then(() => {
      closed = true;
    });
    await expect(waiter).rejects.toBeInstanceOf(InterfaceError);
    await sleep(50);
    expect(closed).toBe(false);
    expect(await c.fetchVal('SELECT 1')).toBe(1); // still usable until released
    await c.release();
    await closing;
    expect(closed).toBe(true);
    expect(pool.stats().size).toBe(0);
  });

  it('close(timeout) terminates what is still borrowed after the timeout', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const c = await pool.acquire();
    const t0 = performance.now();
    await pool.close(100);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    await expect(c.fetchVal('SELECT 1')).rejects.toBeInstanceOf(ConnectionError);
    await c.release();
  });

  it('terminate() closes everything at once; Symbol.asyncDispose closes gracefully', async () => {
    const pool = createPool(testDsn(), { minSize: 2, maxSize: 2 });
    await pool.ready();
    const c = await pool.acquire();
    pool.terminate();
    expect(pool.stats().size).toBe(0);
    await expect(c.fetchVal('SELECT 1')).rejects.toBeInstanceOf(ConnectionError);
    await c.release();
    await pool.close();
    {
      await using p = createPool(testDsn(), { minSize: 1 });
      await p.ready();
    }
  });
});
