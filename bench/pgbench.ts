/**
 * libpq's pgbench running M1, as the throughput ceiling of this machine: a C client with negligible cost per
 * query, on the same server and cores. Optional: used when `pgbench` is on PATH.
 *
 * It runs the M1 query as a custom script with `-M prepared -c 10 -j 2` (the same 10 connections as the
 * drivers' c=10 mode). Its client CPU comes from bash's `times` builtin (children's user + system time), its
 * latency percentiles from its per-transaction log (`-l`).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emptyResult, type TrialResult, type Workload } from './workloads.js';

/** `pgbench (PostgreSQL) 15.18 …`, or undefined when pgbench is not on PATH. */
export function pgbenchVersion(): string | undefined {
  try {
    return execFileSync('pgbench', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** libpq environment for the DSN, so no password appears on a command line. */
function libpqEnv(dsn: string): Record<string, string> {
  const url = new URL(dsn);
  return {
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username),
  };
}

/** Parses `times` output's second line, e.g. `0m1.234s 0m0.056s`, into seconds. */
function parseTimes(line: string): number {
  let total = 0;
  for (const m of line.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2]);
  return total;
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export async function runPgbench(dsn: string, workload: Workload, seconds: number): Promise<TrialResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-pgbench-'));
  const base: TrialResult = emptyResult('pgbench', workload.id, 'c10');
  try {
    // pgbench variables become bind parameters under -M prepared, like the drivers' $1 and $2.
    const sql = workload.sql.replace('$1', ':typmod').replace('$2', ':defined');
    fs.writeFileSync(path.join(dir, 'm1.sql'), `\\set typmod -1\n\\set defined true\n${sql};\n`);
    const secs = Math.max(1, Math.round(seconds));
    const cmd = `pgbench -n -M prepared -c 10 -j 2 -T ${secs} -l --log-prefix=tx -f m1.sql; status=$?; times; exit $status`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('bash', ['-c', cmd], { cwd: dir, env: { ...process.env, ...libpqEnv(dsn) } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`pgbench exited with ${code}: ${out.slice(-2000)}`))));
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    const processed = /number of transactions actually processed: (\d+)/.exec(output);
    if (!tps || !processed) throw new Error(`unexpected pgbench output: ${output.slice(-2000)}`);
    const lines = output.trim().split('\n');
    const cpuSeconds = parseTimes(lines[lines.length - 1]);
    const queries = Number(processed[1]);
    // Log lines: client_id transaction_no latency_us script_no epoch_s epoch_us.
    const latencies: number[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('tx.'))) {
      for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
        const fields = line.split(' ');
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    const qps = Number(tps[1]);
    return {
      ...base,
      queries,
      rows: queries * workload.rowsPerOp,
      elapsedSeconds: queries / qps,
      qps,
      rowsPerSec: qps * workload.rowsPerOp,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      cpuUsPerQuery: (cpuSeconds * 1e6) / queries,
    };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
