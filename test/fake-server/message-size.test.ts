/**
 * The framer against a server whose message lengths lie: a header claiming more than `maxMessageSize` closes
 * the connection with a `ProtocolError` at once, before any memory is set aside for the claim, and every call
 * on the connection fails instead of waiting for bytes that will never come.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, InterfaceError, ProtocolError } from '../../src/index.js';
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

/** A message header: type byte and an Int32 length that claims `length` (payload not included). */
function header(code: string, length: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = code.charCodeAt(0);
  b.writeInt32BE(length, 1);
  return b;
}

describe('message lengths are not trusted', () => {
  it('a DataRow header claiming 2^31 - 1 bytes is a ProtocolError at once, and the connection closes', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      await s.expect('Query');
      s.send((w) => serverSide.writeRowDescription(w, [{ name: 'x', typeOid: 25 }]));
      // The claim arrives with a few payload bytes, then nothing: only the length could end this call.
      s.sendRaw(Buffer.concat([header('D', 0x7fff_ffff), Buffer.from([0, 1, 0, 0])]));
    });
    const conn = await connect(dsn(server));
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    const error = await conn.execute('SELECT x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/claims 2147483648 bytes, more than maxMessageSize \(1073741824\)/);
    expect(await closed).toBeInstanceOf(ProtocolError);
  });

  it('maxMessageSize lowers the limit: a row of 2 KiB is refused under a 1 KiB limit, a small one passes', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      const first = await s.expect('Query');
      s.sendRows([{ name: 'x', typeOid: 25 }], [[first.sql.includes('small') ? 'ok' : 'y'.repeat(2048)]]);
      s.sendReadyForQuery('I');
      await s.expect('Query');
      s.sendRows([{ name: 'x', typeOid: 25 }], [['y'.repeat(2048)]]);
      s.sendReadyForQuery('I');
    });
    const conn = await connect(dsn(server), { maxMessageSize: 1024 });
    expect(await conn.execute('SELECT small')).toBe('SELECT 1');
    const error = await conn.execute('SELECT big').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain('more than maxMessageSize (1024)');
    expect(conn.isClosed).toBe(true);
  });

  it('a maxMessageSize that is not an integer of at least 5 is an InterfaceError naming the option', async () => {
    for (const bad of [4, 0, 1.5, -1, 2 ** 40, '1024']) {
      await expect(connect('postgres://u@127.0.0.1:1/db', { maxMessageSize: bad as number })).rejects.toThrow(InterfaceError);
      await expect(connect('postgres://u@127.0.0.1:1/db', { maxMessageSize: bad as number })).rejects.toThrow(/maxMessageSize/);
    }
  });
});
