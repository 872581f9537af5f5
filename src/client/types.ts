/** Public types of query calls. */
import type { ColumnInfo } from '../connection/index.js';

/** A result row: an object keyed by column name. */
export type Row = Record<string, unknown>;

/** Decoding override for one type: the server's text, or a function of it. */
export type TypeOverride = 'text' | ((text: string) => unknown);

/** How rows come back: objects keyed by column name, or arrays in column order. */
export type RowMode = 'object' | 'array';

/**
 * The row type of a call made with `rowMode: M`: `R`, except that `rowMode: 'array'` without an explicit array
 * type gives `unknown[]` (`conn.fetch(q, [], { rowMode: 'array' })` is `Promise<unknown[][]>`). An explicit
 * type argument always wins: `conn.fetch<[number, string]>(q, [], { rowMode: 'array' })`.
 */
export type RowOf<R, M extends RowMode> = [M] extends ['array'] ? (R extends readonly unknown[] ? R : unknown[]) : R;

/**
 * Options accepted by every query method (third argument). `M` is the literal `rowMode` of a call, which is how
 * the result's row type follows it (see {@link RowOf}).
 */
export interface QueryOptions<M extends RowMode = RowMode> {
  /** Milliseconds before the call is cancelled (on the server when it has started) with a `TimeoutError`. */
  timeout?: number;
  /** Aborts the call with an `AbortError` whose `cause` is `signal.reason`. */
  signal?: AbortSignal;
  /** `'object'` (default) or `'array'` rows (arrays keep duplicate column names). */
  rowMode?: M;
  /** Per-query decoding overrides by type name or OID. */
  types?: Readonly<Record<string | number, TypeOverride>>;
  /**
   * Wire format of parameters and results: 'binary' (default, for every type with a binary codec) or 'text'
   * (every value through the types' text forms; for debugging and for proving both formats agree).
   */
  format?: 'binary' | 'text';
}

/** `fetchVal` options: which column to return. */
export interface FetchValOptions extends QueryOptions {
  /** Column index or name (default 0). */
  column?: number | string;
}

/** What `query()` resolves with. */
export interface QueryResult<R = Row> {
  /** The rows. */
  rows: R[];
  /** Column metadata. */
  columns: ColumnInfo[];
  /** The command tag's verb: 'SELECT', 'INSERT', … */
  command: string;
  /** The whole command tag as the server sent it ('INSERT 0 1', 'CREATE TABLE'). */
  tag: string;
  /** Rows returned or affected. */
  rowCount: number;
}

export type { ColumnInfo };
