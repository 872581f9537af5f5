/**
 * Runner for postgres.js (`postgres`), with `prepare: true` (named statements, its default). Queries go
 * through `sql.unsafe(text, args, { prepare: true })`, which is the same query object a tagged template builds
 * and lets the benchmark use its fixed `$n` SQL text. postgres.js pipelines calls made on a busy connection, so
 * its pipelined mode is real pipelining.
 *
 * M6 uses its multi-row insert helper (sql`insert into t ${sql(rows)}`): one INSERT with 7,000 parameters,
 * different SQL from the others' executemany, reported but not a target. M5 uses its COPY … FROM STDIN
 * writable stream with text-format lines built from the rows (it has no record encoder).
 */
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { copyText, runTrial, type BatchRow, type BenchConnection, type BenchDriver, type Row } from './harness.js';
import type { TrialSpec } from '../workloads.js';

const version = (JSON.parse(readFileSync(new URL('../../node_modules/postgres/package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Params = Parameters<postgres.Sql['unsafe']>[1];

async function open(dsn: string, spec: TrialSpec): Promise<BenchConnection> {
  // One instance per connection: max 1 makes "one connection per worker" literal, as for the other drivers.
  const sql = postgres(dsn, { max: 1, prepare: true, onnotice: () => undefined });
  const wl = spec.workload;
  const cols = wl.columns.map(([n]) => n);
  const conn: BenchConnection = {
    query: async (text, args) => (await sql.unsafe<Row[]>(text, args as Params, { prepare: true })) as ArrayLike<Row>,
    close: () => sql.end({ timeout: 1 }),
  };
  if (wl.kind === 'batch') {
    conn.batch = async (objects) => void (await sql`insert into ${sql(wl.table ?? '')} ${sql(objects as Record<string, string | number>[], cols)}`);
  }
  if (wl.kind === 'copy') {
    conn.copy = async (rows) => {
      const stream = await sql`copy ${sql(wl.table ?? '')} (${sql(cols)}) from stdin`.writable();
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('finish', resolve);
        stream.end(copyText(rows as BatchRow[]));
      });
    };
  }
  // Open the connection now, outside the timed loop (postgres.js connects lazily on first query).
  await sql`select 1`;
  return conn;
}

const driver: BenchDriver = {
  version: `postgres.js ${version}`,
  open,
  prepareBatch: (wl, rows) => {
    if (wl.kind === 'copy') return rows;
    // The helper takes objects: what a postgres.js user holds. Built once, outside the timed loop.
    const cols = wl.columns.map(([n]) => n);
    return rows.map((r) => Object.fromEntries(cols.map((c, j) => [c, r[j]])));
  },
};

await runTrial(driver);
