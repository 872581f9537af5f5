/**
 * Test-only stand-in for the face's Client in the submittable tests: it runs submittables one at a time on a
 * pgjet connection, each after the previous one's `finished`, which is all pg's client does for them. Also the
 * minimal typings of pg-cursor (which ships none) and a stock-pg counterpart for differential tests.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Connection } from '../../../src/index.js';
import { submitQuery, type PgTypeParsers, type Submittable } from '../../../src/faces/pg/submittable.js';

/** The parts of pg-cursor's result the tests read. */
export interface CursorResult {
  command: string | null;
  rowCount: number | null;
  fields: { name: string; dataTypeID: number; format: string }[];
  rows: unknown[];
  addRow(row: unknown): void;
}

/** pg-cursor's Cursor, as far as the tests use it. */
export interface PgCursor extends EventEmitter {
  read(rows: number): Promise<unknown[]>;
  read(rows: number, cb: (err: Error | undefined, rows: unknown[], result: CursorResult) => void): void;
  close(): Promise<void>;
  close(cb: (err?: Error) => void): void;
}

const require = createRequire(import.meta.url);

/** pg-cursor's constructor. */
export const Cursor = require('pg-cursor') as new (
  text: string,
  values?: unknown[] | null,
  config?: { rowMode?: 'array'; types?: PgTypeParsers },
) => PgCursor;

/** Runs submittables on a pgjet connection, serialised on their `finished` promises. */
export class SubmitOnlyClient {
  readonly conn: Connection;
  readonly types: PgTypeParsers | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(conn: Connection, types?: PgTypeParsers) {
    this.conn = conn;
    this.types = types;
  }

  /** `client.query(submittable)`: returns the submittable, as pg does. */
  query<T extends object>(submittable: T): T {
    this.#tail = this.#tail.then(() => submitQuery({ connection: this.conn, types: this.types }, submittable as unknown as Submittable).finished);
    return submittable;
  }

  /** Resolves once every submittable handed in so far has finished its turn. */
  idle(): Promise<void> {
    return this.#tail;
  }
}

/** A client that runs submittables: stock pg's, or the stand-in over pgjet. */
export interface SubmittingClient {
  query<T extends object>(submittable: T): T;
}

/** Stock pg's client as a {@link SubmittingClient}. */
export function stockClient(client: pg.Client): SubmittingClient {
  return { query: <T extends object>(s: T): T => client.query(s as unknown as pg.Submittable) as unknown as T };
}

/** Reads a cursor to its end in reads of the given sizes (cycled), returning each read's rows. */
export async function readInSizes(cursor: PgCursor, sizes: readonly number[]): Promise<unknown[][]> {
  const reads: unknown[][] = [];
  for (let i = 0; ; i++) {
    const rows = await cursor.read(sizes[i % sizes.length]);
    reads.push(rows);
    if (rows.length === 0) return reads;
  }
}
