/**
 * A bound portal's rows, read through pgjet's `cursor()`: an Execute with a row limit becomes "take the next
 * `n` rows", whatever batch size pgjet fetches with. Every column is requested as the server's text (per-call
 * `types` overrides by OID), which is what a node-postgres submittable parses.
 *
 * As on the server, an Execute that fills its limit reports the portal suspended, even when no row is left;
 * only a short (or unlimited) Execute completes it. pgjet's cursor holds the connection from the first
 * Execute until the portal is exhausted or closed, as PostgreSQL's unnamed portal holds its implicit
 * transaction open until the Sync.
 */
import type { ColumnInfo, Connection, TypeOverride } from '../../index.js';

/** Rows pgjet fetches per round trip when an Execute asks for all of them. */
const ALL_ROWS_BATCH = 1000;

/** The largest row limit pgjet's cursor accepts per round trip. */
const MAX_BATCH = 0x7fffffff;

/** A row as text values (null for SQL NULL). */
export type TextRow = (string | null)[];

/** What one Execute produced. */
export interface ExecuteOutcome {
  /** The rows, at most the limit asked for. */
  rows: TextRow[];
  /** True when the portal is exhausted (CommandComplete); false when suspended (PortalSuspended). */
  isComplete: boolean;
}

/** Per-call overrides that make every column of `columns` arrive as the server's text. */
export function textOverrides(columns: readonly ColumnInfo[]): Record<number, TypeOverride> {
  // Keyed by OID on an object without a prototype: pgjet also looks a column's type up by name, and a name
  // must never meet an inherited property.
  const types = Object.create(null) as Record<number, TypeOverride>;
  for (const col of columns) types[col.typeOid] = 'text';
  return types;
}

/** One portal's rows, taken `n` at a time. */
export class PortalReader {
  readonly #conn: Connection;
  readonly #sql: string;
  readonly #values: readonly unknown[];
  readonly #columns: readonly ColumnInfo[];
  readonly #signal: AbortSignal | undefined;
  #rows: AsyncGenerator<TextRow, void, undefined> | null = null;
  #isExhausted = false;

  /**
   * @param conn the pgjet connection.
   * @param sql the statement.
   * @param values its parameters.
   * @param columns its result columns (from the statement's description).
   * @param signal cancels the fetching (on the server while a batch runs).
   */
  constructor(conn: Connection, sql: string, values: readonly unknown[], columns: readonly ColumnInfo[], signal?: AbortSignal) {
    this.#conn = conn;
    this.#sql = sql;
    this.#values = values;
    this.#columns = columns;
    this.#signal = signal;
  }

  /** True once an Execute completed the portal. */
  get isExhausted(): boolean {
    return this.#isExhausted;
  }

  /** The next `limit` rows (0: all that are left). Rejects with the statement's error. */
  async execute(limit: number): Promise<ExecuteOutcome> {
    if (this.#isExhausted) return { rows: [], isComplete: true };
    // The first Execute's limit sets pgjet's batch size: a consumer reading a fixed number of rows at a time
    // (pg-query-stream, pg-cursor) then costs one round trip per Execute.
    this.#rows ??= this.#conn.cursor<TextRow>(this.#sql, this.#values, {
      prefetch: limit === 0 ? ALL_ROWS_BATCH : Math.min(limit, MAX_BATCH),
      rowMode: 'array',
      types: textOverrides(this.#columns),
      signal: this.#signal,
    });
    const rows: TextRow[] = [];
    while (limit === 0 || rows.length < limit) {
      const next = await this.#rows.next();
      if (next.done === true) {
        this.#isExhausted = true;
        return { rows, isComplete: true };
      }
      rows.push(next.value);
    }
    return { rows, isComplete: false };
  }

  /** Closes the portal (leaving pgjet's cursor frees the connection); does nothing once exhausted or closed. */
  async close(): Promise<void> {
    const rows = this.#rows;
    this.#isExhausted = true;
    if (rows === null) return;
    this.#rows = null;
    await rows.return(undefined);
  }
}
