/**
 * The Bind/Execute pairs of an extended query, one per argument list: written straight into the wire's buffer,
 * and for big batches (executeMany, fetchMany) streamed in bounded chunks with backpressure, so a million rows
 * never build one giant buffer while the batch still ends in a single Sync (all or nothing).
 */
import { DataError } from '../../errors/index.js';
import { beginBind, endBind, writeExecute, writeSync } from '../../protocol/index.js';
import { paramFormatsFor, writeParamValues } from '../params.js';
import type { CodecLookup, Statement } from '../statement.js';
import type { Wire } from '../wire.js';

/** Executions written per synchronous chunk before waiting for the socket to drain. */
export const BIND_CHUNK = 1000;

/**
 * A batch longer than twice this may send its first this-many executions at once, before encoding the rest, so
 * the server starts executing while the client is still encoding (at c=1 the two otherwise take turns: a
 * 1000-row batch left the server idle for the whole encode).
 */
export const FIRST_FLUSH_ROWS = 64;

/**
 * How many executions the first, synchronous write of a call holds (the rest go through {@link streamBinds}).
 *
 * Sending early means a value a codec rejects later in the batch is found after part of it reached the server;
 * the batch is then failed on the server, and its Sync rolls it back. That is only invisible when the batch is
 * its own implicit transaction: `alone` must say the session is idle (no transaction open) and nothing else is
 * in flight on the wire. Otherwise the first write keeps up to {@link BIND_CHUNK} executions, so a bad value
 * in them is refused before anything is sent and leaves an open transaction untouched.
 */
export function firstChunkEnd(total: number, alone: boolean): number {
  return alone && total > 2 * FIRST_FLUSH_ROWS ? FIRST_FLUSH_ROWS : Math.min(total, BIND_CHUNK);
}

/** What the Bind messages of one call need to know. */
export interface BindSource {
  /** The statement executed. */
  stmt: Statement;
  /** One argument list per execution. */
  argsList: readonly (readonly unknown[])[];
  /** Parameters and results in text format (the `format: 'text'` option). */
  text: boolean;
  /** Result-column formats as Bind carries them. */
  resultFormats: number | readonly number[];
  /** The connection's codecs. */
  codecs: CodecLookup;
}

/**
 * Appends Bind + Execute for the argument lists `from` up to `to`. A value a codec rejects throws its DataError,
 * naming the argument list when there are several; the caller truncates what was half written.
 */
export function writeBinds(wire: Wire, src: BindSource, from: number, to: number): void {
  const w = wire.writer;
  const { stmt, argsList, codecs, resultFormats } = src;
  for (let k = from; k < to; k++) {
    const args = argsList[k];
    const paramFormats = src.text ? 0 : paramFormatsFor(stmt, args, codecs);
    const at = beginBind(w, '', stmt.name, paramFormats, stmt.paramOids.length);
    try {
      writeParamValues(w, stmt, args, codecs, paramFormats);
    } catch (err) {
      if (err instanceof DataError && argsList.length > 1) err.message = `argument list ${k}: ${err.message}`;
      throw err;
    }
    endBind(w, at, resultFormats);
    writeExecute(w, '', 0);
  }
}

/** How a streamed batch reports back to its request. */
export interface BatchControl {
  /** True once the call has failed (a server error came back): stop writing. */
  stopped(): boolean;
  /** A later chunk held a value a codec rejects. */
  failed(err: Error): void;
}

/**
 * Writes the argument lists from `from` on in chunks of {@link BIND_CHUNK}, waiting for the socket to drain
 * between chunks, then the one Sync. The request holds the wire meanwhile (nothing may come between the
 * chunks), and this releases it at the end.
 */
export async function streamBinds(wire: Wire, src: BindSource, from: number, holder: Parameters<Wire['release']>[0], control: BatchControl): Promise<void> {
  const w = wire.writer;
  const total = src.argsList.length;
  let k = from;
  while (k < total && !control.stopped() && !wire.isClosed) {
    if (!wire.flushNow()) await wire.drained();
    const end = Math.min(total, k + BIND_CHUNK);
    const mark = w.position;
    try {
      writeBinds(wire, src, k, end);
    } catch (err) {
      w.truncate(mark);
      control.failed(err as Error);
      // Earlier chunks reached the server: make the batch fail there too, so Sync rolls it all back.
      writeExecute(w, 'pgjet_abort_batch', 0);
      break;
    }
    k = end;
  }
  if (wire.isClosed) return;
  writeSync(w);
  wire.flushSoon();
  wire.release(holder);
}
