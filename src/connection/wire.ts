/**
 * The protocol state of one open connection: the socket, the framer, the outgoing buffer flushed once per
 * tick, and two queues (requests waiting to be written, requests written and awaiting responses). It knows
 * message types and ordering, not SQL semantics; those live in the request modules.
 */
import type net from 'node:net';
import { ConnectionError, ProtocolError, databaseErrorFromFields } from '../errors/index.js';
import { ByteWriter, Queue } from '../internal/index.js';
import {
  BackendCode,
  MessageFramer,
  backendCodeName,
  parseErrorFields,
  parseNotificationResponse,
  parseParameterStatus,
  parseReadyForQuery,
  writeTerminate,
} from '../protocol/index.js';
import type { Request } from './request.js';
import { readChunks } from './transport.js';

/** Callbacks through which the wire reports what is not an answer to a request. */
export interface WireEvents {
  /** A NoticeResponse (NOTICE, WARNING, …) as raw fields. */
  notice(fields: Map<number, string>): void;
  /** A NotificationResponse from LISTEN. */
  notification(channel: string, payload: string, processId: number): void;
  /** A ParameterStatus after startup. */
  parameterStatus(name: string, value: string): void;
  /** The connection is closed; `reason` is set when it did not close on request. */
  closed(reason: Error | undefined): void;
}

/**
 * After this long with nothing in flight, the next write waits for one turn of the event loop first. A socket
 * the server (or a middlebox) closed while the connection sat idle, or while the process was frozen between
 * requests, has its end already waiting to be read: that turn reads it, and the call fails as never sent
 * (`safeToRetry`) instead of being written into a dead socket. Busy connections never wait.
 */
const IDLE_PROBE_MS = 100;

/** Bounds of one wire (see the constructor). */
export interface WireLimits {
  /** The longest backend message accepted, in bytes; the framer's default when absent. */
  maxMessageSize?: number;
  /** Milliseconds `close()` waits for the server to close the socket before destroying it. */
  closeTimeout?: number;
}

/** How long `close()` waits for the server when no limit is given. */
const DEFAULT_CLOSE_TIMEOUT = 10_000;

/** What a startup phase handler sees; it runs before requests are accepted. */
export type RawHandler = (code: number, buf: Buffer, start: number, end: number) => void;

/** A connection's wire: write requests in order, route responses, fail everything cleanly on close. */
export class Wire {
  /** The shared outgoing buffer; requests append their messages and the wire flushes once per tick. */
  readonly writer = new ByteWriter(16 * 1024);
  /** Server run-time parameters from ParameterStatus. */
  readonly parameters = new Map<string, string>();
  /** Transaction status from the last ReadyForQuery: 'I', 'T' or 'E'. */
  txStatus: 'I' | 'T' | 'E' = 'I';
  /** Backend process id, from BackendKeyData. */
  processId = 0;
  /** Cancel key, from BackendKeyData. */
  secretKey: Buffer = Buffer.alloc(0);
  /** Called instead of failing requests when the socket closes during startup. */
  onStartupClose: ((reason: Error | undefined) => void) | null = null;
  /** Close messages written for evicted statements whose CloseComplete is still to come. */
  closesPending = 0;
  /**
   * Write one request at a time: the next only after the previous one's ReadyForQuery. Set for `pgbouncer:
   * true`: PgBouncer before 1.21 hands the server connection back to its pool at every ReadyForQuery 'I' of
   * transaction mode, so a request pipelined behind another would be answered to nobody.
   */
  isSerial = false;

  readonly #socket: net.Socket;
  readonly #framer: MessageFramer;
  readonly #closeTimeout: number;
  readonly #pending = new Queue<Request>();
  readonly #inflight = new Queue<Request>();
  #holder: Request | null = null;
  #fence: Request | null = null;
  /** CancelRequests sent and not yet confirmed by the server closing their side socket. */
  #cancelsInFlight = 0;
  readonly #cancelWanted = new Map<Request, () => void>();
  #flushScheduled = false;
  /** The pending flush waits a loop turn (see {@link IDLE_PROBE_MS}). */
  #isProbing = false;
  /** The newest requests in flight whose bytes are still in {@link writer}, not yet handed to the socket. */
  #unflushed = 0;
  /** When the last request in flight finished (Date.now()), or 0 while requests are in flight. */
  #idleSince = Date.now();
  /** Why the connection closed, for the message of calls made afterwards. */
  #closeReason: Error | undefined;
  #closed = false;
  #closing = false;
  #raw: RawHandler | null = null;
  #lastServerError: Map<number, string> | null = null;
  readonly #events: WireEvents;
  readonly #describe: string;

  /**
   * @param socket a connected socket (TLS already negotiated). @param describe `host:port` for messages.
   * @param limits the longest backend message accepted (see {@link MessageFramer}) and how long `close()`
   * waits for the server to close the socket.
   */
  constructor(socket: net.Socket, events: WireEvents, describe: string, limits: WireLimits = {}) {
    this.#framer = new MessageFramer(limits.maxMessageSize);
    this.#closeTimeout = limits.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.#socket = socket;
    this.#events = events;
    this.#describe = describe;
    readChunks(socket, (chunk) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(new ConnectionError(`connection to ${describe} failed: ${err.message}`, { cause: err })));
    // 'end' (the server's FIN) comes before 'close' and is enough: the server will read nothing more.
    socket.on('end', () => this.#onClose());
    socket.on('close', () => this.#onClose());
  }

  /** True once the socket is closed or closing. */
  get isClosed(): boolean {
    return this.#closed || this.#closing;
  }

  /** Number of requests written and not yet answered. */
  get inflightCount(): number {
    return this.#inflight.length;
  }

  /** Number of requests queued and not yet written. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** The request the server is working on (the oldest in flight). */
  get current(): Request | undefined {
    return this.#inflight.peek();
  }

  /** `host:port` (or socket path) of the server. */
  get description(): string {
    return this.#describe;
  }

  /** Routes every message to `handler` (startup and authentication), or back to requests with null. */
  setRawHandler(handler: RawHandler | null): void {
    this.#raw = handler;
  }

  /** Queues a request; it is written as soon as everything before it has been written. */
  enqueue(req: Request): void {
    if (this.isClosed) {
      const why = this.#closeReason === undefined ? '' : ` (${this.#closeReason.message})`;
      req.fail(new ConnectionError(`connection to ${this.#describe} is closed${why}`, { cause: this.#closeReason, safeToRetry: true }), false);
      return;
    }
    this.#pending.push(req);
    if (this.#holder === null) this.#pump();
  }

  /** Removes a request that has not been written yet (timeout or abort before sending). */
  withdraw(req: Request): boolean {
    return this.#pending.remove(req);
  }

  /** True when `req` is queued but not yet written. */
  isPending(req: Request): boolean {
    for (let i = 0; i < this.#pending.length; i++) if (this.#pending.at(i) === req) return true;
    return false;
  }

  /** Stops writing later requests until `release(req)`: `req` needs a response before writing the rest. */
  hold(req: Request): void {
    this.#holder = req;
  }

  /** Ends a hold and writes what queued up behind it. */
  release(req: Request): void {
    if (this.#holder !== req) return;
    this.#holder = null;
    this.#pump();
  }

  /** True while some request holds the queue. */
  get isHeld(): boolean {
    return this.#holder !== null;
  }

  /**
   * Arranges for `onTurn` to run once `req` is the call the server is running (the oldest in flight), which is
   * the only moment a CancelRequest hits it and nothing else. Runs at once if it already is.
   */
  whenRunning(req: Request, onTurn: () => void): void {
    if (this.#inflight.peek() === req) onTurn();
    else this.#cancelWanted.set(req, onTurn);
  }

  /** Forgets a `whenRunning` arrangement (the call settled first). */
  forgetRunning(req: Request): void {
    this.#cancelWanted.delete(req);
  }

  /**
   * Stops writing later requests until `req` has received its ReadyForQuery (the cancel fence) and, when given,
   * until `delivered` settles: the CancelRequest's side socket closed, i.e. the server has signalled the backend.
   * A cancel signal that reaches an idle backend is discarded (postgres.c, PostgresMain step 5), but one still
   * travelling when the next query is written would cancel that query instead.
   */
  fence(req: Request, delivered?: Promise<unknown>): void {
    this.#fence = req;
    if (delivered === undefined) return;
    this.#cancelsInFlight++;
    const done = (): void => {
      if (this.#cancelsInFlight === 0) return;
      this.#cancelsInFlight--;
      if (this.#cancelsInFlight === 0 && this.#holder === null && this.#fence === null) this.#pump();
    };
    delivered.then(done, done);
  }

  #afterRequestDone(done: Request): void {
    if (this.#inflight.length === 0 && this.#pending.length === 0) this.#idleSince = Date.now();
    if (this.#fence === done) {
      this.#fence = null;
      if (this.#holder === null) this.#pump();
    } else if (this.isSerial && this.#holder === null) {
      this.#pump();
    }
    if (this.#cancelWanted.size === 0) return;
    const next = this.#inflight.peek();
    if (next === undefined) return;
    const onTurn = this.#cancelWanted.get(next);
    if (onTurn !== undefined) {
      this.#cancelWanted.delete(next);
      onTurn();
    }
  }

  /** Puts a request back at the head of the write queue (a transparent retry of a stale statement). */
  requeueFirst(req: Request): void {
    const rest = this.#pending.drain();
    this.#pending.push(req);
    for (const r of rest) this.#pending.push(r);
    if (this.#holder === null) this.#pump();
  }

  /** Asks for the outgoing buffer to be written at the end of this tick, coalescing all writes made meanwhile. */
  flushSoon(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Two hops: the first immediate may run before this turn's poll phase has read a waiting end of stream.
    if (this.#isProbing) setImmediate(() => setImmediate(() => this.#flush()));
    else process.nextTick(() => this.#flush());
  }

  /** Writes the outgoing buffer now; returns false when the socket asks to wait for 'drain'. */
  flushNow(): boolean {
    this.#flushScheduled = false;
    this.#isProbing = false;
    this.#unflushed = 0;
    if (this.writer.length === 0 || this.#closed) return true;
    return this.#socket.write(this.writer.take());
  }

  /** Resolves when the socket's write buffer has drained (backpressure for COPY and big batches). */
  drained(): Promise<void> {
    if (!this.#socket.writableNeedDrain || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', done);
    });
  }

  /** Pauses or resumes reading from the socket (backpressure for slow consumers of cursors and COPY out). */
  setReading(on: boolean): void {
    if (on) this.#socket.resume();
    else this.#socket.pause();
  }

  /**
   * Sends Terminate and closes; requests still queued fail with a ConnectionError. Settles once the server has
   * closed the socket, or after the close timeout, when the socket is destroyed (a server or network that
   * stalled must not hold up the close).
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      if (!this.#closing) {
        this.#closing = true;
        writeTerminate(this.writer);
        this.flushNow();
        this.#socket.end();
        const timer = setTimeout(() => {
          this.#fail(new ConnectionError(`connection to ${this.#describe} closed without the server's answer within ${this.#closeTimeout} ms`, { safeToRetry: true }), true);
        }, this.#closeTimeout);
        this.#socket.once('close', () => clearTimeout(timer));
      }
    });
  }

  /** Destroys the socket at once, failing everything with `reason`. */
  destroy(reason?: Error): void {
    if (this.#closed) return;
    this.#fail(reason ?? new ConnectionError(`connection to ${this.#describe} was terminated`));
  }

  #flush(): void {
    this.flushNow();
  }

  #pump(): void {
    if (this.#idleSince !== 0 && this.#pending.length > 0) {
      if (!this.#flushScheduled && Date.now() - this.#idleSince >= IDLE_PROBE_MS) this.#isProbing = true;
      this.#idleSince = 0;
    }
    while (this.#holder === null && this.#fence === null && this.#cancelsInFlight === 0 && this.#pending.length > 0) {
      if (this.isSerial && this.#inflight.length > 0) break;
      const req = this.#pending.shift() as Request;
      this.#inflight.push(req);
      this.#unflushed++;
      let written: boolean;
      try {
        written = req.write(this);
      } catch (err) {
        // A request must not throw from write; if one does, the stream may hold half a message.
        this.#fail(new ProtocolError('internal error while writing a request', { cause: err }));
        return;
      }
      if (!written) this.#removeInflight(req);
    }
    this.flushSoon();
  }

  #removeInflight(req: Request): void {
    if (this.#unflushed > 0) this.#unflushed--;
    // A request that wrote nothing is the newest in flight: rebuild the queue without it.
    const all = this.#inflight.drain();
    for (const r of all) if (r !== req) this.#inflight.push(r);
  }

  #onData(chunk: Buffer): void {
    try {
      this.#framer.push(chunk, this.#onMessage);
    } catch (err) {
      const error = err instanceof ProtocolError || err instanceof ConnectionError
        ? err
        : new ProtocolError(`failed to process a message from ${this.#describe}: ${(err as Error).message}`, { cause: err });
      this.#fail(error);
    }
  }

  readonly #onMessage = (code: number, buf: Buffer, start: number, end: number): void => {
    if (this.#raw !== null) {
      this.#raw(code, buf, start, end);
      return;
    }
    // DataRow first: it is most of the traffic, and always an answer to the request the server is running.
    if (code === BackendCode.DataRow) {
      const running = this.#inflight.peek();
      if (running !== undefined) {
        running.handleMessage(code, buf, start, end);
        return;
      }
    }
    switch (code) {
      case BackendCode.ReadyForQuery: {
        const status = parseReadyForQuery(buf, start, end);
        this.txStatus = status;
        const head = this.#inflight.peek();
        if (head === undefined) throw new ProtocolError('unexpected ReadyForQuery with no request in flight');
        if (head.handleReadyForQuery(status)) {
          this.#inflight.shift();
          this.#afterRequestDone(head);
        }
        return;
      }
      case BackendCode.NoticeResponse:
        this.#events.notice(parseErrorFields(buf, start, end));
        return;
      case BackendCode.NotificationResponse: {
        const n = parseNotificationResponse(buf, start, end);
        this.#events.notification(n.channel, n.payload, n.processId);
        return;
      }
      case BackendCode.ParameterStatus: {
        const [name, value] = parseParameterStatus(buf, start, end);
        this.parameters.set(name, value);
        this.#events.parameterStatus(name, value);
        return;
      }
      case BackendCode.CloseComplete:
        if (this.closesPending > 0) {
          this.closesPending--;
          return;
        }
        break;
      case BackendCode.ErrorResponse:
        if (this.#inflight.length === 0) {
          // A FATAL with nothing in flight (admin shutdown, idle timeout): keep it as the close reason.
          this.#lastServerError = parseErrorFields(buf, start, end);
          return;
        }
        {
          // A FATAL during a call (pg_terminate_backend, admin shutdown) ends the session: the socket closes
          // before any ReadyForQuery, so it is kept as the cause of the ConnectionError the calls then get.
          const fields = parseErrorFields(buf, start, end);
          const severity = fields.get(0x56) ?? fields.get(0x53);
          if (severity === 'FATAL' || severity === 'PANIC') this.#lastServerError = fields;
        }
        break;
      default:
        break;
    }
    const head = this.#inflight.peek();
    if (head === undefined) throw new ProtocolError(`unexpected ${backendCodeName(code)} with no request in flight`);
    head.handleMessage(code, buf, start, end);
  };

  /** The server's last unsolicited error, if any (a FATAL before it closed the socket). */
  get lastServerError(): Map<number, string> | null {
    return this.#lastServerError;
  }

  #onClose(): void {
    if (this.#closed) return;
    const wasClosing = this.#closing;
    const message = this.#lastServerError?.get(0x4d);
    this.#fail(
      wasClosing
        ? new ConnectionError(`connection to ${this.#describe} is closed`, { safeToRetry: true })
        : new ConnectionError(`server at ${this.#describe} closed the connection${message === undefined ? '' : `: ${message}`}`, {
          cause: this.#lastServerError === null ? undefined : databaseErrorFromFields(this.#lastServerError),
        }),
      wasClosing,
    );
  }

  #fail(reason: Error, requested = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#socket.destroy();
    // What was written may have run on the server (even when the close was requested): never safe to retry.
    const written = reason instanceof ConnectionError && reason.safeToRetry
      ? new ConnectionError(reason.message, { cause: reason.cause, safeToRetry: false })
      : reason;
    const notSent = reason instanceof ConnectionError
      ? new ConnectionError(reason.message, { cause: reason.cause, safeToRetry: true })
      : reason;
    // The newest requests in flight may still sit in the outgoing buffer: the server never saw them.
    const inflight = this.#inflight.drain();
    const sent = inflight.length - this.#unflushed;
    for (let i = 0; i < inflight.length; i++) inflight[i].fail(i < sent ? written : notSent, i < sent);
    for (const req of this.#pending.drain()) req.fail(notSent, false);
    this.#holder = null;
    this.#fence = null;
    this.#cancelsInFlight = 0;
    this.#cancelWanted.clear();
    if (this.#raw !== null) {
      this.#raw = null;
      this.onStartupClose?.(reason);
      return;
    }
    this.#events.closed(requested ? undefined : reason);
  }
}
