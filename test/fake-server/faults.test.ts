/**
 * What a real server will not do on demand: garbage bytes, a socket cut inside a message, an ErrorResponse in
 * the middle of a pipeline. The fake server is scripted from the protocol layer's server-side encoders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, ConnectionError, ProtocolError } from '../../src/index.js';
import { serverSide } from '../../src/protocol/index.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close().catch(() => undefined);
  server = undefined;
});

function dsn(s: FakeServer): string {
  return `postgres://fake:pw@${s.host}:${s.port}/fake?sslmode=disable`;
}

describe('a misbehaving server', () => {
  it('garbage bytes are a ProtocolError, the connection closes and the process lives', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      await s.readUntil('Flush');
      s.sendRaw(Buffer.from([0x44, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3]));
    });
    const conn = await connect(dsn(server));
    const closed = new Promise<Error | undefined>((r) => conn.once('close', r));
    const err = await conn.fetch('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(conn.isClosed).toBe(true);
    expect(await closed).toBeInstanceOf(ProtocolError);
    await expect(conn.fetch('SELECT 1')).rejects.toBeInstanceOf(ConnectionError);
  });

  it('an unexpected message type is a ProtocolError', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      await s.expect('Query');
      s.send((w) => serverSide.writePortalSuspended(w));
    });
    const conn = await connect(dsn(server));
    await expect(conn.execute('SELECT 1')).rejects.toBeInstanceOf(ProtocolError);
    expect(conn.isClosed).toBe(true);
  });

  it('a socket cut inside a message rejects every pending call with ConnectionError', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      await s.readUntil('Flush');
      const bytes = Buffer.concat([
        Buffer.from([0x31, 0, 0, 0, 4]),
        Buffer.from([0x74, 0, 0, 0, 10, 0]), // ParameterDescription cut after its count's first byte
      ]);
      s.sendRaw(bytes);
      s.destroy();
    });
    const conn = await connect(dsn(server));
    const calls = [conn.fetch('SELECT $1::int4', [1]), conn.fetch('SELECT 2'), conn.execute('SELECT 3')];
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    }
    expect(conn.isClosed).toBe(true);
  });

  it('an ErrorResponse mid-pipeline fails that call only', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      for (let i = 0; i < 3; i++) {
        const msg = await s.expect('Query');
        if (msg.sql.includes('bad')) s.sendErrorResponse({ severity: 'ERROR', code: '22012', message: 'division by zero' });
        else s.sendRows([{ name: 'x', typeOid: 25 }], [['ok']], 'SELECT 1');
        s.sendReadyForQuery('I');
      }
    });
    const conn = await connect(dsn(server));
    const results = await Promise.allSettled([conn.execute('good 1'), conn.execute('bad'), conn.execute('good 2')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as Error).name).toBe('DivisionByZeroError');
    await conn.close();
  });
});
