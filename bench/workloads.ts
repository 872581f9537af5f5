/**
 * The benchmark's workloads and modes: one plain-data description shared by the orchestrator (which passes it
 * to every runner as JSON, so the Python runner needs no copy of the SQL) and the JavaScript runners.
 *
 * Each workload names its result columns with a checksum kind (see checksum.ts): that is how runners whose
 * drivers decode the same value differently (int8 as bigint, string or Python int; date as string, Date or
 * datetime.date) still agree on one checksum per workload.
 */
import type { CellKind } from './checksum.js';

/** The three ways of loading a connection. */
export type ModeName = 'c1' | 'c10' | 'pipe';

/** How many connections a trial opens and how many calls each keeps in flight. */
export interface ModeSpec {
  name: ModeName;
  /** Connections opened, one per closed-loop worker group. */
  connections: number;
  /** Calls in flight per connection: 1 is a closed loop, more means pipelining on one connection. */
  inflight: number;
  /** Human label for tables. */
  label: string;
}

export const MODES: Record<ModeName, ModeSpec> = {
  c1: { name: 'c1', connections: 1, inflight: 1, label: 'c=1' },
  c10: { name: 'c10', connections: 10, inflight: 1, label: 'c=10' },
  pipe: { name: 'pipe', connections: 1, inflight: 100, label: 'pipelined (1 conn, 100 in flight)' },
};

/**
 * - `query`: fixed SQL and arguments, every execution returns the same rows (checksum compared each time).
 * - `lookup`: a primary-key lookup with a random key per call; the row's key is checked every call.
 * - `batch`: insert `rowsPerOp` rows in one driver batch call (M6).
 * - `copy`: COPY `rowsPerOp` rows into a table (M5).
 */
export type WorkloadKind = 'query' | 'lookup' | 'batch' | 'copy';

export interface Workload {
  /** Short id used in tables, argv and file names: 'M1', 'W1-100'. */
  id: string;
  title: string;
  kind: WorkloadKind;
  /** The SQL every driver sends (for `batch`/`copy`, the single-row INSERT, the loop variants' statement). */
  sql: string;
  /** Fixed arguments for `query`; empty otherwise. */
  args: unknown[];
  /** Rows each call returns (query/lookup) or writes (batch/copy). */
  rowsPerOp: number;
  /** Result columns and how each is folded into the checksum; for batch/copy, the target table's columns. */
  columns: [name: string, kind: CellKind][];
  /**
   * Modes this workload runs in by default: c=10 everywhere (the targets' mode), c=1 and pipelined where
   * latency and pipelining are the point (M7, W2; pipelined also M1). BENCH_MODES=all adds c=1 to every
   * read workload; the default stays within the 15-minute budget on 2 cores.
   */
  modes: ModeName[];
  /** Included in BENCH_QUICK runs, with these modes. */
  quickModes?: ModeName[];
  /** For `lookup`: keys are drawn uniformly from 1..keyCount. */
  keyCount?: number;
  /** For `batch`/`copy`: the target table. */
  table?: string;
  /** True when the table the workload reads has this many cells per row: used for W1's ns per cell. */
  reportCells?: boolean;
}

/** The row written by M5 and M6: (int, int, int, text, float8, int, text), as issue 5 specifies. */
export const BATCH_COLUMNS: [string, CellKind][] = [
  ['a', 'int'],
  ['b', 'int'],
  ['c', 'int'],
  ['t', 'text'],
  ['f', 'float'],
  ['d', 'int'],
  ['u', 'text'],
];

/**
 * The rows M5/M6 write: deterministic, so every driver inserts identical data and the server-side checksum
 * after the trial is comparable. Floats are exact binary fractions so text and binary encodings agree.
 */
export function batchRows(n: number): [number, number, number, string, number, number, string][] {
  const rows: [number, number, number, string, number, number, string][] = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = [i, i * 2, i % 7, `row-${i}`, i * 0.5 + 0.25, 100_000 - i, `payload ${i} ü`];
  }
  return rows;
}

const W1_COLUMNS: [string, CellKind][] = [
  ['id', 'int'],
  ['big', 'int8'],
  ['small', 'int'],
  ['name', 'text'],
  ['code', 'text'],
  ['flag', 'bool'],
  ['score', 'float'],
  ['ratio', 'float'],
  ['amount', 'numeric'],
  ['created_at', 'timestamp'],
  ['updated_at', 'timestamp'],
  ['birthday', 'date'],
  ['uid', 'uuid'],
  ['doc', 'json'],
  ['blob', 'bytes'],
  ['ints', 'array'],
  ['tags', 'array'],
  ['note', 'text'],
  ['grade', 'text'],
  ['counter', 'int'],
];

const W1_SQL = `SELECT ${W1_COLUMNS.map(([n]) => n).join(', ')} FROM bench_wide LIMIT $1`;

/** Every workload, in report order. */
export const WORKLOADS: Workload[] = [
  {
    id: 'M1',
    title: 'pg_type (12 columns, all rows with typtypmod -1)',
    kind: 'query',
    sql:
      'SELECT typname, typnamespace, typowner, typlen, typbyval, typcategory, typispreferred, typisdefined, ' +
      'typdelim, typrelid, typelem, typarray FROM pg_type WHERE typtypmod = $1 AND typisdefined = $2',
    args: [-1, true],
    rowsPerOp: -1, // depends on the server version: measured once in setup and filled in by the orchestrator
    columns: [
      ['typname', 'text'],
      ['typnamespace', 'int'],
      ['typowner', 'int'],
      ['typlen', 'int'],
      ['typbyval', 'bool'],
      ['typcategory', 'text'],
      ['typispreferred', 'bool'],
      ['typisdefined', 'bool'],
      ['typdelim', 'text'],
      ['typrelid', 'int'],
      ['typelem', 'int'],
      ['typarray', 'int'],
    ],
    modes: ['c10', 'pipe'],
    quickModes: ['c10'],
  },
  {
    id: 'M2',
    title: 'generate_series(1, 1000)',
    kind: 'query',
    sql: 'SELECT i FROM generate_series(1, $1) AS i',
    args: [1000],
    rowsPerOp: 1000,
    columns: [['i', 'int']],
    modes: ['c10'],
  },
  {
    id: 'M3',
    title: '100 rows of 1000-byte bytea',
    kind: 'query',
    // The first 4 bytes vary per row so a decoder that repeats or shifts a buffer changes the checksum.
    sql: "SELECT decode(lpad(to_hex(i), 8, '0') || repeat('ab', 996), 'hex') AS b FROM generate_series(1, $1) AS i",
    args: [100],
    rowsPerOp: 100,
    columns: [['b', 'bytes']],
    modes: ['c10'],
  },
  {
    id: 'M4',
    title: '100 rows of int4[100]',
    kind: 'query',
    sql: 'SELECT a FROM bench_int4_arrays LIMIT $1',
    args: [100],
    rowsPerOp: 100,
    columns: [['a', 'array']],
    modes: ['c10'],
  },
  {
    id: 'M5',
    title: 'COPY 10,000 rows (int, int, int, text, float8, int, text)',
    kind: 'copy',
    sql: 'INSERT INTO bench_batch (a, b, c, t, f, d, u) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    args: [],
    rowsPerOp: 10_000,
    columns: BATCH_COLUMNS,
    table: 'bench_batch',
    modes: ['c1'],
  },
  {
    id: 'M6',
    title: 'batch insert of 1000 rows (int, int, int, text, float8, int, text)',
    kind: 'batch',
    sql: 'INSERT INTO bench_batch (a, b, c, t, f, d, u) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    args: [],
    rowsPerOp: 1000,
    columns: BATCH_COLUMNS,
    table: 'bench_batch',
    modes: ['c1'],
    quickModes: ['c1'],
  },
  {
    id: 'M7',
    title: 'SELECT 1+1',
    kind: 'query',
    sql: 'SELECT 1+1',
    args: [],
    rowsPerOp: 1,
    columns: [['?column?', 'int']],
    modes: ['c1', 'c10', 'pipe'],
    quickModes: ['c10', 'pipe'],
  },
  {
    id: 'W1-1',
    title: '20-column mixed-type table, LIMIT 1',
    kind: 'query',
    sql: W1_SQL,
    args: [1],
    rowsPerOp: 1,
    columns: W1_COLUMNS,
    modes: ['c10'],
    reportCells: true,
  },
  {
    id: 'W1-100',
    title: '20-column mixed-type table, LIMIT 100',
    kind: 'query',
    sql: W1_SQL,
    args: [100],
    rowsPerOp: 100,
    columns: W1_COLUMNS,
    modes: ['c10'],
    quickModes: ['c10'],
    reportCells: true,
  },
  {
    id: 'W1-10000',
    title: '20-column mixed-type table, LIMIT 10000 (all rows)',
    kind: 'query',
    sql: W1_SQL,
    args: [10_000],
    rowsPerOp: 10_000,
    columns: W1_COLUMNS,
    modes: ['c10'],
    reportCells: true,
  },
  {
    id: 'W2',
    title: 'primary-key point lookup, random key',
    kind: 'lookup',
    sql: 'SELECT id, username, email, balance, score, active, created_at FROM bench_accounts WHERE id = $1',
    args: [],
    rowsPerOp: 1,
    columns: [
      ['id', 'int'],
      ['username', 'text'],
      ['email', 'text'],
      ['balance', 'int8'],
      ['score', 'float'],
      ['active', 'bool'],
      ['created_at', 'timestamp'],
    ],
    keyCount: 10_000,
    modes: ['c1', 'c10', 'pipe'],
    quickModes: ['c10', 'pipe'],
  },
];

/** Keys the lookup workloads check in their validation pass: fixed, so every driver's checksum is comparable. */
export const LOOKUP_VALIDATION_KEYS = 100;

/** A trial as the orchestrator hands it to a runner (argv[2], JSON). */
export interface TrialSpec {
  /** Contender id, e.g. 'pg/named'. */
  contender: string;
  /** Driver-specific variant, e.g. 'named' / 'unnamed' for pg, 'loop' / 'unnest' for pg's M6. */
  variant?: string;
  workload: Workload;
  modes: ModeSpec[];
  dsn: string;
  seconds: number;
  warmupSeconds: number;
  /** Full checksum of every Nth result during the timed loop (row counts are checked on every result). */
  checkEvery: number;
}

/** One runner's measurement of one workload in one mode (a line of its stdout, prefixed `@@RESULT `). */
export interface TrialResult {
  contender: string;
  workload: string;
  mode: ModeName;
  /** Set when the runner could not run this mode; the text says why (exact error for failures). */
  skipped?: string;
  error?: string;
  queries: number;
  rows: number;
  elapsedSeconds: number;
  qps: number;
  rowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerQuery: number;
  /** Mark-compact GCs during the timed loop (JavaScript runners only; see bench/README.md). */
  majorGcs?: number;
  /** Checksum of the validation pass: identical across drivers for a workload, or the run fails. */
  checksum: string;
  /** Share of all cores' time other processes used during the trial (set by the orchestrator; Linux only). */
  backgroundPct?: number;
}

/** A result with no measurements (a mode that did not run, or the start of one being filled in). */
export function emptyResult(contender: string, workload: string, mode: string, extra: Partial<TrialResult> = {}): TrialResult {
  return {
    contender,
    workload,
    mode,
    queries: 0,
    rows: 0,
    elapsedSeconds: 0,
    qps: 0,
    rowsPerSec: 0,
    p50Ms: NaN,
    p99Ms: NaN,
    cpuUsPerQuery: NaN,
    checksum: '',
    ...extra,
  } as TrialResult;
}
