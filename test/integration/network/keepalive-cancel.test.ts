/**
 * TCP keepalives and the cancel side socket. Node offers no getter for a socket's keepalive settings, so the
 * transport is observed calling `setKeepAlive` with the configured values; a real connection with keepalives
 * off must work too. The cancel socket has its own deadline: against a peer that accepts and never answers
 * (nor closes), `sendCancelRequestTo` settles within it, whatever the sslmode.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CANCEL_TIMEOUT, sendCancelRequestTo } from '../../../src/connection/cancel.js';
import { resolveConfig } from '../../../src/connection/config.js';
import { openTransport, type TransportOptions } from '../../../src/connection/transport.js';
import { connect, ConnectionError, QueryCanceledError, TimeoutError } from '../../../src/index.js';
import { testConfig, testDsn } from '../../support/env.js';

let silent: net.Server;
const silentSockets = new Set<net.Socket>();
let silentPort: number;
beforeAll(async () => {
  // Accepts, never reads, never answers, never closes: a dead peer behind a live TCP stack.
  silent = net.createServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});
afterEach(() => {
  vi.restoreAllMocks();
});

function transportOptions(extra: Partial<TransportOptions> = {}): TransportOptions {
  return {
    ssl: { mode: 'disable', negotiation: 'postgres', verify: 'none', tlsOptions: {} },
    keepAlive: true,
    keepAliveInitialDelay: 60_000,
    ...extra,
  };
}

describe('keepalives', () => {
  it('the transport applies keepAlive and keepAliveInitialDelay to the TCP socket', async () => {
    const spy = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    const target = { host: '127.0.0.1', port: silentPort };
    const on = await openTransport(target, transportOptions({ keepAlive: true, keepAliveInitialDelay: 12_345 }), new AbortController().signal);
    expect(spy).toHaveBeenLastCalledWith(true, 12_345);
    on.destroy();
    const off = await openTransport(target, transportOptions({ keepAlive: false }), new AbortController().signal);
    expect(spy).toHaveBeenLastCalledWith(false, 0);
    off.destroy();
  });

  it('options, DSN (keepalives, keepalives_idle in seconds) and defaults resolve as documented', async () => {
    const ctx = { env: {}, homeDir: '/nonexistent', osUser: 'u' };
    expect(await resolveConfig({}, undefined, ctx)).toMatchObject({ keepAlive: true, keepAliveInitialDelay: 60_000 });
    expect(await resolveConfig('postgres://h?keepalives=0&keepalives_idle=30', undefined, ctx)).toMatchObject({
      keepAlive: false,
      keepAliveInitialDelay: 30_000,
    });
    expect(await resolveConfig('postgres://h?keepalives=0', { keepAlive: true, keepAliveInitialDelay: 5_000 }, ctx)).toMatchObject({
      keepAlive: true,
      keepAliveInitialDelay: 5_000,
    });
  });

  it('a real connection gets them, and works with them off', async () => {
    const spy = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    const on = await connect(testDsn(), { keepAliveInitialDelay: 7_000 });
    expect(spy).toHaveBeenCalledWith(true, 7_000);
    await on.close();
    const off = await connect({ ...testConfig(), keepAlive: false });
    expect(spy).toHaveBeenLastCalledWith(false, 0);
    expect(await off.fetchVal('SELECT 1')).toBe(1);
    await off.close();
  });
});

describe('the cancel socket', () => {
  const key = { processId: 1234, secretKey: Buffer.from([1, 2, 3, 4]) };

  it('defaults to a 10 s deadline', () => {
    expect(CANCEL_TIMEOUT).toBe(10_000);
  });

  it.each(['disable', 'prefer'] as const)('settles within its timeout against a peer that never answers (sslmode %s)', async (mode) => {
    const started = Date.now();
    const ssl = { mode, negotiation: 'postgres' as const, verify: 'none' as const, tlsOptions: {} };
    const err = await sendCancelRequestTo({ host: '127.0.0.1', port: silentPort }, transportOptions({ ssl }), key, 300).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/cancel request to 127\.0\.0\.1:\d+ got no answer within 300 ms/);
  });

  it('rejects with a ConnectionError at once when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(sendCancelRequestTo({ host: '127.0.0.1', port }, transportOptions(), key, 5_000)).rejects.toBeInstanceOf(ConnectionError);
  });

  it('cancels a running query on the real server (TLS per sslmode) and resolves when the server closes', async () => {
    const victim = await connect(testDsn());
    // Observed at once: the query may fail before the server closes the cancel socket.
    const running = victim.fetch('SELECT pg_sleep(30)').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    const session = victim.session;
    await sendCancelRequestTo(session.host, session.config, { processId: victim.processId, secretKey: session.wire.secretKey }, 5_000);
    expect(await running).toBeInstanceOf(QueryCanceledError);
    expect(await victim.fetchVal('SELECT 1')).toBe(1);
    await victim.close();
  });
});
