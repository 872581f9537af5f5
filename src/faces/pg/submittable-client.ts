/**
 * The client's side of `client.query(submittable)`, as pg's `Client.query` does it: a callback given with the
 * call becomes the submittable's `callback` (pg-query-stream calls it with the result), a client that cannot
 * run queries fails the submittable on the next tick with the client's error, and otherwise the submittable
 * runs ({@link submitQuery}) once it owns the client's connection, which it keeps until its turn is over.
 */
import type { Connection } from '../../index.js';
import { submitQuery, type LowLevelConnection, type PgTypeParsers, type Submittable } from './submittable.js';

/** What a client offers {@link runSubmittable} (the face's Client provides it). */
export interface SubmittableClientHost {
  /**
   * Runs `fn` with the connection to itself: the client's later calls wait until the promise `fn` returns
   * settles. Rejects when the client cannot connect.
   */
  exclusive<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** The client's error for a query it cannot run now (ended, broken), or null when it can. */
  unusableError(): Error | null;
  /** The client's type parsers (its `types` option and `setTypeParser` calls). */
  readonly typeParsers: PgTypeParsers;
  /** Turns pgjet's errors into pg's (the face's DatabaseError); default: unchanged. */
  readonly mapError?: (err: Error) => Error;
  /** pg's `query_timeout` in milliseconds (the client's, or the submittable's own), if any. */
  readonly queryTimeout?: number;
}

/** A submittable with pg's optional `callback` slot. */
interface CallbackSlot {
  callback?: unknown;
}

/**
 * `client.query(submittable, values?, callback?)`: returns the submittable, as pg does. Its outcome reaches
 * it through its own handlers (and `callback`, which the submittable calls itself).
 */
export function runSubmittable<T extends object>(host: SubmittableClientHost, submittable: T, values?: unknown, callback?: unknown): T {
  const target = submittable as T & Submittable & CallbackSlot;
  if (target.callback === undefined || target.callback === null) {
    if (typeof values === 'function') target.callback = values;
    else if (callback !== undefined && callback !== null) target.callback = callback;
  }
  const unusable = host.unusableError();
  if (unusable !== null) {
    process.nextTick(() => failBeforeRunning(target, unusable));
    return submittable;
  }
  const mapError = host.mapError;
  // submit() runs now, as pg runs it when its client is idle (pg-cursor's close() before any read relies
  // on it); its calls wait for the connection, which the client hands over when the submittable's turn comes.
  let endTurn: () => void = () => undefined;
  const turnOver = new Promise<void>((resolve) => {
    endTurn = resolve;
  });
  const turn = new Promise<Connection>((resolve, reject) => {
    host
      .exclusive((conn) => {
        resolve(conn);
        return turnOver;
      })
      .catch(reject);
  });
  const submitted = submitQuery({ connection: turn, types: host.typeParsers, mapError }, target);
  submitted.finished.then(endTurn, endTurn);
  if (host.queryTimeout !== undefined && host.queryTimeout > 0) startReadTimeout(target, submitted.connection, host.queryTimeout, submitted.finished);
  return submittable;
}

/**
 * pg's query_timeout for a submittable: when it fires first, the submittable's callback gets pg's 'Query read
 * timeout' error (and is then disarmed), its `handleError` gets it on the next tick, and what runs for it is
 * cancelled on the server, which pg does not do.
 */
function startReadTimeout(target: Submittable & CallbackSlot, connection: LowLevelConnection, ms: number, finished: Promise<void>): void {
  const timer = setTimeout(() => {
    const error = new Error('Query read timeout');
    const callback = target.callback;
    target.callback = () => undefined;
    process.nextTick(() => connection.interrupt(error));
    if (typeof callback === 'function') (callback as (err: Error) => void)(error);
  }, ms);
  finished.then(() => clearTimeout(timer), () => clearTimeout(timer));
}

/** Hands a submittable that cannot run its error; a handler that throws can only be reported as a warning. */
function failBeforeRunning(target: Submittable, err: Error): void {
  try {
    target.handleError?.(err);
  } catch (thrown) {
    process.emitWarning(`pgjet/pg: a submittable's handleError threw: ${String(thrown)}`, { type: 'PgjetWarning' });
  }
}
