/**
 * COPY … FROM STDIN (protocol docs, "COPY Operations"). The COPY statement goes out as a simple Query; once the
 * server answers CopyInResponse, a feeder streams CopyData messages, then CopyDone, or CopyFail to abort, which
 * makes the server fail the COPY so none of its rows are kept. The request holds the wire from its Query until
 * CopyDone or CopyFail is written: any other message in copy-in mode would abort the COPY (docs/ARCHITECTURE.md,
 * "Rules the connection keeps").
 */
import { ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred } from '../../internal/index.js';
import {
  BackendCode,
  backendCodeName,
  parseCommandComplete,
  parseErrorFields,
  writeCopyData,
  writeCopyDone,
  writeCopyFail,
  writeQuery,
} from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import type { Request } from '../request.js';
import type { Wire } from '../wire.js';

/**
 * Bytes buffered before the outgoing buffer is flushed, and the largest CopyData payload written: big enough
 * to amortise syscalls, small enough that memory stays bounded whatever the input size.
 */
export const COPY_CHUNK = 64 * 1024;

/** The CopyFail reason for a timeout or abort; the server reports it as 57014 (query_canceled). */
const INTERRUPTED = 'pgjet: COPY interrupted by a timeout or abort';

/** Thrown inside a feeder once the COPY can no longer succeed; the feeder just stops. */
export class CopyStopped extends Error {}

/** Produces the data of a COPY FROM STDIN through a {@link CopyInChannel}; throwing aborts the COPY. */
export type CopyInFeed = (channel: CopyInChannel) => Promise<void>;

/**
 * What a feeder writes through. It only ever writes whole CopyData messages, synchronously, so no other code
 * (a scheduled flush, the next request) can see a half-written message while the feeder awaits its source.
 */
export class CopyInChannel {
  readonly #wire: Wire;
  readonly #isOpen: () => boolean;
  /** Called once when the COPY stops early (to close the source); set by the feeder. */
  onStop: (() => void) | null = null;

  /** @internal made by {@link CopyIn}. */
  constructor(wire: Wire, isOpen: () => boolean) {
    this.#wire = wire;
    this.#isOpen = isOpen;
  }

  /** True once the COPY cannot succeed any more (server error, interruption, closed connection). */
  get isStopped(): boolean {
    return !this.#isOpen() || this.#wire.isClosed;
  }

  /**
   * Sends `data` as CopyData messages of at most {@link COPY_CHUNK} bytes, flushing and waiting for the socket
   * to drain whenever a chunk's worth is buffered (backpressure). Throws {@link CopyStopped} once stopped.
   */
  async send(data: Uint8Array): Promise<void> {
    const wire = this.#wire;
    const w = wire.writer;
    for (let off = 0; off < data.length; off += COPY_CHUNK) {
      if (this.isStopped) throw new CopyStopped();
      writeCopyData(w, off === 0 && data.length <= COPY_CHUNK ? data : data.subarray(off, off + COPY_CHUNK));
      if (w.length >= COPY_CHUNK) {
        if (!wire.flushNow()) await wire.drained();
      } else {
        wire.flushSoon();
      }
    }
    if (this.isStopped) throw new CopyStopped();
  }

  /**
   * Feeds each item of an async iterable to `onItem`, in order, as long as the COPY is running. Stopping early
   * (a server error, a timeout, `onItem` throwing) closes the source, as leaving `for await` would.
   */
  async forEachAsync<T>(source: AsyncIterable<T>, onItem: (item: T) => void | Promise<void>): Promise<void> {
    const it = source[Symbol.asyncIterator]();
    this.onStop = () => {
      it.return?.()?.catch(() => undefined);
    };
    let finished = false;
    try {
      for (;;) {
        const step = await it.next();
        if (step.done === true) {
          finished = true;
          break;
        }
        if (this.isStopped) throw new CopyStopped();
        await onItem(step.value);
      }
    } finally {
      if (!finished) await it.return?.()?.catch(() => undefined);
    }
  }

  /** @internal */
  stop(): void {
    const onStop = this.onStop;
    this.onStop = null;
    if (onStop === null) return;
    try {
      onStop();
    } catch {
      // Closing the source is best effort: the COPY's outcome is already decided.
    }
  }
}

/** One COPY FROM STDIN. Resolves with the command tag ('COPY 42'). */
export class CopyIn implements Request {
  readonly #ctx: QueryContext;
  readonly #sql: string;
  readonly #feed: CopyInFeed;
  readonly #done = deferred<string>();
  #phase: 'queued' | 'starting' | 'copying' | 'ending' | 'finished' = 'queued';
  #channel: CopyInChannel | null = null;
  #serverError: Error | null = null;
  #feedError: Error | null = null;
  #interrupted = false;
  #tag = '';

  /** @param sql a `COPY … FROM STDIN` statement. @param feed writes the data. */
  constructor(ctx: QueryContext, sql: string, feed: CopyInFeed) {
    this.#ctx = ctx;
    this.#sql = sql;
    this.#feed = feed;
  }

  /** Settles with the tag, the feeder's error (which caused the CopyFail), or the server's error. */
  get promise(): Promise<string> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    this.#ctx.writeDeferredCloses();
    writeQuery(wire.writer, this.#sql);
    wire.hold(this);
    this.#phase = 'starting';
    wire.flushSoon();
    return true;
  }

  /**
   * Stops a written COPY (timeout or abort). While data flows pgjet aborts it itself with CopyFail (a
   * CancelRequest would only be noticed once more data arrived). Before CopyInResponse (the server may be
   * waiting for a lock) and after CopyDone only the server can stop it, so `cancelOnServer` sends a
   * CancelRequest; should copying begin before that lands, CopyFail follows at once. Every path ends in 57014.
   */
  interrupt(cancelOnServer: () => void): void {
    if (this.#interrupted || this.#phase === 'finished' || this.#phase === 'queued') return;
    this.#interrupted = true;
    if (this.#phase === 'copying') this.#endCopy(INTERRUPTED);
    else cancelOnServer();
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.CopyInResponse: {
        const wire = this.#ctx.wire;
        this.#phase = 'copying';
        this.#channel = new CopyInChannel(wire, () => this.#phase === 'copying');
        if (this.#interrupted) {
          this.#endCopy(INTERRUPTED);
          return;
        }
        void this.#runFeed(this.#channel);
        return;
      }
      case BackendCode.CommandComplete:
        this.#tag = parseCommandComplete(buf, start, end);
        return;
      case BackendCode.ErrorResponse:
        // After an error in copy-in mode the server ignores any CopyData/CopyDone/CopyFail we still send
        // (protocol docs, "COPY Operations"): stop feeding and let later requests through.
        this.#serverError ??= databaseErrorFromFields(parseErrorFields(buf, start, end), this.#sql);
        if (this.#phase === 'copying') this.#endCopy(undefined);
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} during COPY FROM STDIN`);
    }
  }

  async #runFeed(channel: CopyInChannel): Promise<void> {
    let failure: Error | null = null;
    try {
      await this.#feed(channel);
    } catch (err) {
      if (!(err instanceof CopyStopped)) failure = err instanceof Error ? err : new Error(String(err));
    }
    // Already ended (server error, interruption, closed socket): that is the outcome to report.
    if (this.#phase !== 'copying') return;
    if (failure !== null) {
      this.#feedError = failure;
      this.#endCopy(`pgjet: ${failure.message}`);
    } else {
      this.#endCopy(null);
    }
  }

  /**
   * Leaves copy-in mode: writes CopyDone (`reason` null), CopyFail (a reason), or nothing (undefined: the
   * server already failed the COPY), and lets later requests be written behind it.
   */
  #endCopy(reason: string | null | undefined): void {
    const wire = this.#ctx.wire;
    this.#phase = 'ending';
    if (!wire.isClosed && reason !== undefined) {
      if (reason === null) writeCopyDone(wire.writer);
      else writeCopyFail(wire.writer, reason.length > 1000 ? `${reason.slice(0, 1000)}…` : reason);
      wire.flushSoon();
    }
    this.#channel?.stop();
    wire.release(this);
  }

  handleReadyForQuery(): boolean {
    const wasCopying = this.#phase === 'copying';
    this.#phase = 'finished';
    if (wasCopying) this.#channel?.stop();
    this.#ctx.wire.release(this);
    const err = this.#feedError ?? this.#serverError;
    if (err !== null) this.#done.reject(err);
    else this.#done.resolve(this.#tag);
    return true;
  }

  fail(err: Error): void {
    this.#phase = 'finished';
    this.#channel?.stop();
    this.#done.reject(err);
  }
}
