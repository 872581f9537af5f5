/**
 * Pool options (README, "Pool and transactions"): their defaults, their checks, and how `createPool(dsn, options)` splits one
 * options object into what `connect()` takes and what the pool takes.
 */
import { CONNECT_OPTION_NAMES, POOL_OPTION_NAMES, rejectUnknownOptions, type Connection, type connect } from '../client/index.js';
import { InterfaceError } from '../errors/index.js';
import type { PooledConnection } from './pooled-connection.js';

/** The options `connect()` accepts (derived from it, so the pool never drifts from the client). */
export type ConnectOptions = Exclude<Parameters<typeof connect>[0], string | undefined>;

/**
 * How a released connection is cleaned before the next borrower gets it:
 * - `'auto'` (default): only when the session may be dirty (an open or failed transaction, LISTEN, or a command
 *   whose tag is not SELECT/INSERT/UPDATE/DELETE/MERGE/COPY/FETCH/MOVE). A `SELECT` that changes state
 *   (`set_config(…)`, `pg_advisory_lock(…)`) is not seen: use `'always'` if your code does that.
 * - `'always'`: the full reset on every release.
 * - `false`: none (an open transaction is still rolled back: handing it on would mix two borrowers' work).
 * - a SQL string: run on every release instead of the built-in reset, written ahead like it.
 * - a function: awaited on every release before the connection is handed on (costs a round trip).
 */
export type ResetOption = 'auto' | 'always' | false | string | ((conn: Connection) => Promise<void> | void);

/** Options of the pool itself; every duration is in milliseconds. */
export interface PoolOptions {
  /** Connections opened at creation and kept open (default 1). */
  minSize?: number;
  /** Most connections open at once, borrowed or idle (default 10). */
  maxSize?: number;
  /** How long `acquire()` waits before a `PoolTimeoutError` (default 30 000; `Infinity` waits forever). */
  acquireTimeout?: number;
  /** Calls on one connection after which it is replaced at its next release (default 50 000). */
  maxQueries?: number;
  /** An idle connection unused this long is closed, down to `minSize` (default 300 000; 0 disables). */
  maxInactiveConnectionLifetime?: number;
  /** A connection older than this is replaced when released or found idle (default: never). */
  maxLifetime?: number;
  /** Runs once on each new connection before it is first lent (register codecs here; settings belong in `serverSettings`). */
  init?: (conn: Connection) => Promise<void> | void;
  /** Runs on each acquire, before `acquire()` resolves; if it throws, the connection goes back and the acquire rejects. */
  setup?: (conn: PooledConnection) => Promise<void> | void;
  /** See {@link ResetOption} (default `'auto'`). */
  reset?: ResetOption;
  /** A connection held longer than this emits the pool's `'leak'` event (or a process warning). */
  leakTimeout?: number;
}

/** What `createPool` accepts: connection options and pool options in one object. */
export type PoolConfig = ConnectOptions & PoolOptions;

/** Pool options with every default applied. */
export interface ResolvedPoolOptions {
  /** See {@link PoolOptions.minSize}. */
  minSize: number;
  /** See {@link PoolOptions.maxSize}. */
  maxSize: number;
  /** See {@link PoolOptions.acquireTimeout}. */
  acquireTimeout: number;
  /** See {@link PoolOptions.maxQueries}. */
  maxQueries: number;
  /** See {@link PoolOptions.maxInactiveConnectionLifetime}. */
  maxInactiveConnectionLifetime: number;
  /** See {@link PoolOptions.maxLifetime}; `Infinity` for none. */
  maxLifetime: number;
  /** See {@link PoolOptions.init}. */
  init: PoolOptions['init'];
  /** See {@link PoolOptions.setup}. */
  setup: PoolOptions['setup'];
  /** See {@link PoolOptions.reset}. */
  reset: ResetOption;
  /** See {@link PoolOptions.leakTimeout}; undefined for none. */
  leakTimeout: number | undefined;
}

/** The arguments every new connection is opened with. */
export type ConnectArgs = [dsn: string | undefined, options: ConnectOptions];

/** The pool's option names (listed with the connection's, so `connect()` can say where they belong). */
const POOL_KEYS: readonly (keyof PoolOptions)[] = POOL_OPTION_NAMES;
/** Compiles only while {@link POOL_KEYS} lists every key of {@link PoolOptions}. */
type ListsEveryOption<Missing extends never> = Missing;
type _EveryPoolOptionListed = ListsEveryOption<Exclude<keyof PoolOptions, (typeof POOL_OPTION_NAMES)[number]>>;

const POOL_SCOPE = { call: 'createPool()', known: [...CONNECT_OPTION_NAMES, ...POOL_OPTION_NAMES] };

function checkNumber(name: string, value: unknown, opts: { integer?: boolean; min: number; infinite?: boolean }): number {
  const ok = typeof value === 'number' && !Number.isNaN(value) && value >= opts.min
    && (Number.isFinite(value) ? !opts.integer || Number.isInteger(value) : opts.infinite === true);
  if (!ok) {
    const kind = opts.integer ? 'an integer' : 'a number';
    throw new InterfaceError(`pool option ${name} must be ${kind} >= ${opts.min}${opts.infinite ? ' (or Infinity)' : ''}, got ${String(value)}`);
  }
  return value as number;
}

function checkFunction<F>(name: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InterfaceError(`pool option ${name} must be a function`);
  return value as F;
}

function checkReset(value: unknown): ResetOption {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'always' || value === false || typeof value === 'function') return value as ResetOption;
  if (typeof value === 'string' && value.trim().length > 0) return value;
  throw new InterfaceError(`pool option reset must be 'auto', 'always', false, a SQL string or a function, got ${JSON.stringify(value)}`);
}

/** Applies defaults and checks each pool option; a bad one is an `InterfaceError` thrown by `createPool`. */
export function resolvePoolOptions(o: PoolOptions): ResolvedPoolOptions {
  const minSize = checkNumber('minSize', o.minSize ?? 1, { integer: true, min: 0 });
  const maxSize = checkNumber('maxSize', o.maxSize ?? 10, { integer: true, min: 1 });
  if (minSize > maxSize) throw new InterfaceError(`pool option minSize (${minSize}) is larger than maxSize (${maxSize})`);
  const leak = o.leakTimeout === undefined ? undefined : checkNumber('leakTimeout', o.leakTimeout, { min: 1 });
  return {
    minSize,
    maxSize,
    acquireTimeout: checkNumber('acquireTimeout', o.acquireTimeout ?? 30_000, { min: 0, infinite: true }),
    maxQueries: checkNumber('maxQueries', o.maxQueries ?? 50_000, { integer: true, min: 1, infinite: true }),
    maxInactiveConnectionLifetime: checkNumber('maxInactiveConnectionLifetime', o.maxInactiveConnectionLifetime ?? 300_000, { min: 0, infinite: true }),
    maxLifetime: checkNumber('maxLifetime', o.maxLifetime ?? Infinity, { min: 1, infinite: true }),
    init: checkFunction('init', o.init),
    setup: checkFunction('setup', o.setup),
    reset: checkReset(o.reset),
    leakTimeout: leak,
  };
}

/**
 * Splits `createPool(dsnOrOptions, options)` into the connect arguments and the pool options. Pool keys may
 * appear in either object; the second wins, as it does for connection options.
 */
export function splitPoolConfig(dsnOrOptions: string | PoolConfig | undefined, options: PoolConfig | undefined): {
  connectArgs: ConnectArgs;
  pool: ResolvedPoolOptions;
} {
  if (dsnOrOptions !== undefined && typeof dsnOrOptions !== 'string' && (typeof dsnOrOptions !== 'object' || dsnOrOptions === null)) {
    throw new InterfaceError('createPool() takes a DSN string and/or an options object');
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InterfaceError('createPool(dsn, options): options must be an object');
  }
  const dsn = typeof dsnOrOptions === 'string' ? dsnOrOptions : undefined;
  const merged: Record<string, unknown> = { ...(typeof dsnOrOptions === 'object' ? dsnOrOptions : {}), ...options };
  // Thrown by createPool itself, before any connection is attempted.
  rejectUnknownOptions(merged, POOL_SCOPE);
  const poolOnly: Record<string, unknown> = {};
  for (const key of POOL_KEYS) {
    if (key in merged) poolOnly[key] = merged[key];
    delete merged[key];
  }
  return { connectArgs: [dsn, merged as ConnectOptions], pool: resolvePoolOptions(poolOnly as PoolOptions) };
}
