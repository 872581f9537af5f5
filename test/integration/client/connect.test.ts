import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ConnectionError, InvalidPasswordError, InvalidCatalogNameError, TimeoutError, type Connection } from '../../../src/index.js';
import { inject } from 'vitest';
import { roleDsn, testConfig, testDsn } from '../../support/env.js';

describe('connect', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connect(testDsn());
  });
  afterAll(async () => {
    await conn.close();
  });

  it('reports server version, process id and settings', async () => {
    expect(conn.serverVersion).toMatch(/^\d+\.\d+$/);
    expect(conn.processId).toBe(await conn.fetchVal('SELECT pg_backend_pid()'));
    expect(conn.getSetting('client_encoding')).toBe('UTF8');
    expect(conn.getSetting('DateStyle')).toMatch(/^ISO/);
  });

  it('accepts options objects and lets options override the DSN', async () => {
    const c = testConfig();
    const a = await connect({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
    expect(await a.fetchVal('SELECT current_database()')).toBe(c.database);
    await a.close();
    const b = await connect(testDsn(), { serverSettings: { application_name: 'pgjet-test', search_path: 'pg_catalog' } });
    expect(await b.fetchVal('SHOW application_name')).toBe('pgjet-test');
    expect(await b.fetchVal('SHOW search_path')).toBe('pg_catalog');
    await b.close();
  });

  it.each(['pgjet_md5', 'pgjet_clear', 'pgjet_trust', 'pgjet_scram'])('authenticates role %s', async (role) => {
    const c = await connect(roleDsn(role));
    expect(await c.fetchVal('SELECT current_user')).toBe(role);
    await c.close();
  });

  it('connects over the Unix socket', async () => {
    const { socketDir } = inject('pgjet');
    const c = testConfig();
    const s = await connect({ host: socketDir, port: c.port, user: c.user, password: c.password, database: c.database });
    expect(await s.fetchVal('SELECT 1')).toBe(1);
    await s.close();
  });

  it('await using / Symbol.asyncDispose closes the connection', async () => {
    const c = await connect(testDsn());
    await c[Symbol.asyncDispose]();
    expect(c.isClosed).toBe(true);
    await c[Symbol.asyncDispose]();
  });
});

describe('connection failures', () => {
  it('a wrong password is the server\'s InvalidPasswordError', async () => {
    const c = testConfig();
    await expect(connect({ ...c, password: 'wrong' })).rejects.toBeInstanceOf(InvalidPasswordError);
  });

  it('an unknown database is InvalidCatalogNameError', async () => {
    const c = testConfig();
    await expect(connect({ ...c, database: 'no_such_db' })).rejects.toBeInstanceOf(InvalidCatalogNameError);
  });

  it('a refused port is a ConnectionError naming host and port', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await connect({ ...testConfig(), port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('a host that never answers fails within connectTimeout', async () => {
    // A listening socket that never speaks: the startup hangs, so only the timeout can end it.
    const server = net.createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const started = Date.now();
    const err = await connect({ ...testConfig(), port, ssl: 'disable', connectTimeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(5000);
    server.close();
  });

  it('the server closing the socket mid-query rejects every pending call with ConnectionError', async () => {
    const victim = await connect(testDsn());
    const admin = await connect(testDsn());
    const closed = new Promise<Error | undefined>((r) => victim.once('close', r));
    const pending = [victim.fetch('SELECT pg_sleep(30)'), victim.fetch('SELECT 1'), victim.fetch('SELECT 2')];
    // Observed now: the victim's calls may reject before the admin's answer arrives.
    const settled = Promise.allSettled(pending);
    await new Promise((r) => setTimeout(r, 200));
    await admin.fetchVal('SELECT pg_terminate_backend($1)', [victim.processId]);
    const results = await settled;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    }
    expect(victim.isClosed).toBe(true);
    expect(await closed).toBeInstanceOf(ConnectionError);
    await expect(victim.fetch('SELECT 1')).rejects.toBeInstanceOf(ConnectionError);
    await admin.close();
  });
});
