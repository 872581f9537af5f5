/**
 * COPY … TO STDOUT (protocol docs, "COPY Operations"): a simple Query answered by CopyOutResponse, CopyData
 * messages (one per row in text and CSV), CopyDone, CommandComplete and ReadyForQuery. No barrier is needed:
 * the server finishes the COPY before it reads what was pipelined behind it.
 *
 * Rows are coalesced into chunks of up to {@link COPY_CHUNK} bytes (one copy out of the receive buffer, which
 * cannot be retained). When the sink asks to wait, socket reads pause, so a slow consumer makes the server
 * wait (TCP flow control) instead of the driver buffering the table.
 */
import { ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred } from '../../internal/index.js';
import { BackendCode, backendCodeName, parseCommandComplete, parseErrorFields, writeQuery } from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import type { Request } from '../request.js';
import type { Wire } from '../wire.js';
import { COPY_CHUNK } from './copy-in.js';
import { pauseReading, resumeReading } from './read-pause.js';

/**
 * The outcome of a COPY out stopped by a timeout or abort that the server finished anyway (the cancel came too
 * late): data was dropped after the interruption, so the call must not report success.
 */
export class CopyOutInterrupted extends Error {}

/** Where COPY TO STDOUT data goes. */
export interface CopyOutSink {
  /**
   * Receives the next chunk, which it may keep. Returning a promise means "wait": reading pauses until it
   * settles. Throwing or rejecting fails the COPY: it is cancelled on the server and the call rejects with
   * that error.
   */
  push(chunk: Buffer): void | Promise<void>;
}

/** One COPY TO STDOUT. Resolves with the tag ('COPY 42') once the sink has accepted every chunk. */
export class CopyOut implements Request {
  readonly #ctx: QueryContext;
  readonly #sql: string;
  readonly #sink: CopyOutSink;
  readonly #cancel: () => void;
  readonly #done = deferred<string>();
  #acc: Buffer | null = null;
  #accLength = 0;
  #flushScheduled = false;
  readonly #queue: Buffer[] = [];
  #busy = false;
  #paused = false;
  #discard = false;
  #protocolDone = false;
  #settled = false;
  #tag = '';
  #serverError: Error | null = null;
  #sinkError: Error | null = null;
  #interrupted = false;

  /**
   * @param sql a `COPY … TO STDOUT` statement.
   * @param cancel sends a CancelRequest for this request once it is the one running (used when the sink fails).
   */
  constructor(ctx: QueryContext, sql: string, sink: CopyOutSink, cancel: () => void) {
    this.#ctx = ctx;
    this.#sql = sql;
    this.#sink = sink;
    this.#cancel = cancel;
  }

  /** Settles with the tag, the sink's error, or the server's error. */
  get promise(): Promise<string> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    this.#ctx.writeDeferredCloses();
    writeQuery(wire.writer, this.#sql);
    wire.flushSoon();
    return true;
  }

  /** A timeout or abort: stop delivering, read on so the server can notice the cancel, and cancel it. */
  interrupt(cancelOnServer: () => void): void {
    if (this.#protocolDone || this.#discard) return;
    this.#interrupted = true;
    this.#stopDelivering();
    cancelOnServer();
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.CopyOutResponse:
        return;
      case BackendCode.CopyData:
        if (!this.#discard) this.#append(buf, start, end);
        return;
      case BackendCode.CopyDone:
        this.#flushAcc();
        return;
      case BackendCode.CommandComplete:
        this.#tag = parseCommandComplete(buf, start, end);
        return;
      case BackendCode.ErrorResponse:
        this.#serverError ??= databaseErrorFromFields(parseErrorFields(buf, start, end), this.#sql);
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} during COPY TO STDOUT`);
    }
  }

  handleReadyForQuery(): boolean {
    this.#flushAcc();
    this.#protocolDone = true;
    this.#maybeSettle();
    return true;
  }

  fail(err: Error): void {
    this.#stopDelivering();
    this.#protocolDone = true;
    this.#settle(err);
  }

  #append(buf: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.#accLength + length > COPY_CHUNK) this.#flushAcc();
    if (length >= COPY_CHUNK) {
      this.#deliver(Buffer.from(buf.subarray(start, end)));
      return;
    }
    if (this.#acc === null) {
      this.#acc = Buffer.allocUnsafe(COPY_CHUNK);
      this.#accLength = 0;
    }
    buf.copy(this.#acc, this.#accLength, start, end);
    this.#accLength += length;
    if (!this.#flushScheduled) {
      // Deliver what one socket read produced once the reads queued now are processed: chunks follow the
      // network's pace without a timer, and small outputs are not held back waiting for a full chunk.
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.#flushAcc();
      });
    }
  }

  #flushAcc(): void {
    const acc = this.#acc;
    const length = this.#accLength;
    if (acc === null || length === 0) return;
    this.#accLength = 0;
    if (length < COPY_CHUNK / 2) {
      // A small chunk gets its own exact-size copy, so the 64 kB buffer is reused instead of pinned.
      this.#deliver(Buffer.from(acc.subarray(0, length)));
    } else {
      this.#acc = null;
      this.#deliver(acc.subarray(0, length));
    }
  }

  #deliver(chunk: Buffer): void {
    if (this.#discard) return;
    if (this.#busy) this.#queue.push(chunk);
    else this.#push(chunk);
  }

  #push(chunk: Buffer): void {
    let waited: void | Promise<void>;
    try {
      waited = this.#sink.push(chunk);
    } catch (err) {
      this.#sinkFailed(err);
      return;
    }
    if (waited === undefined || typeof (waited as Partial<Promise<void>>).then !== 'function') return;
    this.#busy = true;
    if (!this.#paused) {
      this.#paused = true;
      pauseReading(this.#ctx.wire);
    }
    waited.then(
      () => {
        this.#busy = false;
        this.#drainQueue();
      },
      (err: unknown) => {
        this.#busy = false;
        this.#sinkFailed(err);
      },
    );
  }

  #drainQueue(): void {
    while (!this.#busy && !this.#discard && this.#queue.length > 0) this.#push(this.#queue.shift() as Buffer);
    if (!this.#busy) {
      this.#unpause();
      this.#maybeSettle();
    }
  }

  #unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    resumeReading(this.#ctx.wire);
  }

  #stopDelivering(): void {
    this.#discard = true;
    this.#queue.length = 0;
    this.#acc = null;
    this.#accLength = 0;
    this.#unpause();
  }

  /** The output failed: drop the rest, and cancel the COPY so the server stops producing it. */
  #sinkFailed(err: unknown): void {
    if (this.#sinkError !== null) return;
    this.#sinkError = err instanceof Error ? err : new Error(String(err));
    this.#stopDelivering();
    if (!this.#protocolDone) this.#cancel();
    this.#maybeSettle();
  }

  #maybeSettle(): void {
    if (!this.#protocolDone || this.#busy || this.#queue.length > 0) return;
    const dropped = this.#interrupted ? new CopyOutInterrupted('COPY TO STDOUT interrupted') : null;
    this.#settle(this.#sinkError ?? this.#serverError ?? dropped);
  }

  #settle(err: Error | null): void {
    if (this.#settled) return;
    this.#settled = true;
    if (err !== null) this.#done.reject(err);
    else this.#done.resolve(this.#tag);
  }
}
