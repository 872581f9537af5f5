/**
 * The benchmark adapter for any module with node-postgres' API: `pg` itself (bench/runners/pg.ts) and pgjet's
 * pg face (bench/runners/pgjet-pg.ts) are timed through the same lines, so their figures differ only by the
 * module underneath. Variants, chosen by the orchestrator:
 * - `unnamed`: `client.query({ text, values })`, pg's default (unnamed statement parsed on every call; with no
 *   values pg uses the simple-query protocol).
 * - `named`: `client.query({ name, text, values })`, pg's prepared statements (parsed once per connection).
 * - `unnest` (M6 only): the whole batch as one INSERT … SELECT FROM unnest($1::int4[], …), the fastest batch
 *   pg offers without extra packages. For M6 `unnamed`/`named` run the sequential loop inside one transaction.
 *
 * pg cannot pipeline: calls made while one is running wait in its internal queue, so its "pipelined" mode
 * measures that queue, one round trip per call.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pgModule from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyText, type BatchRow, type BenchConnection, type BenchDriver, type Row } from './harness.js';
import type { TrialSpec, Workload } from '../workloads.js';

/** Statement names per SQL text, shared by all connections of the process (pg keys its cache by name). */
const names = new Map<string, string>();
function nameFor(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `bench_${names.size + 1}`;
    names.set(sql, name);
  }
  return name;
}

/** PostgreSQL array type of each column of the batch table, for the unnest form. */
const UNNEST_TYPES: Record<string, string> = { int: 'int4[]', text: 'text[]', float: 'float8[]' };

function unnestSql(wl: Workload): string {
  const cols = wl.columns.map(([n]) => n).join(', ');
  const arrays = wl.columns.map(([, kind], i) => `$${i + 1}::${UNNEST_TYPES[kind]}`).join(', ');
  return `INSERT INTO ${wl.table} (${cols}) SELECT * FROM unnest(${arrays})`;
}

async function open(pg: PgModule, dsn: string, spec: TrialSpec): Promise<BenchConnection> {
  const client = new pg.Client({ connectionString: dsn });
  // An 'error' event nobody listens to would crash the runner instead of letting it report.
  client.on('error', () => undefined);
  await client.connect();
  const named = spec.variant === 'named' || spec.variant === 'unnest';
  const wl = spec.workload;

  const query = named
    ? async (text: string, values: readonly unknown[]): Promise<Row[]> =>
        (await client.query<Row>({ name: nameFor(text), text, values: values as unknown[] })).rows
    : async (text: string, values: readonly unknown[]): Promise<Row[]> =>
        (await client.query<Row>({ text, values: values as unknown[] })).rows;

  const conn: BenchConnection = { query, close: () => client.end() };
  if (wl.kind === 'batch') {
    if (spec.variant === 'unnest') {
      const text = unnestSql(wl);
      const name = nameFor(text);
      conn.batch = async (columns) => void (await client.query({ name, text, values: columns as unknown[][] }));
    } else {
      // Atomic like executeMany: one transaction around the loop, one round trip per row.
      conn.batch = async (rows) => {
        await client.query('BEGIN');
        try {
          for (const row of rows as BatchRow[]) await query(wl.sql, row);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      };
    }
  }
  if (wl.kind === 'copy') {
    // pg's COPY goes through the pg-copy-streams package: the rows as COPY text, streamed into COPY FROM STDIN.
    const cols = wl.columns.map(([n]) => n).join(', ');
    conn.copy = async (rows) => {
      const stream = client.query(copyFrom(`COPY ${wl.table ?? ''} (${cols}) FROM STDIN`));
      await pipeline(Readable.from([copyText(rows as BatchRow[])]), stream);
    };
  }
  return conn;
}

/** node-postgres' module shape: the real `pg`, or a module that offers its API (pgjet/pg). */
export type PgModule = Pick<typeof pgModule, 'Client'>;

/** The benchmark adapter for a module with pg's API; `version` is the report's driver string. */
export function pgLikeDriver(pg: PgModule, version: string): BenchDriver {
  return {
    version,
    open: (dsn, spec) => open(pg, dsn, spec),
    skipReason: (wl, _mode, _conn, spec) =>
      wl.kind === 'copy' && spec.variant === 'named' ? 'COPY has no statement to name: measured once, as pg (unnamed) with pg-copy-streams' : undefined,
    prepareBatch: (wl, rows, spec) => {
      if (spec.variant !== 'unnest') return rows;
      // A pg user holding rows must transpose them for unnest; done once, like the other drivers' input.
      return wl.columns.map((_, j) => rows.map((r) => r[j]));
    },
  };
}
