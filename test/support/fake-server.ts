/**
 * A scripted PostgreSQL backend on 127.0.0.1, built from the protocol layer's server side, for what a real
 * server will not do on demand: an ErrorResponse mid-pipeline, a socket cut inside a message, garbage bytes.
 *
 * Every accepted connection runs the script with its own {@link FakeSession}. A script reads the client's
 * messages in order (`readMessage`, `expect`) and answers with encoders from `serverSide` (`send`) or raw bytes.
 */
import net from 'node:net';
import { ByteWriter } from '../../src/internal/index.js';
import { readCString, serverSide } from '../../src/protocol/index.js';

/** A parsed frontend message (see `serverSide.FrontendMessage`). */
export type FrontendMessage = serverSide.FrontendMessage;
/** The frontend message whose `type` is `T`. */
export type FrontendMessageOf<T extends FrontendMessage['type']> = serverSide.FrontendMessageOf<T>;
/** Appends one or more backend messages to a writer, e.g. `(w) => serverSide.writeReadyForQuery(w, 'I')`. */
export type MessageBuilder = (w: ByteWriter) => void;
/** What runs for each connection; the session stays open after it returns until either side closes it. */
export type FakeScript = (session: FakeSession) => Promise<unknown> | void;

/** The run-time parameters `sendStartupOk` reports unless overridden: what pgjet's startup checks. */
export const DEFAULT_SERVER_PARAMS: Readonly<Record<string, string>> = {
  server_version: '18.4',
  client_encoding: 'UTF8',
  DateStyle: 'ISO, MDY',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
};

/** Options of {@link FakeSession.sendStartupOk}. */
export interface StartupOkOptions {
  /** Merged over {@link DEFAULT_SERVER_PARAMS}; `undefined` leaves a default parameter out. */
  params?: Record<string, string | undefined>;
  /** BackendKeyData's process ID; defaults to 1000 + session id. */
  processId?: number;
  /** BackendKeyData's key; a number is written as 4 bytes. Defaults to 0x5ec00000 + session id. */
  secretKey?: Uint8Array | number;
}

/** A read on a session whose socket has closed (the client went away or the test cut it). */
export class FakeSessionClosedError extends Error {
  override name = 'FakeSessionClosedError';
}

/** Encodes messages into one standalone buffer (to split it, send part of it, or compare bytes). */
export function encodeMessages(...builders: MessageBuilder[]): Buffer {
  const w = new ByteWriter(256);
  for (const build of builders) build(w);
  return Buffer.from(w.take());
}

/** A PasswordMessage's payload ('p' message `data`) as the password it carries: cleartext, or `md5` + hex. */
export function parsePasswordMessage(data: Buffer): string {
  const [password, next] = readCString(data, 0, data.length);
  if (next !== data.length) throw new Error('bytes after the password in PasswordMessage');
  return password;
}

/** A SASLInitialResponse's payload: the chosen mechanism and the client-first message (null for length -1). */
export function parseSASLInitialResponse(data: Buffer): { mechanism: string; data: Buffer | null } {
  const [mechanism, next] = readCString(data, 0, data.length);
  const length = data.readInt32BE(next);
  if (length === -1) return { mechanism, data: null };
  if (next + 4 + length !== data.length) throw new Error('SASLInitialResponse length does not match its data');
  return { mechanism, data: data.subarray(next + 4) };
}

interface Waiter {
  resolve(message: FrontendMessage): void;
  reject(error: Error): void;
}

/** One client connection as the script sees it. */
export class FakeSession {
  /** 0 for the first connection the server accepted, then 1, 2, … */
  readonly id: number;
  /** Every message parsed from the client so far, read or not: for assertions after the fact. */
  readonly received: FrontendMessage[] = [];
  /** Resolves once the socket has closed, whichever side closed it. */
  readonly closed: Promise<void>;
  /** The BackendKeyData this session sent, if any (to match a CancelRequest arriving on another session). */
  backendKey: { processId: number; secretKey: Uint8Array | number } | undefined;

  #socket: net.Socket;
  #parser = new serverSide.FrontendParser();
  #unread: FrontendMessage[] = [];
  #waiters: Waiter[] = [];
  #failure: Error | undefined;
  #isClosed = false;

  /** @internal Created by {@link startFakeServer} for each accepted connection. */
  constructor(socket: net.Socket, id: number) {
    this.#socket = socket;
    this.id = id;
    // Small writes go out at once, so separate `send` calls tend to arrive as separate chunks.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // A reset from the client is normal in fault tests; 'close' follows and settles the readers.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#isClosed = true;
        this.#failAll(this.#failure ?? new FakeSessionClosedError(`fake session ${id}: client connection closed`));
        resolve();
      });
    });
  }

  /** True once the socket has closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /**
   * The next frontend message, in order. Rejects with the parser's `ProtocolError` if the client sent bytes
   * that are not a valid message, or with {@link FakeSessionClosedError} once the socket has closed and every
   * message received before that has been read.
   */
  readMessage(): Promise<FrontendMessage> {
    const next = this.#unread.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#isClosed) return Promise.reject(new FakeSessionClosedError(`fake session ${this.id}: closed`));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Reads the next message and fails the script unless its type is `type`. */
  async expect<T extends FrontendMessage['type']>(type: T): Promise<FrontendMessageOf<T>> {
    const message = await this.readMessage();
    if (message.type !== type) {
      throw new Error(`fake session ${this.id}: expected ${type}, got ${summarize(message)}`);
    }
    return message as FrontendMessageOf<T>;
  }

  /** Reads messages up to and including the first of type `type` (e.g. a whole extended-protocol batch to Sync). */
  async readUntil(type: FrontendMessage['type']): Promise<FrontendMessage[]> {
    const batch: FrontendMessage[] = [];
    for (;;) {
      const message = await this.readMessage();
      batch.push(message);
      if (message.type === type) return batch;
    }
  }

  /** Writes the messages the builders encode, in one socket write. Ignored once the socket is closed. */
  send(...builders: MessageBuilder[]): void {
    this.sendRaw(encodeMessages(...builders));
  }

  /** Writes bytes as they are: half a message, garbage, or 'N'/'S' answering an SSLRequest. */
  sendRaw(bytes: Uint8Array | string): void {
    // After the socket is gone there is nobody to tell; the test observes the client, not this write.
    if (this.#isClosed || this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#socket.write(bytes);
  }

  /**
   * AuthenticationOk, a ParameterStatus per parameter ({@link DEFAULT_SERVER_PARAMS} merged with
   * `options.params`), BackendKeyData and ReadyForQuery 'I': a successful startup after trust authentication.
   */
  sendStartupOk(options: StartupOkOptions = {}): void {
    const params = { ...DEFAULT_SERVER_PARAMS, ...options.params };
    const processId = options.processId ?? 1000 + this.id;
    const secretKey = options.secretKey ?? 0x5ec00000 + this.id;
    this.backendKey = { processId, secretKey };
    this.send((w) => {
      serverSide.writeAuthenticationOk(w);
      for (const [name, value] of Object.entries(params)) {
        if (value !== undefined) serverSide.writeParameterStatus(w, name, value);
      }
      serverSide.writeBackendKeyData(w, processId, secretKey);
      serverSide.writeReadyForQuery(w, 'I');
    });
  }

  /**
   * Reads the untyped opening messages, answering an SSLRequest or GSSENCRequest with 'N' (no TLS here), and
   * once the StartupMessage arrives answers it with {@link sendStartupOk}. Returns the StartupMessage.
   */
  async acceptStartup(options: StartupOkOptions = {}): Promise<FrontendMessageOf<'Startup'>> {
    for (;;) {
      const message = await this.readMessage();
      if (message.type === 'SSLRequest' || message.type === 'GSSENCRequest') {
        this.sendRaw('N');
        continue;
      }
      if (message.type !== 'Startup') throw new Error(`fake session ${this.id}: expected Startup, got ${summarize(message)}`);
      this.sendStartupOk(options);
      return message;
    }
  }

  /** ErrorResponse with severity ERROR and SQLSTATE XX000 unless `fields` says otherwise (no ReadyForQuery). */
  sendErrorResponse(fields: serverSide.ErrorFieldsInput): void {
    this.send((w) => serverSide.writeErrorResponse(w, { severity: 'ERROR', code: 'XX000', ...fields }));
  }

  /** ReadyForQuery with the given transaction status. */
  sendReadyForQuery(status: 'I' | 'T' | 'E' = 'I'): void {
    this.send((w) => serverSide.writeReadyForQuery(w, status));
  }

  /**
   * A result set: RowDescription, one DataRow per row (strings are text values, null is NULL) and
   * CommandComplete (`SELECT <rows>` unless `tag` is given). No ReadyForQuery, so it fits either protocol.
   */
  sendRows(
    fields: readonly serverSide.FieldDescriptionInput[],
    rows: readonly (readonly (Uint8Array | string | null)[])[],
    tag = `SELECT ${rows.length}`,
  ): void {
    this.send((w) => {
      serverSide.writeRowDescription(w, fields);
      for (const row of rows) serverSide.writeDataRow(w, row);
      serverSide.writeCommandComplete(w, tag);
    });
  }

  /** Closes gracefully (FIN) after pending writes, as a server does after a FATAL error. */
  end(): void {
    this.#socket.end();
  }

  /** Cuts the socket now, dropping pending writes: a crashed backend or a dropped network path. */
  destroy(): void {
    this.#socket.destroy();
  }

  /**
   * Cuts the socket with a TCP RST, so the client sees ECONNRESET rather than an orderly end. Reset once the
   * client has read what was sent (e.g. after its next message): an RST landing on unread data may reach the
   * client as a plain end of stream instead.
   */
  reset(): void {
    if (!this.#socket.destroyed) this.#socket.resetAndDestroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#failure !== undefined) return;
    try {
      this.#parser.push(chunk, (message) => {
        this.received.push(message);
        const waiter = this.#waiters.shift();
        if (waiter !== undefined) waiter.resolve(message);
        else this.#unread.push(message);
      });
    } catch (error) {
      // Like a real backend after a protocol violation: no further reading, and the connection goes.
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#failAll(this.#failure);
      this.#socket.destroy();
    }
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

/** A running fake server. */
export interface FakeServer {
  /** Always 127.0.0.1. */
  readonly host: string;
  /** The port the OS picked. */
  readonly port: number;
  /** Sessions in the order their connections were accepted. */
  readonly sessions: readonly FakeSession[];
  /** Script failures so far (a script ending in {@link FakeSessionClosedError} is not one). */
  readonly errors: readonly unknown[];
  /**
   * Stops listening, cuts every session and waits (up to a second) for the scripts to finish. Rejects with the
   * script failure, or an AggregateError of them, so an `afterEach(() => server.close())` reports scripts that
   * saw something other than what they expected.
   */
  close(): Promise<void>;
}

/** Starts a fake server on 127.0.0.1 and an OS-chosen port; every connection runs `script` in its own session. */
export async function startFakeServer(script: FakeScript): Promise<FakeServer> {
  const sessions: FakeSession[] = [];
  const errors: unknown[] = [];
  const running: Promise<unknown>[] = [];
  const server = net.createServer((socket) => {
    const session = new FakeSession(socket, sessions.length);
    sessions.push(session);
    const run = Promise.resolve()
      .then(() => script(session))
      .catch((error: unknown) => {
        if (error instanceof FakeSessionClosedError) return;
        errors.push(error);
        // The script cannot answer any more; cut the client loose rather than leave it waiting for a timeout.
        session.destroy();
      });
    running.push(run);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.destroy();
    await stopped;
    // A script stuck on something other than its socket must not hang the test run.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)));
    await Promise.race([Promise.all(running), grace]);
    clearTimeout(timer);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} fake server scripts failed`);
  };
  return {
    host: '127.0.0.1',
    port: address.port,
    sessions,
    errors,
    close: () => (closing ??= close()),
  };
}

/** A short description of a message for failure messages (payload bytes as a length, not a dump). */
function summarize(message: FrontendMessage): string {
  return JSON.stringify(message, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer'
      ? `<${(value as { data: unknown[] }).data.length} bytes>`
      : value,
  );
}
