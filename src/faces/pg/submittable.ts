/**
 * `client.query(submittable)` for the pg face: node-postgres' extension point, used by pg-cursor and
 * pg-query-stream (and through them by Knex's and TypeORM's streams). An object with a `submit` method is
 * handed a protocol writer instead of being run by the client; here that writer is a
 * {@link LowLevelConnection} that plays the backend on pgjet's public API (low-level-connection.ts).
 *
 * The contract with the face's `Client` ({@link submitQuery}):
 * - the client passes the pgjet `Connection` it wraps, its type parsers (pg's `client._types`: a
 *   submittable's result without parsers of its own gets them, as pg's client does) and how to turn pgjet's
 *   errors into the face's;
 * - the client runs nothing else on that connection until `finished` settles (pg's client keeps a
 *   submittable as its active query until its ReadyForQuery), then carries on with its queue;
 * - errors reach the submittable through its `handleError`, never through the client: a failed `submit()`,
 *   a statement's error, a handler that throws, and the connection closing while the submittable is active
 *   ('Connection terminated' when it was closed on request). The client must not deliver its own
 *   connection-loss error to a submittable it has handed over.
 */
import type { Connection } from '../../index.js';
import { LowLevelConnection, type SubmittableHandlers } from './low-level-connection.js';

export { LowLevelConnection, type SubmittableHandlers } from './low-level-connection.js';
export type { PgField, PgMessage, RowDescriptionMessage, DataRowMessage, CommandCompleteMessage, ReadyForQueryMessage } from './low-level-messages.js';

/** pg's type-parser registry (`types` of a client or a query): a text parser per type OID. */
export interface PgTypeParsers {
  /** The parser for `oid` in `format` (pg passes 'text' unless a field says otherwise). */
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown;
}

/** What `client.query()` recognises as a submittable: an object with `submit`, plus pg's handlers. */
export interface Submittable extends SubmittableHandlers {
  /** Called once, with the protocol writer; returning or throwing an Error fails the submittable. */
  submit(connection: LowLevelConnection): unknown;
  /** Where pg-cursor and pg-query-stream keep their `Result`, whose `_types` the client fills when unset. */
  _result?: { _types?: unknown } | null;
}

/** What the face's client gives {@link submitQuery}. */
export interface SubmitHost {
  /**
   * The pgjet connection the client wraps, which the submittable has to itself until `finished`; or a
   * promise of it, resolved when the submittable's turn comes (rejected when it cannot come).
   */
  readonly connection: Connection | Promise<Connection>;
  /** The client's type parsers, for a submittable whose result has none (pg's `client._types`). */
  readonly types?: PgTypeParsers;
  /** Turns a pgjet error into the error pg users expect (the face's DatabaseError); default: unchanged. */
  readonly mapError?: (err: Error) => Error;
}

/** A submittable on its way. */
export interface SubmittedQuery {
  /** Settles (never rejects) when the submittable's turn is over: its ReadyForQuery, its failure, or the connection's end. */
  readonly finished: Promise<void>;
  /** The protocol writer the submittable was given (for `client.connection`-style access while it runs). */
  readonly connection: LowLevelConnection;
}

/** True when `value` is a submittable (`typeof value.submit === 'function'`, pg's own test). */
export function isSubmittable(value: unknown): value is Submittable {
  return typeof value === 'object' && value !== null && typeof (value as { submit?: unknown }).submit === 'function';
}

const unchanged = (err: Error): Error => err;

/**
 * Starts `submittable` on `host.connection`: fills its result's type parsers when unset, calls its `submit`
 * with a {@link LowLevelConnection}, and reports a failed `submit()` to its `handleError` on the next tick (as
 * pg's client does).
 */
export function submitQuery(host: SubmitHost, submittable: Submittable): SubmittedQuery {
  const result = submittable._result;
  if (host.types !== undefined && result !== undefined && result !== null && result._types == null) result._types = host.types;
  const connection = new LowLevelConnection(host.connection, submittable, host.mapError ?? unchanged);
  let failure: Error | null = null;
  try {
    const returned = submittable.submit(connection);
    if (returned instanceof Error) failure = returned;
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  if (failure !== null) connection.abandon(failure);
  return { finished: connection.finished, connection };
}
