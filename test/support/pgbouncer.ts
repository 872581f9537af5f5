/**
 * A throwaway PgBouncer (Debian package `pgbouncer`, installed by scripts/ci/install-extras.sh) in front of a
 * test server, in transaction pooling mode: its own config, auth file and log in a temporary directory, run
 * in the foreground as the OS user `postgres` when the tests run as root (PgBouncer refuses to run as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postgresOwner } from './bindir-postgres.js';
import { freePort } from './embedded-server.js';

/** Where the pgbouncer binary is, or undefined (env `PGJET_TEST_PGBOUNCER`, PATH, /usr/sbin). */
export function findPgBouncer(): string | undefined {
  const explicit = process.env.PGJET_TEST_PGBOUNCER;
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/usr/local/bin']) {
    const candidate = path.join(dir, 'pgbouncer');
    if (dir !== '' && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** One database entry of `[databases]`. */
export interface BouncerDatabase {
  /** The name clients connect to. */
  name: string;
  /** The real database on the backend. */
  dbname: string;
  /** Server connections per user/database pair (PgBouncer's pool_size). */
  poolSize: number;
}

/** Options of {@link startPgBouncer}. */
export interface PgBouncerOptions {
  /** The backend's TCP port on 127.0.0.1. */
  backendPort: number;
  /** Users and their passwords (PgBouncer logs in to the backend with the same ones). */
  users: Record<string, string>;
  /** Database entries. */
  databases: BouncerDatabase[];
  /** `pool_mode`; 'transaction' by default. */
  poolMode?: 'session' | 'transaction' | 'statement';
}

/** A running PgBouncer. */
export interface PgBouncer {
  /** 127.0.0.1. */
  host: string;
  /** Its listening port. */
  port: number;
  /** `SHOW VERSION` style text, e.g. 'PgBouncer 1.18.0'. */
  version: string;
  /** The log so far. */
  log(): string;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '(no log)';
  throw new Error(`pgbouncer did not start listening on ${port}:\n${log}`);
}

/**
 * Starts PgBouncer with `auth_type = scram-sha-256` (clients authenticate to it with SCRAM; it logs in to the
 * backend with the plain passwords of its auth file). Rejects with its log when it does not come up.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = findPgBouncer();
  if (binary === undefined) throw new Error('pgbouncer is not installed (run scripts/ci/install-extras.sh)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-bouncer-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const file = (name: string): string => path.join(dir, name);
  const dbLines = options.databases.map(
    (db) => `${db.name} = host=127.0.0.1 port=${options.backendPort} dbname=${db.dbname} pool_size=${db.poolSize}`,
  );
  fs.writeFileSync(file('userlist.txt'), Object.entries(options.users).map(([u, p]) => `${quote(u)} ${quote(p)}`).join('\n') + '\n');
  fs.writeFileSync(file('pgbouncer.ini'), [
    '[databases]', ...dbLines,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1', `listen_port = ${port}`, 'unix_socket_dir =',
    'auth_type = scram-sha-256', `auth_file = ${file('userlist.txt')}`,
    `pool_mode = ${options.poolMode ?? 'transaction'}`,
    'max_client_conn = 500', 'default_pool_size = 5',
    `logfile = ${file('pgbouncer.log')}`, `pidfile = ${file('pgbouncer.pid')}`,
    // Drivers commonly send it; pgjet does not, but a pooler in production usually lists it.
    'ignore_startup_parameters = extra_float_digits',
    '',
  ].join('\n'));
  const owner = postgresOwner();
  if (owner) for (const name of ['.', 'userlist.txt', 'pgbouncer.ini']) fs.chownSync(file(name), owner.uid, owner.gid);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const child = spawn(binary, [file('pgbouncer.ini')], { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, file('pgbouncer.log'));
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`, { cause: err });
  }
  const log = (): string => (fs.existsSync(file('pgbouncer.log')) ? fs.readFileSync(file('pgbouncer.log'), 'utf8') : '') + output;
  return { host: '127.0.0.1', port, version, log, stop };
}
