/**
 * The server the benchmark talks to: `PGJET_BENCH_DSN` when set (an existing server, left running), otherwise
 * a throwaway embedded PostgreSQL from test/support/embedded-server.ts (free port, temporary directory, its
 * own `postgres` OS user when we are root), stopped and removed when the benchmark ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedServer } from '../test/support/embedded-server.js';

export interface BenchServer {
  dsn: string;
  /** True when the benchmark started the server (and so owns its configuration). */
  embedded: boolean;
  /** The postmaster's process id when it runs here (for the background-load measure), else undefined. */
  postmasterPid(): number | undefined;
  stop(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const external = process.env.PGJET_BENCH_DSN;
  if (external) return { dsn: external, embedded: false, postmasterPid: () => undefined, stop: async () => undefined };
  // The embedded server runs with fsync and synchronous_commit off: the benchmark measures clients, not disks.
  const server = await startEmbeddedServer({ database: 'pgjet_bench' });
  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(fs.readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  return { dsn: server.dsn, embedded: true, postmasterPid, stop: () => server.stop() };
}
