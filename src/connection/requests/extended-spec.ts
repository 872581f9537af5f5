/**
 * What an extended-protocol call is asked to do and what it resolves with (fetch, query, execute with
 * arguments, executeMany, fetchMany, prepared statements).
 */
import type { ColumnInfo, Statement } from '../statement.js';
import type { TypeOverrides } from './overrides.js';

/** What to run. */
export interface ExtendedQuerySpec {
  /** SQL with $n placeholders. */
  sql: string;
  /** One argument list per execution (one for fetch; many for executeMany/fetchMany). */
  argsList: readonly (readonly unknown[])[];
  /** Row shape. */
  rowMode: 'object' | 'array';
  /** Keep rows (false for executeMany, which only reports tags). */
  collectRows: boolean;
  /** Per-query decoding overrides. */
  types?: TypeOverrides;
  /** 'text' sends parameters and requests results in text format (for tests and debugging); default binary. */
  format?: 'binary' | 'text';
  /** An explicitly prepared statement to execute instead of looking up the cache. */
  statement?: Statement;
  /** Prepare and describe only (conn.prepare): no Bind/Execute. */
  prepareOnly?: boolean;
  /** Server-side name to prepare under (explicit statements); default: the cache decides. */
  name?: string;
}

/** What an extended query resolves with. */
export interface ExtendedResult {
  /** Rows of every execution, in order. */
  rows: unknown[];
  /** The last command tag ('INSERT 0 1'). */
  tag: string;
  /** Rows affected or returned, summed over executions. */
  rowCount: number;
  /** Result columns. */
  columns: ColumnInfo[];
  /** The statement that ran. */
  statement: Statement;
}
