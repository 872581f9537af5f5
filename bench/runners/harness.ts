/**
 * The measuring loop every JavaScript runner shares, so pgjet, pg and postgres.js are timed by the same code
 * and differ only in the few lines of their adapter.
 *
 * A runner is a child process started by bench/run.ts for one driver; it receives TrialSpecs (one driver, one
 * workload, one or more modes) as JSON lines on stdin. For each mode it opens the connections, runs a validation pass (full checksum,
 * compared across drivers by the orchestrator), a warm-up, then the timed closed loop, and prints one line
 * `@@RESULT {json}` to stdout. Everything else on stdout/stderr is the driver's own noise and is ignored.
 */
import { constants as perfConstants, performance, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { assertPlainRow, compileChecksum, M, type RowsChecksum } from '../checksum.js';
import { batchRows, emptyResult, LOOKUP_VALIDATION_KEYS, type ModeSpec, type TrialResult, type TrialSpec, type Workload } from '../workloads.js';

export type Row = Record<string, unknown>;
export type BatchRow = ReturnType<typeof batchRows>[number];

/** One open connection, as the harness drives it. */
export interface BenchConnection {
  /** Runs `sql` with `args` through the driver's normal query path and resolves with the decoded rows. */
  query(sql: string, args: readonly unknown[]): Promise<ArrayLike<Row>>;
  /** Writes one batch (M6) from the input `prepareBatch` built. */
  batch?(input: unknown): Promise<void>;
  /** COPYs one set of rows (M5) from the input `prepareBatch` built. */
  copy?(input: unknown): Promise<void>;
  close(): Promise<void>;
}

/** What a runner file provides: how to open a connection, and what it cannot do. */
export interface BenchDriver {
  /** Driver version string for the report, e.g. 'pg 8.23.1'. */
  version: string;
  open(dsn: string, spec: TrialSpec, mode: ModeSpec): Promise<BenchConnection>;
  /**
   * Why this driver skips the workload in this mode (shown in the report), or undefined. Called with an open
   * connection so features can be detected at run time (pgjet's COPY).
   */
  skipReason?(workload: Workload, mode: ModeSpec, conn: BenchConnection, spec: TrialSpec): string | undefined;
  /**
   * Turns the batch rows into the form a user of this driver would already hold (arrays, objects, column
   * arrays): built once, outside the timed loop, so each driver is timed on encoding and sending only.
   */
  prepareBatch?(workload: Workload, rows: BatchRow[], spec: TrialSpec): unknown;
}

/** Latencies in milliseconds, appended without per-call allocation. */
class LatencyLog {
  private values = new Float64Array(1 << 16);
  length = 0;

  push(ms: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }

  /** Nearest-rank percentile (q in 0..1). */
  percentile(q: number): number {
    if (this.length === 0) return NaN;
    const sorted = this.values.slice(0, this.length).sort();
    return sorted[Math.min(this.length - 1, Math.max(0, Math.ceil(q * this.length) - 1))];
  }
}

/** Sampled lookup checksums end up here and are printed at exit, so computing them is observable work. */
let sampleSink = 0;

/** One call of the workload on one connection; resolves with the number of rows it returned or wrote. */
type Op = (conn: BenchConnection, worker: number) => Promise<number>;

interface LoopOutcome {
  calls: number;
  rows: number;
  elapsedMs: number;
  cpuUs: number;
  /** Full (mark-compact) collections V8 ran during the loop. */
  majorGcs: number;
}

/**
 * Mark-compacts counted from perf_hooks' GC entries. Some processes settle into one every 40–100 ms for their
 * whole life (bench/README.md), at up to twice the CPU per query; counting them shows which trials ran so.
 * Unlike `--trace-gc`, observing GC entries does not make that state rarer.
 */
let majorGcCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorGcCount++;
  }
}).observe({ entryTypes: ['gc'] });

/** GC entries reach the observer on a later turn of the event loop: let those of the loop just ended arrive. */
const gcEntriesDelivered = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * Runs `workers` closed loops (worker i on connection i % conns.length) until `seconds` have passed. Every
 * worker finishes its call in flight, and those calls count: the elapsed time includes them.
 */
async function closedLoop(
  conns: BenchConnection[],
  workers: number,
  op: Op,
  seconds: number,
  log: LatencyLog | undefined,
): Promise<LoopOutcome> {
  let calls = 0;
  let rows = 0;
  let failed = false;
  await gcEntriesDelivered();
  const gc0 = majorGcCount;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    const conn = conns[w % conns.length];
    try {
      for (;;) {
        const t0 = performance.now();
        if (t0 >= deadline || failed) return;
        // Not `rows += await op()`: that reads `rows` before the await and loses the other workers' updates.
        const n = await op(conn, w);
        rows += n;
        calls++;
        log?.push(performance.now() - t0);
      }
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: workers }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  await gcEntriesDelivered();
  return { calls, rows, elapsedMs, cpuUs: cpu.user + cpu.system, majorGcs: majorGcCount - gc0 };
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : '';
    return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}${cause}`;
  }
  return String(err);
}

/** A result line for a mode that did not run. */
function noResult(spec: TrialSpec, mode: ModeSpec, extra: Partial<TrialResult>): TrialResult {
  return emptyResult(spec.contender, spec.workload.id, mode.name, extra);
}

/** Runs the query/lookup workloads: validation pass, warm-up, timed loop. */
async function runRead(spec: TrialSpec, conns: BenchConnection[], workers: number): Promise<[LoopOutcome, LatencyLog, string]> {
  const wl = spec.workload;
  const checksum: RowsChecksum = compileChecksum(wl.columns);
  const expected = wl.rowsPerOp;
  let reference = -1;

  // Validation: every connection's result must agree (catches per-connection state bugs); its checksum is the
  // one the orchestrator compares across drivers.
  if (wl.kind === 'query') {
    for (const conn of conns) {
      const rows = await conn.query(wl.sql, wl.args);
      if (rows.length !== expected) throw new Error(`validation: expected ${expected} rows, got ${rows.length}`);
      if (rows.length > 0) assertPlainRow(rows[0], wl.columns);
      const sum = checksum(rows);
      if (reference >= 0 && sum !== reference) throw new Error(`validation: connections disagree (${reference} vs ${sum})`);
      reference = sum;
    }
  } else {
    let total = 0;
    for (let key = 1; key <= LOOKUP_VALIDATION_KEYS; key++) {
      const rows = await conns[key % conns.length].query(wl.sql, [key]);
      if (rows.length !== 1 || rows[0].id !== key) throw new Error(`validation: lookup of key ${key} returned ${rows.length} rows`);
      if (key === 1) assertPlainRow(rows[0], wl.columns);
      total = (total + key * checksum(rows)) % M;
    }
    reference = total;
  }

  let op: Op;
  if (wl.kind === 'query') {
    const sql = wl.sql;
    const args = wl.args;
    const every = spec.checkEvery;
    let n = 0;
    op = async (conn) => {
      const rows = await conn.query(sql, args);
      if (rows.length !== expected) throw new Error(`expected ${expected} rows, got ${rows.length}`);
      if (++n % every === 0) {
        const sum = checksum(rows);
        if (sum !== reference) throw new Error(`checksum changed during the run: ${sum} vs ${reference}`);
      }
      return expected;
    };
  } else {
    const sql = wl.sql;
    const keyCount = wl.keyCount ?? 1;
    const every = spec.checkEvery;
    let n = 0;
    op = async (conn) => {
      const key = 1 + Math.floor(Math.random() * keyCount);
      const rows = await conn.query(sql, [key]);
      if (rows.length !== 1 || rows[0].id !== key) throw new Error(`lookup of key ${key} returned a wrong row`);
      // Random keys have no fixed checksum to compare with; the sample still touches every value.
      if (++n % every === 0) sampleSink = (sampleSink + checksum(rows)) % M;
      return 1;
    };
  }

  await closedLoop(conns, workers, op, spec.warmupSeconds, undefined);
  const log = new LatencyLog();
  const outcome = await closedLoop(conns, workers, op, spec.seconds, log);
  return [outcome, log, String(reference)];
}

/** SQL giving the row count and a content hash of the batch table, the same whichever driver wrote it. */
function tableDigestSql(wl: Workload): string {
  const cols = wl.columns.map(([n]) => n).join(', ');
  return `SELECT count(*)::text AS n, coalesce(sum(hashtext(concat_ws('|', ${cols}))::int8), 0)::text AS h FROM ${wl.table}`;
}

/** Runs the write workloads (M5 COPY, M6 batch): warm-up, truncate, timed loop, then a server-side digest. */
async function runWrite(
  spec: TrialSpec,
  driver: BenchDriver,
  conn: BenchConnection,
): Promise<[LoopOutcome, LatencyLog, string]> {
  const wl = spec.workload;
  const rows = batchRows(wl.rowsPerOp);
  const input = driver.prepareBatch ? driver.prepareBatch(wl, rows, spec) : rows;
  const write = wl.kind === 'copy' ? conn.copy : conn.batch;
  if (!write) throw new Error(`the runner has no ${wl.kind} implementation`);
  const n = wl.rowsPerOp;
  const op: Op = async (c) => {
    await write.call(c, input);
    return n;
  };
  // Commits need not wait for the WAL flush: the benchmark measures the client, not the disk.
  await conn.query('SET synchronous_commit = off', []);
  await conn.query(`TRUNCATE ${wl.table}`, []);
  await closedLoop([conn], 1, op, spec.warmupSeconds, undefined);
  await conn.query(`TRUNCATE ${wl.table}`, []);
  const log = new LatencyLog();
  const outcome = await closedLoop([conn], 1, op, spec.seconds, log);
  const digest = (await conn.query(tableDigestSql(wl), []))[0];
  await conn.query(`TRUNCATE ${wl.table}`, []);
  const count = BigInt(String(digest.n));
  const hash = BigInt(String(digest.h));
  const ops = BigInt(outcome.calls);
  if (count !== ops * BigInt(n)) throw new Error(`validation: ${outcome.calls} writes of ${n} rows left ${count} rows`);
  if (ops === 0n || hash % ops !== 0n) throw new Error('validation: the written batches differ from each other');
  return [outcome, log, String(hash / ops)];
}

async function runMode(spec: TrialSpec, driver: BenchDriver, mode: ModeSpec): Promise<TrialResult> {
  const wl = spec.workload;
  const conns: BenchConnection[] = [];
  try {
    for (let i = 0; i < mode.connections; i++) conns.push(await driver.open(spec.dsn, spec, mode));
    const skip = driver.skipReason?.(wl, mode, conns[0], spec);
    if (skip !== undefined) return noResult(spec, mode, { skipped: skip });
    const [outcome, log, checksum] =
      wl.kind === 'query' || wl.kind === 'lookup'
        ? await runRead(spec, conns, mode.connections * mode.inflight)
        : await runWrite(spec, driver, conns[0]);
    const seconds = outcome.elapsedMs / 1000;
    return {
      contender: spec.contender,
      workload: wl.id,
      mode: mode.name,
      queries: outcome.calls,
      rows: outcome.rows,
      elapsedSeconds: seconds,
      qps: outcome.calls / seconds,
      rowsPerSec: outcome.rows / seconds,
      p50Ms: log.percentile(0.5),
      p99Ms: log.percentile(0.99),
      cpuUsPerQuery: outcome.calls > 0 ? outcome.cpuUs / outcome.calls : NaN,
      majorGcs: outcome.majorGcs,
      checksum,
    };
  } catch (err) {
    return noResult(spec, mode, { error: describeError(err) });
  } finally {
    // A failed connection may never answer a graceful close: bound it so the runner always reports.
    await Promise.race([
      Promise.allSettled(conns.map((c) => c.close())),
      new Promise((resolve) => setTimeout(resolve, 5000).unref()),
    ]);
  }
}

/**
 * Entry point of a JavaScript runner. With a spec in argv[2] it runs that one trial and exits (handy by hand);
 * otherwise it serves the orchestrator: one spec per line on stdin, its results on stdout followed by
 * `@@DONE`, until stdin closes. The orchestrator keeps one such process per driver for a round, which spares
 * a process start (slow under tsx on a busy machine) per workload.
 */
export async function runTrial(driver: BenchDriver | (() => Promise<BenchDriver>)): Promise<void> {
  const emit = (tag: string, value: unknown): void => void process.stdout.write(`@@${tag} ${JSON.stringify(value)}\n`);
  let loaded: BenchDriver | undefined;
  let loadError: string | undefined;
  try {
    loaded = typeof driver === 'function' ? await driver() : driver;
    emit('INFO', { version: loaded.version });
  } catch (err) {
    loadError = `loading the driver failed: ${describeError(err)}`;
  }
  const serve = async (spec: TrialSpec): Promise<void> => {
    for (const mode of spec.modes) {
      emit('RESULT', loaded ? await runMode(spec, loaded, mode) : noResult(spec, mode, { error: loadError }));
    }
    emit('DONE', { sampleSink });
  };

  if (process.argv[2]) {
    await serve(JSON.parse(process.argv[2]) as TrialSpec);
  } else {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) if (line.trim()) await serve(JSON.parse(line) as TrialSpec);
  }
  // Drivers may keep timers or sockets alive; the results are out, so leave now.
  process.exit(0);
}

/** COPY text format: backslash, tab, newline and carriage return escaped; numbers as JS prints them. */
export function copyText(rows: BatchRow[]): string {
  let out = '';
  for (const row of rows) {
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (j > 0) out += '\t';
      out += typeof v === 'string' ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : String(v);
    }
    out += '\n';
  }
  return out;
}
