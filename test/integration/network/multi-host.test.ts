/**
 * Several hosts: tried in order, once each, each within its own connectTimeout; one ConnectionError naming
 * every host and its reason when all fail; targetSessionAttrs decided from the reported `in_hot_standby` /
 * `default_transaction_read_only` or, for servers that do not report them (PostgreSQL 13, poolers), from the
 * queries libpq uses; `loadBalanceHosts: 'random'`. Primaries and standbys are fake servers here (each
 * reporting what a real one would); a real primary/standby pair is in test/heavy/failover.test.ts.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, ConnectionError, InvalidPasswordError, TimeoutError, type ConnectOptions } from '../../../src/index.js';
import { startFakeServer, type FakeServer, type FakeSession } from '../../support/fake-server.js';
import { testConfig } from '../../support/env.js';

/** How a fake server presents itself. */
interface Role {
  /** Reported as BackendKeyData's process id, so a test can tell which server it got. */
  pid: number;
  /** in_hot_standby; undefined = not reported (answers pg_is_in_recovery() instead). */
  standby: boolean;
  /** default_transaction_read_only. */
  readOnlyDefault?: boolean;
  /** Report the two parameters (PostgreSQL 14+) or leave them out (13 and older). */
  reports?: boolean;
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

/** Serves startup, the target-session queries, and Terminate, like the server described by `role`. */
async function serve(session: FakeSession, role: Role): Promise<void> {
  const reports = role.reports ?? true;
  await session.acceptStartup({
    processId: role.pid,
    params: reports
      ? { in_hot_standby: onOff(role.standby), default_transaction_read_only: onOff(role.readOnlyDefault ?? false) }
      : {},
  });
  for (;;) {
    const message = await session.readMessage();
    if (message.type === 'Terminate') {
      session.end();
      return;
    }
    if (message.type !== 'Query') throw new Error(`unexpected ${message.type}`);
    const readOnly = role.standby || (role.readOnlyDefault ?? false);
    const value = /pg_is_in_recovery/.test(message.sql) ? onOff(role.standby) : /transaction_read_only/.test(message.sql) ? onOff(readOnly) : null;
    if (value === null) throw new Error(`unexpected query ${message.sql}`);
    session.sendRows([{ name: 'v', typeOid: 25 }], [[value]]);
    session.sendReadyForQuery('I');
  }
}

const servers: FakeServer[] = [];
async function fake(role: Role): Promise<FakeServer> {
  const server = await startFakeServer((session) => serve(session, role));
  servers.push(server);
  return server;
}
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A server that accepts connections and never says anything; counts them. */
let blackhole: net.Server;
let blackholeAccepted = 0;
const blackholeSockets = new Set<net.Socket>();
beforeAll(async () => {
  blackhole = net.createServer((socket) => {
    blackholeAccepted++;
    // Never read: the client's bytes and even its FIN go unanswered, as with a hung server.
    blackholeSockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const socket of blackholeSockets) socket.destroy();
  await new Promise<void>((r) => blackhole.close(() => r()));
});
const blackholePort = (): number => (blackhole.address() as net.AddressInfo).port;

function hostsOptions(ports: number[], extra: ConnectOptions = {}): ConnectOptions {
  return { host: ports.map(() => '127.0.0.1'), port: ports, user: 'u', database: 'd', ssl: 'disable', ...extra };
}

async function pidVia(ports: number[], extra: ConnectOptions): Promise<number> {
  const conn = await connect(hostsOptions(ports, extra));
  try {
    return conn.processId;
  } finally {
    await conn.close();
  }
}

describe('hosts in order', () => {
  it('skips a refused host and a silent one (after its own connectTimeout) and uses the next', async () => {
    const good = await fake({ pid: 7, standby: false });
    const started = Date.now();
    expect(await pidVia([await deadPort(), blackholePort(), good.port], { connectTimeout: 300 })).toBe(7);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('the silent host is bounded even under sslmode prefer, while waiting for the SSLRequest answer', async () => {
    const err = await connect({ ...hostsOptions([blackholePort()]), ssl: 'prefer', connectTimeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it('works with the real server as the last of several hosts, from a DSN', async () => {
    const c = testConfig();
    const dead = await deadPort();
    const dsn = `postgres://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${dead},${c.host}:${c.port}/${c.database}`;
    const conn = await connect(dsn);
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
    await conn.close();
  });

  it('all hosts down: one ConnectionError listing each host and why, each host tried once', async () => {
    const refused = await deadPort();
    const rejecting = await startFakeServer(async (session) => {
      await session.expect('Startup');
      session.sendErrorResponse({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "u"' });
      session.end();
    });
    servers.push(rejecting);
    const acceptedBefore = blackholeAccepted;
    const started = Date.now();
    const err = (await connect(hostsOptions([refused, blackholePort(), rejecting.port], { connectTimeout: 400 })).catch((e: unknown) => e)) as ConnectionError;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/^could not connect to any of the 3 hosts: /);
    expect(err.message).toContain(`127.0.0.1:${refused}`);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).toContain(`connecting to 127.0.0.1:${blackholePort()} timed out after 400 ms`);
    expect(err.message).toContain(`127.0.0.1:${rejecting.port}: password authentication failed`);
    const causes = (err.cause as AggregateError).errors;
    expect(causes.map((e: unknown) => (e as Error).constructor.name)).toEqual(['ConnectionError', 'TimeoutError', 'InvalidPasswordError']);
    expect(causes[2]).toBeInstanceOf(InvalidPasswordError);
    expect(blackholeAccepted - acceptedBefore).toBe(1);
    expect(rejecting.sessions.length).toBe(1);
  });

  it('one host: its own error, not a wrapper', async () => {
    await expect(connect(hostsOptions([blackholePort()], { connectTimeout: 200 }))).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('targetSessionAttrs', () => {
  const primary: Role = { pid: 1, standby: false };
  const standby: Role = { pid: 2, standby: true };
  const readOnlyPrimary: Role = { pid: 3, standby: false, readOnlyDefault: true };

  for (const reports of [true, false]) {
    const how = reports ? 'from reported parameters (14+)' : 'by query (13 and older, poolers)';
    const as = (role: Role): Role => ({ ...role, reports });
    const ports = async (...roles: Role[]): Promise<number[]> => Promise.all(roles.map(async (r) => (await fake(as(r))).port));

    it(`read-write skips standbys and read-only primaries, ${how}`, async () => {
      expect(await pidVia(await ports(standby, readOnlyPrimary, primary), { targetSessionAttrs: 'read-write' })).toBe(1);
    });

    it(`read-only takes a standby or a read-only primary, ${how}`, async () => {
      expect(await pidVia(await ports(primary, standby), { targetSessionAttrs: 'read-only' })).toBe(2);
      expect(await pidVia(await ports(primary, readOnlyPrimary), { targetSessionAttrs: 'read-only' })).toBe(3);
    });

    it(`primary and standby go by recovery state only, ${how}`, async () => {
      expect(await pidVia(await ports(standby, readOnlyPrimary), { targetSessionAttrs: 'primary' })).toBe(3);
      expect(await pidVia(await ports(primary, readOnlyPrimary, standby), { targetSessionAttrs: 'standby' })).toBe(2);
    });

    it(`prefer-standby takes a standby anywhere in the list, else the first server, ${how}`, async () => {
      const list = await ports(primary, standby);
      expect(await pidVia(list, { targetSessionAttrs: 'prefer-standby' })).toBe(2);
      // The primary it saw first was closed properly (Terminate), not leaked.
      const first = servers.at(-2) as FakeServer;
      await first.sessions[0].closed;
      expect(first.sessions[0].received.at(-1)?.type).toBe('Terminate');
      expect(await pidVia(await ports(primary, readOnlyPrimary), { targetSessionAttrs: 'prefer-standby' })).toBe(1);
      expect(await pidVia([await deadPort(), ...(await ports(readOnlyPrimary))], { targetSessionAttrs: 'prefer-standby' })).toBe(3);
    });

    it(`no matching server is one ConnectionError with each host's mismatch, ${how}`, async () => {
      const err = (await connect(hostsOptions(await ports(standby, readOnlyPrimary), { targetSessionAttrs: 'read-write' })).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message.match(/server is read-only \(target_session_attrs=read-write\)/g)).toHaveLength(2);
    });
  }

  it('the real server is a read-write primary; serverSettings can make it read-only by default', async () => {
    const conn = await connect({ ...testConfig(), targetSessionAttrs: 'read-write' });
    await conn.close();
    const ro = await connect({ ...testConfig(), targetSessionAttrs: 'read-only', serverSettings: { default_transaction_read_only: 'on' } });
    expect(await ro.fetchVal('SHOW transaction_read_only')).toBe('on');
    await ro.close();
    await expect(connect({ ...testConfig(), targetSessionAttrs: 'standby' })).rejects.toThrow(/not a standby/);
  });
});

describe("loadBalanceHosts: 'random'", () => {
  it('spreads first attempts over every host, and the given order without it', async () => {
    const list = await Promise.all([1, 2, 3].map(async (pid) => (await fake({ pid, standby: false })).port));
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) seen.add(await pidVia(list, { loadBalanceHosts: 'random' }));
    expect([...seen].sort()).toEqual([1, 2, 3]);
    for (let i = 0; i < 5; i++) expect(await pidVia(list, {})).toBe(1);
  });
});
