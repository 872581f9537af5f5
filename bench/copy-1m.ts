/**
 * `npm run bench:copy`: the 1M-row figure for `copyRecordsToTable` (binary COPY from an async
 * generator, so the rows are never all in memory), in rows/s, over a few runs; plus the client CPU per row,
 * the figure to drive down since COPY is largely server-bound. Uses PGJET_BENCH_DSN or an embedded server.
 * Options: BENCH_COPY_ROWS (default 1,000,000), BENCH_COPY_RUNS (default 3).
 */
import { connect } from '../src/index.js';
import { startBenchServer } from './server.js';

const ROWS = Number(process.env.BENCH_COPY_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_COPY_RUNS ?? 3);

async function* records(n: number): AsyncGenerator<[number, number, number, string, number, number, string]> {
  for (let i = 0; i < n; i++) yield [i, i * 2, i % 1000, `name ${i}`, i / 7, -i, 'some text of moderate length'];
}

async function main(): Promise<void> {
  const server = await startBenchServer();
  const conn = await connect(server.dsn);
  try {
    await conn.execute('DROP TABLE IF EXISTS copy_1m; CREATE UNLOGGED TABLE copy_1m (a int4, b int4, c int4, d text, e float8, f int4, g text)');
    const results: { rowsPerSecond: number; cpuNsPerRow: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      await conn.execute('TRUNCATE copy_1m');
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const tag = await conn.copyRecordsToTable('copy_1m', { records: records(ROWS) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      if (tag !== `COPY ${ROWS}`) throw new Error(`unexpected tag ${tag}`);
      const count = await conn.fetchVal<bigint>('SELECT count(*) FROM copy_1m');
      if (count !== BigInt(ROWS)) throw new Error(`expected ${ROWS} rows, found ${count}`);
      results.push({ rowsPerSecond: ROWS / seconds, cpuNsPerRow: ((used.user + used.system) * 1000) / ROWS });
      console.log(`run ${run + 1}: ${Math.round(ROWS / seconds).toLocaleString('en-US')} rows/s, client CPU ${Math.round(results[run].cpuNsPerRow)} ns/row`);
    }
    const sorted = results.map((r) => r.rowsPerSecond).sort((a, b) => a - b);
    console.log(`copyRecordsToTable, ${ROWS.toLocaleString('en-US')} rows of (int4, int4, int4, text, float8, int4, text): median ${Math.round(sorted[Math.floor(sorted.length / 2)]).toLocaleString('en-US')} rows/s over ${RUNS} runs`);
  } finally {
    await conn.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
