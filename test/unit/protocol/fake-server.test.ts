/**
 * The fake server itself, driven by a raw node:net client that uses only the protocol layer: frontend encoders
 * to write, MessageFramer and the backend decoders to read.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors/base.js';
import { ByteWriter } from '../../../src/internal/index.js';
import {
  BackendCode,
  MessageFramer,
  parseAuthentication,
  parseBackendKeyData,
  parseCommandComplete,
  parseErrorFields,
  parseParameterStatus,
  parseReadyForQuery,
  parseRowDescription,
  serverSide,
  writeCancelRequest,
  writeQuery,
  writeSSLRequest,
  writeStartupMessage,
  writeSync,
  writeTerminate,
} from '../../../src/protocol/index.js';
import {
  encodeMessages,
  FakeSessionClosedError,
  startFakeServer,
  type FakeScript,
  type FakeServer,
} from '../../support/fake-server.js';

interface Received {
  code: number;
  payload: Buffer;
}

/** A bare client: writes frontend messages, frames what comes back, records how the socket ended. */
class RawClient {
  readonly socket: net.Socket;
  readonly framer = new MessageFramer();
  readonly #inbox: Received[] = [];
  #wake: (() => void) | undefined;
  /** Raw bytes before framing starts (the one-byte SSLRequest answer). */
  #raw: Buffer[] = [];
  #isFraming = true;
  error: Error | undefined;
  readonly closed: Promise<void>;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#isFraming) this.#frame(chunk);
      else this.#raw.push(chunk);
      this.#wake?.();
    });
    socket.on('error', (error) => (this.error = error));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    void this.closed.then(() => this.#wake?.());
  }

  static async connect(server: FakeServer): Promise<RawClient> {
    const socket = net.connect(server.port, server.host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  write(build: (w: ByteWriter) => void): void {
    const w = new ByteWriter();
    build(w);
    this.socket.write(Buffer.from(w.take()));
  }

  /** Reads one raw byte (the server's answer to an SSLRequest), then goes back to framing. */
  async readByte(): Promise<string> {
    this.#isFraming = false;
    while (this.#raw.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    const [chunk] = this.#raw.splice(0);
    this.#isFraming = true;
    if (chunk.length > 1) this.#frame(chunk.subarray(1));
    return String.fromCharCode(chunk[0]);
  }

  #frame(chunk: Buffer): void {
    this.framer.push(chunk, (code, buf, start, end) => {
      this.#inbox.push({ code, payload: Buffer.from(buf.subarray(start, end)) });
    });
  }

  async read(): Promise<Received> {
    for (;;) {
      const next = this.#inbox.shift();
      if (next !== undefined) return next;
      if (this.socket.destroyed) throw new Error('socket closed');
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Reads up to and including ReadyForQuery. */
  async readToReady(): Promise<Received[]> {
    const out: Received[] = [];
    for (;;) {
      const m = await this.read();
      out.push(m);
      if (m.code === BackendCode.ReadyForQuery) return out;
    }
  }

  async startup(params: Record<string, string> = { user: 'u', database: 'd' }): Promise<Received[]> {
    this.write((w) => writeStartupMessage(w, params));
    return this.readToReady();
  }
}

const codes = (messages: Received[]): string => messages.map((m) => String.fromCharCode(m.code)).join('');

let server: FakeServer | undefined;
const clients: RawClient[] = [];

async function start(script: FakeScript): Promise<FakeServer> {
  server = await startFakeServer(script);
  return server;
}

async function connect(fake = server as FakeServer): Promise<RawClient> {
  const client = await RawClient.connect(fake);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  const running = server;
  server = undefined;
  // Tests that expect script failures close the server themselves; here it must close cleanly.
  await running?.close();
});

describe('fake server', () => {
  it('answers a StartupMessage with AuthenticationOk, the default parameters, BackendKeyData and ReadyForQuery', async () => {
    let startupParams: Record<string, string> | undefined;
    await start(async (session) => {
      startupParams = (await session.expect('Startup')).params;
      session.sendStartupOk({ processId: 4242, secretKey: Buffer.from([1, 2, 3, 4]) });
    });
    const client = await connect();
    const messages = await client.startup();
    expect(startupParams).toEqual({ user: 'u', database: 'd' });
    expect(codes(messages)).toBe('RSSSSSKZ');
    const [auth, ...rest] = messages;
    expect(parseAuthentication(auth.payload, 0, auth.payload.length).type).toBe(0);
    const statuses = rest.slice(0, 5).map((m) => parseParameterStatus(m.payload, 0, m.payload.length));
    expect(Object.fromEntries(statuses)).toEqual({
      server_version: '18.4',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
    });
    const key = rest[5].payload;
    expect(parseBackendKeyData(key, 0, key.length)).toEqual({ processId: 4242, secretKey: Buffer.from([1, 2, 3, 4]) });
    expect(parseReadyForQuery(rest[6].payload, 0, 1)).toBe('I');
  });

  it('runs a simple query script: rows, CommandComplete, ReadyForQuery', async () => {
    await start(async (session) => {
      await session.acceptStartup({ params: { server_version: '17.0', TimeZone: 'UTC' } });
      const query = await session.expect('Query');
      expect(query.sql).toBe('SELECT 1 AS one');
      session.sendRows([{ name: 'one', typeOid: 23, typeSize: 4 }], [['1']]);
      session.sendReadyForQuery('I');
      await session.expect('Terminate');
      session.end();
    });
    const client = await connect();
    const startup = await client.startup();
    const statuses = startup
      .filter((m) => m.code === BackendCode.ParameterStatus)
      .map((m) => parseParameterStatus(m.payload, 0, m.payload.length));
    expect(statuses).toContainEqual(['server_version', '17.0']);
    expect(statuses).toContainEqual(['TimeZone', 'UTC']);
    client.write((w) => writeQuery(w, 'SELECT 1 AS one'));
    const result = await client.readToReady();
    expect(codes(result)).toBe('TDCZ');
    const [column] = parseRowDescription(result[0].payload, 0, result[0].payload.length);
    expect(column).toMatchObject({ name: 'one', typeOid: 23, typeSize: 4 });
    expect(parseCommandComplete(result[2].payload, 0, result[2].payload.length)).toBe('SELECT 1');
    client.write((w) => writeTerminate(w));
    await client.closed;
  });

  it('runs the script once per connection, each with its own session and backend key', async () => {
    const fake = await start((session) => session.acceptStartup());
    const [a, b] = await Promise.all([connect(), connect()]);
    const [ma, mb] = await Promise.all([a.startup(), b.startup()]);
    const keyOf = (ms: Received[]) => {
      const k = ms.find((m) => m.code === BackendCode.BackendKeyData) as Received;
      return parseBackendKeyData(k.payload, 0, k.payload.length).processId;
    };
    expect(fake.sessions.map((s) => s.id)).toEqual([0, 1]);
    expect(new Set([keyOf(ma), keyOf(mb)])).toEqual(new Set([1000, 1001]));
  });

  it("acceptStartup answers an SSLRequest with 'N', then takes the StartupMessage", async () => {
    await start((session) => session.acceptStartup());
    const client = await connect();
    client.write((w) => writeSSLRequest(w));
    expect(await client.readByte()).toBe('N');
    expect(codes(await client.startup())).toBe('RSSSSSKZ');
  });

  it('sees a CancelRequest on a second connection and can match it to the target session', async () => {
    let cancelled: number | undefined;
    const fake = await start(async (session) => {
      const first = await session.readMessage();
      if (first.type === 'CancelRequest') {
        const target = fake.sessions.find((s) => s.backendKey?.processId === first.processId);
        cancelled = target?.id;
        session.end();
        return;
      }
      session.sendStartupOk();
      await session.expect('Query');
      // Stands for a long-running query that only the cancel ends.
      await new Promise((resolve) => setTimeout(resolve, 50));
      session.sendErrorResponse({ code: '57014', message: 'canceling statement due to user request' });
      session.sendReadyForQuery();
    });
    const client = await connect();
    const startup = await client.startup();
    const keyMessage = startup.find((m) => m.code === BackendCode.BackendKeyData) as Received;
    const key = parseBackendKeyData(keyMessage.payload, 0, keyMessage.payload.length);
    client.write((w) => writeQuery(w, 'SELECT pg_sleep(10)'));
    const side = await connect();
    side.write((w) => writeCancelRequest(w, key.processId, key.secretKey));
    await side.closed;
    expect(cancelled).toBe(0);
    const [error] = await client.readToReady();
    expect(parseErrorFields(error.payload, 0, error.payload.length).get('C'.charCodeAt(0))).toBe('57014');
  });

  it('can cut the socket inside a message', async () => {
    await start(async (session) => {
      await session.acceptStartup();
      await session.expect('Query');
      const whole = encodeMessages((w) => serverSide.writeCommandComplete(w, 'SELECT 1'));
      session.sendRaw(whole.subarray(0, 6));
      // Let the half message reach the client before the cut, so the test is about the cut, not the write.
      await new Promise((resolve) => setTimeout(resolve, 20));
      session.destroy();
    });
    const client = await connect();
    await client.startup();
    client.write((w) => writeQuery(w, 'SELECT 1'));
    await client.closed;
    expect(client.framer.hasPartial).toBe(true);
  });

  it('can reset the connection (ECONNRESET on the client)', async () => {
    await start(async (session) => {
      await session.acceptStartup();
      await session.expect('Query');
      session.reset();
    });
    const client = await connect();
    await client.startup();
    client.write((w) => writeQuery(w, 'SELECT 1'));
    await client.closed;
    expect((client.error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
  });

  it('does not count a client that went away as a script failure', async () => {
    let readError: unknown;
    const fake = await start(async (session) => {
      await session.acceptStartup();
      try {
        await session.readMessage();
      } catch (error) {
        readError = error;
        throw error;
      }
    });
    const client = await connect();
    await client.startup();
    client.socket.end();
    await fake.sessions[0].closed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(readError).toBeInstanceOf(FakeSessionClosedError);
    expect(fake.errors).toEqual([]);
  });

  it('reports a script that saw the wrong message from close(), and cuts that client loose', async () => {
    const fake = await start(async (session) => {
      await session.acceptStartup();
      await session.expect('Query');
    });
    server = undefined; // closed below, expecting the failure
    const client = await connect(fake);
    await client.startup();
    client.write((w) => writeSync(w));
    await client.closed;
    await expect(fake.close()).rejects.toThrow(/expected Query, got \{"type":"Sync"\}/);
  });

  it('turns client bytes that are not a valid message into a ProtocolError for the script', async () => {
    const fake = await start(async (session) => {
      await session.acceptStartup();
      await session.readMessage();
    });
    server = undefined;
    const client = await connect(fake);
    await client.startup();
    client.socket.write(Buffer.from([0x21, 0, 0, 0, 4])); // '!' is no frontend message
    await client.closed;
    await expect(fake.close()).rejects.toBeInstanceOf(ProtocolError);
  });
});
