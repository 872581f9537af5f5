/**
 * The names `connect()` and `createPool()` accept, and the refusal of any other: an option nobody reads is a
 * setting the user believes in and does not have (`max: 5` that leaves the pool at 10), so it is an
 * `InterfaceError` naming it and the nearest known option, thrown before anything is connected.
 */
import { InterfaceError } from '../errors/index.js';
import { nearestName } from '../internal/index.js';
import type { ConnectOptions } from './config-types.js';

/**
 * The option names `connect()` accepts: every key of {@link ConnectOptions} (the type below fails to compile when
 * the interface gains one not listed here).
 */
export const CONNECT_OPTION_NAMES = [
  'host', 'port', 'user', 'password', 'database', 'ssl', 'connectTimeout', 'commandTimeout', 'statementCacheSize',
  'maxCachedStatementLifetime', 'maxCacheableStatementSize', 'serverSettings', 'targetSessionAttrs',
  'loadBalanceHosts', 'channelBinding', 'keepAlive', 'keepAliveInitialDelay', 'pgbouncer', 'int8', 'types',
  'maxMessageSize', 'cancelTimeout',
] as const satisfies readonly (keyof ConnectOptions)[];

/** Compiles only while {@link CONNECT_OPTION_NAMES} lists every key of {@link ConnectOptions}. */
type ListsEveryOption<Missing extends never> = Missing;
type _EveryConnectOptionListed = ListsEveryOption<Exclude<keyof ConnectOptions, (typeof CONNECT_OPTION_NAMES)[number]>>;

/**
 * The pool's own option names, so that `connect()` can say where one of them belongs. pool/options.ts fails to
 * compile unless this list holds every key of its `PoolOptions`.
 */
export const POOL_OPTION_NAMES = [
  'minSize', 'maxSize', 'acquireTimeout', 'maxQueries', 'maxInactiveConnectionLifetime', 'maxLifetime', 'init',
  'setup', 'reset', 'leakTimeout',
] as const;

const DSN_HINT = 'pass the DSN as the first argument: connect(dsn, options) or createPool(dsn, options)';

/**
 * Other drivers' spellings (case, `_` and `-` ignored) that no edit distance would find, with what to write
 * instead: node-postgres, postgres.js, libpq and asyncpg users bring these.
 */
const FOREIGN_NAMES: Readonly<Record<string, string>> = {
  connectionstring: DSN_HINT,
  connectionuri: DSN_HINT,
  url: DSN_HINT,
  uri: DSN_HINT,
  dsn: DSN_HINT,
  max: 'use "maxSize" (a createPool() option)',
  min: 'use "minSize" (a createPool() option)',
  maxuses: 'use "maxQueries" (a createPool() option)',
  idletimeout: 'use "maxInactiveConnectionLifetime" (a createPool() option, milliseconds)',
  idletimeoutmillis: 'use "maxInactiveConnectionLifetime" (a createPool() option, milliseconds)',
  connectiontimeoutmillis: 'use "connectTimeout" (milliseconds), or "acquireTimeout" for a pool',
  connectiontimeout: 'use "connectTimeout" (milliseconds)',
  querytimeout: 'use "commandTimeout" (milliseconds)',
  statementtimeout: 'use "commandTimeout" (milliseconds), or serverSettings: { statement_timeout }',
  timeout: 'use "commandTimeout" (milliseconds) or "connectTimeout"',
  applicationname: 'use serverSettings: { application_name }',
  options: 'use "serverSettings" (one entry per run-time parameter)',
  dbname: 'use "database"',
  db: 'use "database"',
  username: 'use "user"',
  hostname: 'use "host"',
  hostaddr: 'use "host"',
  sslmode: 'use "ssl" (the same values)',
  prepare: 'use "statementCacheSize" (0 for unnamed statements only)',
};

/** Where the options were given, for the message. */
export interface OptionScope {
  /** `'connect()'` or `'createPool()'`. */
  call: string;
  /** The names this call accepts. */
  known: readonly string[];
  /** Names only another call accepts, and that call (pool options given to `connect()` belong to `createPool()`). */
  elsewhere?: { names: readonly string[]; call: string };
}

/** The scope of `connect()`'s options. */
export const CONNECT_SCOPE: OptionScope = {
  call: 'connect()',
  known: CONNECT_OPTION_NAMES,
  elsewhere: { names: POOL_OPTION_NAMES, call: 'createPool()' },
};

/**
 * Throws an `InterfaceError` for the first key of `options` the call does not accept (keys set to `undefined`
 * count too: a misspelt key is wrong whatever its value), naming it and what to write instead.
 * @internal Used by `connect()` and `createPool()`; not part of the supported API.
 */
export function rejectUnknownOptions(options: object, scope: OptionScope): void {
  const known = new Set(scope.known);
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const placed = scope.elsewhere?.names.includes(key) ? `it is an option of ${scope.elsewhere.call}` : undefined;
    const hint = placed ?? FOREIGN_NAMES[key.toLowerCase().replace(/[_-]/g, '')] ?? suggestion(key, scope.known);
    throw new InterfaceError(`${scope.call}: unknown option "${key}"${hint === undefined ? '' : `; ${hint}`}`);
  }
}

function suggestion(key: string, known: readonly string[]): string | undefined {
  const near = nearestName(key, known);
  return near === undefined ? undefined : `did you mean "${near}"?`;
}
