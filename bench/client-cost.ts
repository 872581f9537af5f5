/**
 * `npm run bench:client`: pgjet's own CPU per query, with the server and the kernel taken out.
 *
 * On a 2-core machine shared with the server, `npm run bench`'s CPU figures include the kernel's socket work
 * and swing with whatever else the host runs, which hides changes of a few percent in the driver itself. This
 * tool answers "did the driver get cheaper?" directly: it records each workload's real result once (from a
 * real server: the rows pgjet decodes and their column types), re-encodes it as the binary DataRows the server
 * sends, and then runs pgjet's public `fetch` against an in-process socket that answers every Bind/Execute/Sync
 * with those bytes, delivered in 64 KiB chunks on later event-loop turns as a real socket would. Everything
 * from `conn.fetch` to the resolved rows is pgjet's real code (framer, wire, request, decoders, promises);
 * only the socket is replaced. M6 (a batch) is replayed too: one connection running `executeMany` of its 1000 rows
 * against the answer the server gives a batch. It is a profiling aid, not a test, and measures pgjet alone.
 *
 *   PGJET_BENCH_DSN=postgres://… npx tsx bench/client-cost.ts [M1,M3,…] [--seconds 3] [--rounds 3]
 *
 * Without PGJET_BENCH_DSN an embedded server is started for the recording. Run under
 * `node --cpu-prof --import tsx` for a profile without the kernel's samples.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { Connection } from '../src/client/connection.js';
import { CodecRegistry } from '../src/codecs/index.js';
import { resolveConfig } from '../src/connection/config.js';
import { Session } from '../src/connection/session.js';
import { Wire } from '../src/connection/wire.js';
import { connect } from '../src/index.js';
import { ByteWriter } from '../src/internal/index.js';
import { serverSide, type FieldDescription } from '../src/protocol/index.js';
import { startBenchServer, type BenchServer } from './server.js';
import { setupDatabase } from './setup.js';
import { batchRows, WORKLOADS, type Workload } from './workloads.js';

/** One workload's recorded answer. */
interface Recording {
  workload: Workload;
  paramOids: number[];
  /** The result columns; null for a statement without rows (M6's INSERT: Describe answers NoData). */
  fields: FieldDescription[] | null;
  /** Rows per execution. */
  rows: number;
  /** BindComplete, the DataRows, CommandComplete and ReadyForQuery, as one byte stream. */
  executeAnswer: Buffer;
}

const CHUNK = 64 * 1024;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

/** Runs the workload once on the real server and turns its result into the bytes a cached execution gets. */
async function record(dsn: string, workload: Workload): Promise<Recording> {
  if (workload.kind === 'batch') return recordBatch(dsn, workload);
  const conn = await connect(dsn);
  try {
    // json and jsonb are recorded as the server's text, which their encoders pass through as it is: re-encoding
    // the parsed value would replay JSON.stringify's compact form, not the canonical text the server prints.
    const result = await conn.query(workload.sql, workload.args, { rowMode: 'array', types: { json: 'text', jsonb: 'text' } });
    const stmt = (conn as unknown as { session: Session }).session.cache.get(workload.sql);
    if (stmt === undefined) throw new Error(`${workload.id}: the statement was not cached`);
    const codecs = new CodecRegistry();
    const fields = result.columns.map((c): FieldDescription => ({
      name: c.name,
      tableOid: 0,
      columnAttr: 0,
      typeOid: c.typeOid,
      typeSize: -1,
      typeModifier: -1,
      format: 1,
    }));
    const w = new ByteWriter(1024 * 1024);
    serverSide.writeBindComplete(w);
    const value = new ByteWriter(256);
    for (const row of result.rows as unknown as unknown[][]) {
      const cells = row.map((v, i) => {
        if (v === null) return null;
        const codec = codecs.get(fields[i].typeOid);
        if (codec?.encodeBinary === undefined) throw new Error(`${workload.id}: no binary encoder for column ${fields[i].name}`);
        codec.encodeBinary(v, value);
        return value.take();
      });
      serverSide.writeDataRow(w, cells);
    }
    serverSide.writeCommandComplete(w, `SELECT ${result.rows.length}`);
    serverSide.writeReadyForQuery(w, 'I');
    return { workload, paramOids: stmt.paramOids, fields, rows: result.rows.length, executeAnswer: w.take() };
  } finally {
    await conn.close();
  }
}

/**
 * A batch workload (M6): one executeMany of `rowsPerOp` rows on the real server (inside a rolled-back
 * transaction, so the table is left as it was), answered in the replay by what the server sends for it: a
 * BindComplete and an `INSERT 0 1` per row, then ReadyForQuery.
 */
async function recordBatch(dsn: string, workload: Workload): Promise<Recording> {
  const conn = await connect(dsn);
  try {
    const rows = batchRows(workload.rowsPerOp);
    await conn.execute('BEGIN');
    await conn.executeMany(workload.sql, rows);
    await conn.execute('ROLLBACK');
    const stmt = (conn as unknown as { session: Session }).session.cache.get(workload.sql);
    if (stmt === undefined) throw new Error(`${workload.id}: the statement was not cached`);
    const w = new ByteWriter(64 * 1024);
    for (let i = 0; i < rows.length; i++) {
      serverSide.writeBindComplete(w);
      serverSide.writeCommandComplete(w, 'INSERT 0 1');
    }
    serverSide.writeReadyForQuery(w, 'I');
    return { workload, paramOids: stmt.paramOids, fields: null, rows: rows.length, executeAnswer: w.take() };
  } finally {
    await conn.close();
  }
}

/**
 * A socket stand-in that answers pgjet's extended-protocol messages from a recording: Parse/Describe/Flush with
 * the statement's description, Bind/Execute/Sync with the recorded rows. Answers arrive on a later turn of the
 * event loop, in chunks of at most 64 KiB, each its own 'data' event.
 */
class ReplaySocket extends EventEmitter {
  readonly writableNeedDrain = false;
  readonly #rec: Recording;

  constructor(rec: Recording) {
    super();
    this.#rec = rec;
  }

  write(data: Buffer): boolean {
    // Made only for the statement's first execution (Parse/Describe): a writer per write would bill an
    // allocation per query to pgjet in the profile.
    let w: ByteWriter | null = null;
    let answer: Buffer | null = null;
    let pos = 0;
    while (pos < data.length) {
      const code = data[pos];
      const end = pos + 1 + data.readInt32BE(pos + 1);
      // Bind and Execute need no answer of their own (and decoding a batch's 2000 of them would bill the
      // stand-in's work to pgjet).
      if (code === 0x42 || code === 0x45) {
        pos = end;
        continue;
      }
      const msg = serverSide.parseFrontendMessage(code, data, pos + 5, end);
      if (msg.type === 'Parse') serverSide.writeParseComplete((w ??= new ByteWriter(256)));
      else if (msg.type === 'Describe') {
        w ??= new ByteWriter(256);
        serverSide.writeParameterDescription(w, this.#rec.paramOids);
        if (this.#rec.fields === null) serverSide.writeNoData(w);
        else serverSide.writeRowDescription(w, this.#rec.fields);
      } else if (msg.type === 'Sync') answer = this.#rec.executeAnswer;
      pos = end;
    }
    const head = w === null ? null : w.take();
    const out = head === null ? answer : answer === null ? head : Buffer.concat([head, answer]);
    if (out === null) return true;
    if (out.length > 0) this.#deliver(out, 0);
    return true;
  }

  #deliver(out: Buffer, from: number): void {
    setImmediate(() => {
      const to = Math.min(out.length, from + CHUNK);
      this.emit('data', out.subarray(from, to));
      if (to < out.length) this.#deliver(out, to);
    });
  }

  end(): void {
    setImmediate(() => this.emit('close'));
  }

  destroy(): void {
    setImmediate(() => this.emit('close'));
  }

  pause(): void {}
  resume(): void {}
}

/** A real pgjet Connection over a replay socket, past startup. */
async function replayConnection(dsn: string, rec: Recording): Promise<Connection> {
  const config = await resolveConfig(dsn);
  const socket = new ReplaySocket(rec) as unknown as net.Socket;
  const events = { notice: () => undefined, notification: () => undefined, parameterStatus: () => undefined, closed: () => undefined };
  const wire = new Wire(socket, events, 'replay');
  return new Connection(new Session(wire, new CodecRegistry({ int8: config.int8 }), config, config.hosts[0]));
}

interface Measure {
  qps: number;
  cpuMicros: number;
}

/**
 * The connections in closed loops for `seconds`: ten for queries, as the benchmark's c=10 mode; one for a batch,
 * as its c=1 M6.
 */
async function measure(conns: Connection[], rec: Recording, seconds: number): Promise<Measure> {
  const wl = rec.workload;
  const batch = wl.kind === 'batch' ? batchRows(wl.rowsPerOp) : null;
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(conns.map(async (c) => {
    while (performance.now() < end) {
      if (batch !== null) {
        await c.executeMany(wl.sql, batch);
      } else {
        const rows = await c.fetch(wl.sql, wl.args);
        if (rows.length !== rec.rows) throw new Error(`${wl.id}: ${rows.length} rows, expected ${rec.rows}`);
      }
      n++;
    }
  }));
  const cpu = process.cpuUsage(c0);
  return { qps: n / ((performance.now() - t0) / 1000), cpuMicros: (cpu.user + cpu.system) / n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const wanted = process.argv[2]?.startsWith('--') === false ? process.argv[2].split(',') : ['M1', 'M2', 'M3', 'M4', 'M7', 'W1-1', 'W1-100', 'W1-10000'];
  const seconds = arg('--seconds', 2);
  const rounds = arg('--rounds', 3);
  let server: BenchServer | undefined;
  let dsn = process.env.PGJET_BENCH_DSN;
  if (dsn === undefined) {
    server = await startBenchServer();
    dsn = server.dsn;
    await setupDatabase(dsn);
  }
  try {
    const recordings: Recording[] = [];
    for (const id of wanted) {
      const wl = WORKLOADS.find((w) => w.id === id);
      if (wl === undefined || (wl.kind !== 'query' && wl.kind !== 'batch')) throw new Error(`${id}: not a query or batch workload`);
      recordings.push(await record(dsn, wl));
    }
    process.stdout.write('| workload | rows | q/s (replay) | CPU µs/q | min CPU µs/q | CPU ns/row |\n|---|---:|---:|---:|---:|---:|\n');
    for (const rec of recordings) {
      const conns = await Promise.all(Array.from({ length: rec.workload.kind === 'batch' ? 1 : 10 }, () => replayConnection(dsn, rec)));
      await measure(conns, rec, Math.min(1, seconds)); // warm-up: JIT and generated decoders
      const results: Measure[] = [];
      for (let r = 0; r < rounds; r++) results.push(await measure(conns, rec, seconds));
      const cpu = median(results.map((m) => m.cpuMicros));
      // The least disturbed round: on a shared machine, the steadiest figure for an A/B of two builds.
      const least = Math.min(...results.map((m) => m.cpuMicros));
      const rows = rec.rows;
      process.stdout.write(
        `| ${rec.workload.id} | ${rows} | ${median(results.map((m) => m.qps)).toFixed(0)} | ${cpu.toFixed(1)} | ${least.toFixed(1)} | ${((cpu * 1000) / rows).toFixed(0)} |\n`,
      );
      await Promise.all(conns.map((c) => c.close()));
    }
  } finally {
    await server?.stop();
  }
}

await main();
