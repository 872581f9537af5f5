/**
 * node-postgres' `Query`: a query config with a callback or events. `client.query(new Query(…))` returns
 * the query itself, which emits `'row'` (row, result) for each row, then `'end'` (result), or `'error'`.
 */
import { EventEmitter } from 'node:events';
import type { Result } from './result.js';
import type { TypeParserSource } from './types.js';

/**
 * The callback of a query: the error, or null and the result (an array of results for several statements).
 * Typed as @types/pg types it (`err: Error`, `result: R`), so callbacks written against those typings fit.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's callbacks receive untyped results
export type QueryCallback<R = any> = (err: Error, result: R) => void;

/** A query as an object (`client.query({ text, values, name, rowMode, types })`). */
export interface QueryConfig<I = unknown[]> {
  /** SQL text. */
  text?: string;
  /** Parameters for `$1, $2, …`. */
  values?: I;
  /** A name: the statement is prepared once per connection (pgjet caches every statement anyway). */
  name?: string;
  /** `'array'` for rows as arrays. */
  rowMode?: 'array' | string;
  /** Parsers for this query's results. */
  types?: TypeParserSource;
  /** Client-side limit in ms. */
  query_timeout?: number;
  /** Accepted for compatibility. */
  binary?: boolean;
  /** Rows per portal fetch (pg's paging; here the whole result is read). */
  rows?: number;
  /** `'extended'` forces the extended protocol. */
  queryMode?: 'extended';
  /** A callback (instead of the promise). */
  callback?: QueryCallback;
}

/** A query config asking for array rows. */
export interface QueryArrayConfig<I = unknown[]> extends QueryConfig<I> {
  /** Rows as arrays. */
  rowMode: 'array';
}

/** pg's `Query` object. */
export class Query extends EventEmitter {
  /** SQL text. */
  text: string | undefined;
  /** Parameters. */
  values: unknown[] | undefined;
  /** Statement name. */
  name: string | undefined;
  /** Parsers for this query. */
  types: TypeParserSource | undefined;
  /** Row mode. */
  rowMode: string | undefined;
  /** `'extended'` or undefined. */
  queryMode: string | undefined;
  /** Portal page size (unused: results are read whole). */
  rows: number | undefined;
  /** Client-side timeout in ms. */
  query_timeout: number | undefined;
  /** Binary mode flag (accepted, not used). */
  binary: boolean | undefined;
  /** The callback, when given. */
  callback: QueryCallback | undefined;
  /** @internal set once the query finished, for `'end'`. */
  _result: Result | Result[] | undefined;

  /** @param config text or config; @param values parameters or the callback; @param callback the callback. */
  constructor(config?: string | QueryConfig, values?: unknown[] | QueryCallback, callback?: QueryCallback) {
    super();
    const c: QueryConfig = typeof config === 'string' ? { text: config } : { ...(config ?? {}) };
    if (typeof values === 'function') c.callback = values;
    else if (values) c.values = values as unknown[];
    if (callback) c.callback = callback;
    this.text = c.text;
    this.values = c.values as unknown[] | undefined;
    this.name = c.name;
    this.types = c.types;
    this.rowMode = c.rowMode;
    this.queryMode = c.queryMode;
    this.rows = c.rows;
    this.query_timeout = c.query_timeout;
    this.binary = c.binary;
    this.callback = c.callback;
  }
}
