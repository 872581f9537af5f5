/**
 * node-postgres' error shapes on pgjet's errors. A server error stays the pgjet `DatabaseError` subclass it
 * is (`instanceof UniqueViolationError` keeps working) and is given pg's look: `name` `'error'`, and
 * `position`, `internalPosition` and `line` as the strings pg-protocol reads. The face's `DatabaseError`
 * counts every pgjet server error as an instance, so `err instanceof pg.DatabaseError` holds.
 */
import { DatabaseError as PgjetDatabaseError, TimeoutError, type DatabaseErrorFields } from '../../index.js';

/** Fields pg-protocol reads as strings; pgjet types them as numbers. */
const STRING_FIELDS = ['position', 'internalPosition', 'line'] as const;

/** pg's `DatabaseError` (from pg-protocol): an ErrorResponse's fields as strings. */
export class DatabaseError extends Error {
  /** Length of the server's message in bytes (pg-protocol's framing detail). */
  length: number;
  /** ERROR, FATAL, PANIC. */
  severity: string | undefined;
  /** The SQLSTATE, e.g. '23505'. */
  code: string | undefined;
  /** The server's detail line. */
  detail: string | undefined;
  /** The server's hint. */
  hint: string | undefined;
  /** 1-based character position in the query, as text. */
  position: string | undefined;
  /** Position in `internalQuery`, as text. */
  internalPosition: string | undefined;
  /** An internally generated query that failed. */
  internalQuery: string | undefined;
  /** Call stack context. */
  where: string | undefined;
  /** Schema of the object concerned. */
  schema: string | undefined;
  /** Table of the object concerned. */
  table: string | undefined;
  /** Column concerned. */
  column: string | undefined;
  /** Data type concerned. */
  dataType: string | undefined;
  /** Constraint concerned. */
  constraint: string | undefined;
  /** Server source file. */
  file: string | undefined;
  /** Line in that file, as text. */
  line: string | undefined;
  /** Server routine. */
  routine: string | undefined;

  /** As pg-protocol builds it: the message, the message's length, and `'error'` or `'notice'`. */
  constructor(message: string, length = 0, name = 'error') {
    super(message);
    this.length = length;
    this.name = name;
  }

  /** pgjet's server errors are pg `DatabaseError`s too. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof PgjetDatabaseError || (typeof value === 'object' && value !== null && Object.prototype.isPrototypeOf.call(DatabaseError.prototype, value));
  }
}

/** Gives a pgjet server error pg's field types and name, in place (the class and the stack stay). */
export function asPgDatabaseError(err: PgjetDatabaseError): PgjetDatabaseError {
  const fields = err as unknown as Record<string, unknown>;
  for (const key of STRING_FIELDS) {
    const value = fields[key];
    if (typeof value === 'number') Object.defineProperty(err, key, { value: String(value), writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(err, 'name', { value: 'error', writable: true, enumerable: false, configurable: true });
  Object.defineProperty(err, 'length', { value: Buffer.byteLength(err.message), writable: true, enumerable: false, configurable: true });
  return err;
}

/** A notice as pg emits it: pg-protocol's `NoticeMessage`, a plain object (not an Error) named `'notice'`. */
export interface PgNotice {
  /** Always `'notice'`. */
  name: 'notice';
  /** Length of the server's message in bytes. */
  length: number;
  /** The primary message. */
  message: string;
  /** The other fields, as strings, under pg's names (`severity`, `code`, `detail`, `hint`, `where`, …). */
  [field: string]: string | number | undefined;
}

/** Builds pg's notice object from pgjet's notice fields. */
export function pgNotice(notice: DatabaseErrorFields): PgNotice {
  const out: PgNotice = { name: 'notice', length: Buffer.byteLength(notice.message), message: notice.message };
  for (const [key, value] of Object.entries(notice)) {
    if (key === 'message' || value === undefined) continue;
    out[key] = typeof value === 'number' ? String(value) : (value as string);
  }
  return out;
}

/** The error pg reports when `query_timeout` passes; still a pgjet `TimeoutError`, with the server's cancel as `cause`. */
export function queryReadTimeout(cause: unknown): Error {
  return new TimeoutError('Query read timeout', { cause });
}

/** Maps an error of a pgjet call to what a pg user sees. */
export function toPgError(err: unknown): Error {
  if (err instanceof PgjetDatabaseError) return asPgDatabaseError(err);
  return err instanceof Error ? err : new Error(String(err));
}
