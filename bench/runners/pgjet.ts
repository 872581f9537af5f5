/**
 * Runner for pgjet, loaded from src/ through tsx (the benchmark measures the working tree, not a build).
 * Queries use `conn.fetch`, M6 `conn.executeMany` (one pipeline, one Sync), M5 `conn.copyRecordsToTable`
 * when it exists: COPY lands in a later issue, so its absence is detected at run time and reported as a skip.
 * Several calls on one connection pipeline by design, so the pipelined mode needs nothing special.
 */
import { readFileSync } from 'node:fs';
import { runTrial, type BenchConnection, type BenchDriver, type Row } from './harness.js';
import type { TrialSpec } from '../workloads.js';

/** The part of pgjet's Connection the benchmark uses, typed locally so the runner compiles while src/ moves. */
interface PgjetConnection {
  fetch(sql: string, args?: readonly unknown[]): Promise<Row[]>;
  executeMany(sql: string, argsList: readonly (readonly unknown[])[]): Promise<unknown>;
  copyRecordsToTable?(table: string, options: { records: readonly (readonly unknown[])[]; columns: string[] }): Promise<unknown>;
  close(): Promise<void>;
}

interface PgjetModule {
  connect(dsn: string): Promise<PgjetConnection>;
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

async function load(): Promise<BenchDriver> {
  const pgjet = (await import('../../src/index.js')) as unknown as PgjetModule;
  const open = async (dsn: string, spec: TrialSpec): Promise<BenchConnection> => {
    const c = await pgjet.connect(dsn);
    const wl = spec.workload;
    const cols = wl.columns.map(([n]) => n);
    const conn: BenchConnection = {
      query: (sql, args) => c.fetch(sql, args),
      close: () => c.close(),
    };
    if (wl.kind === 'batch') conn.batch = async (rows) => void (await c.executeMany(wl.sql, rows as unknown[][]));
    if (wl.kind === 'copy' && typeof c.copyRecordsToTable === 'function') {
      const copy = c.copyRecordsToTable.bind(c);
      conn.copy = async (rows) => void (await copy(wl.table ?? '', { records: rows as unknown[][], columns: cols }));
    }
    return conn;
  };
  return {
    version: `pgjet ${pkg.version} (working tree)`,
    open,
    skipReason: (wl, _mode, conn) =>
      wl.kind === 'copy' && conn.copy === undefined
        ? 'pgjet has no conn.copyRecordsToTable yet (the COPY issue has not landed)'
        : undefined,
  };
}

await runTrial(load);
