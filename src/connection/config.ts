import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { InterfaceError } from '../errors/index.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../protocol/index.js';
import { parseDsn } from './config-dsn.js';
import { CONNECT_SCOPE, rejectUnknownOptions } from './config-keys.js';
import { layerFromEnv, type Environment } from './config-env.js';
import { resolveSsl } from './config-ssl.js';
import type {
  ConfigLayer,
  ConnectOptions,
  PasswordOption,
  ResolvedConfig,
  ResolvedHost,
} from './config-types.js';
import { findPgpassPassword, readPgpass } from './pgpass.js';

export type * from './config-types.js';
export { parseDsn } from './config-dsn.js';
export { CONNECT_OPTION_NAMES, POOL_OPTION_NAMES, rejectUnknownOptions, type OptionScope } from './config-keys.js';
export { layerFromEnv, type Environment } from './config-env.js';
export { parsePgpass, findPgpassPassword, readPgpass, type PgpassEntry, type PgpassQuery } from './pgpass.js';

/** Built-in defaults (README, "Connecting"). */
const DEFAULTS = {
  host: 'localhost',
  port: 5432,
  connectTimeout: 30_000,
  cancelTimeout: 10_000,
  statementCacheSize: 100,
  maxCachedStatementLifetime: 300_000,
  maxCacheableStatementSize: 15_360,
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  keepAliveInitialDelay: 60_000,
} as const;

/** The outside world `resolveConfig` reads, injectable so tests need not touch the real environment. */
export interface ResolveContext {
  /** Environment variables; `process.env` by default. */
  env?: Environment;
  /** Home directory for `~/.pgpass` and `~/.postgresql/`; `os.homedir()` by default. */
  homeDir?: string;
  /** The OS user name, the last-resort default user; `os.userInfo().username` by default. */
  osUser?: string;
}

/**
 * Turns a DSN and/or options into a complete configuration. Priority, highest first: `overrides`, options (or
 * the DSN when `dsnOrOptions` is a string), `DATABASE_URL` (only when neither a DSN nor a host is given), the
 * PG* environment, the password file, built-in defaults. An unknown option is an `InterfaceError` naming it
 * and the nearest known one.
 * `serverSettings` objects merge key by key in the same order.
 *
 * Defaults: host `localhost` over TCP (libpq would use its Unix socket), port 5432, user = the OS user,
 * database = the user. A host starting with `/` is a socket directory (`socketPath` = `${dir}/.s.PGSQL.${port}`).
 * When no password is given, the password file (`passfile`, `PGPASSFILE`, else `~/.pgpass`) is searched per
 * host and the match stored in each {@link ResolvedHost.password}. Invalid settings reject with an
 * `InterfaceError` that never contains the password.
 */
export async function resolveConfig(
  dsnOrOptions?: string | ConnectOptions,
  overrides?: ConnectOptions,
  context: ResolveContext = {},
): Promise<ResolvedConfig> {
  const env = context.env ?? process.env;
  const homeDir = context.homeDir ?? homedir();
  const options = mergeOptions(typeof dsnOrOptions === 'object' ? dsnOrOptions : undefined, overrides);
  const dsnLayer = typeof dsnOrOptions === 'string' ? parseDsn(dsnOrOptions) : layerFromDatabaseUrl(env, options);
  const layers: ConfigLayer[] = [layerFromOptions(options), dsnLayer, layerFromEnv(env)];
  const pick = <K extends keyof ConfigLayer>(key: K): ConfigLayer[K] => {
    for (const layer of layers) if (layer[key] !== undefined) return layer[key];
    return undefined;
  };

  const user = pick('user') ?? context.osUser ?? osUserName();
  const database = pick('database') ?? user;
  const hosts = pairHosts(pick('hosts'), pick('ports'));
  const ssl = await resolveSsl(layers, homeDir, env);
  const channelBinding = pick('channelBinding') ?? 'prefer';
  if (channelBinding === 'require' && ssl.mode === 'disable') {
    throw new InterfaceError('channelBinding "require" needs TLS, but sslmode is "disable"');
  }

  const password = pick('password');
  if (password === undefined) {
    const entries = await readPgpass(pick('passfile') ?? join(homeDir, '.pgpass'));
    if (entries !== undefined) {
      for (const h of hosts) {
        const found = findPgpassPassword(entries, { host: h.host, port: h.port, database, user });
        if (found !== undefined) h.password = found;
      }
    }
  }

  return {
    hosts,
    user,
    password,
    database,
    ssl,
    connectTimeout: pick('connectTimeout') ?? DEFAULTS.connectTimeout,
    commandTimeout: options.commandTimeout,
    cancelTimeout: options.cancelTimeout ?? DEFAULTS.cancelTimeout,
    statementCacheSize: options.statementCacheSize ?? DEFAULTS.statementCacheSize,
    maxCachedStatementLifetime: options.maxCachedStatementLifetime ?? DEFAULTS.maxCachedStatementLifetime,
    maxCacheableStatementSize: options.maxCacheableStatementSize ?? DEFAULTS.maxCacheableStatementSize,
    maxMessageSize: options.maxMessageSize ?? DEFAULTS.maxMessageSize,
    serverSettings: mergeServerSettings(layers),
    targetSessionAttrs: pick('targetSessionAttrs') ?? 'any',
    loadBalanceHosts: pick('loadBalanceHosts') ?? 'disable',
    channelBinding,
    keepAlive: pick('keepAlive') ?? true,
    keepAliveInitialDelay: pick('keepAliveInitialDelay') ?? DEFAULTS.keepAliveInitialDelay,
    pgbouncer: pick('pgbouncer') ?? false,
    int8: options.int8 ?? 'bigint',
    types: { ...options.types },
  };
}

/**
 * `DATABASE_URL`, the variable hosting platforms and Bun.sql use, as a DSN layer: read only when no DSN and no
 * host are given (an explicit host means the caller chose a server), and ranked above the PG* variables. A
 * malformed value is an `InterfaceError` naming the variable, with the parser's reason (never the password).
 */
function layerFromDatabaseUrl(env: Environment, options: ConnectOptions): ConfigLayer {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '' || options.host !== undefined) return {};
  try {
    return parseDsn(url);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InterfaceError(`the DATABASE_URL environment variable is not a valid PostgreSQL URL: ${reason}`, { cause: err });
  }
}

/**
 * The password to send to `host`: the configured one (calling a password function each time, for rotating
 * credentials), else the host's password-file entry, else undefined.
 */
export async function resolvePassword(config: ResolvedConfig, host: ResolvedHost): Promise<string | undefined> {
  const source = config.password;
  if (source === undefined) return host.password;
  if (typeof source === 'string') return source;
  const value = await source();
  if (typeof value !== 'string') throw new InterfaceError('the password function must return a string');
  return value;
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch (err) {
    throw new InterfaceError('no user given and the OS user name could not be determined; set user or PGUSER', {
      cause: err,
    });
  }
}

/** Options then overrides, ignoring keys explicitly set to undefined; serverSettings merge key by key. */
function mergeOptions(base: ConnectOptions | undefined, top: ConnectOptions | undefined): ConnectOptions {
  const merged: Record<string, unknown> = {};
  for (const source of [base, top]) {
    if (source === undefined || source === null) continue;
    if (typeof source !== 'object') throw new InterfaceError('connection options must be an object');
    rejectUnknownOptions(source, CONNECT_SCOPE);
    for (const [key, value] of Object.entries(source)) if (value !== undefined) merged[key] = value;
  }
  if (base?.serverSettings !== undefined && top?.serverSettings !== undefined) {
    merged.serverSettings = { ...base.serverSettings, ...top.serverSettings };
  }
  return merged as ConnectOptions;
}

/** Hosts paired with ports: one port for all, or one per host (libpq's rule); other counts are an error. */
function pairHosts(hostList: string[] | undefined, portList: (number | undefined)[] | undefined): ResolvedHost[] {
  const hosts = hostList ?? [DEFAULTS.host];
  const ports = portList ?? [undefined];
  if (ports.length !== 1 && ports.length !== hosts.length) {
    throw new InterfaceError(`could not match ${ports.length} port numbers to ${hosts.length} hosts`);
  }
  return hosts.map((name, i) => {
    const host = name === '' ? DEFAULTS.host : name;
    const port = (ports.length === 1 ? ports[0] : ports[i]) ?? DEFAULTS.port;
    return host.startsWith('/') ? { host, port, socketPath: `${host.replace(/\/+$/, '')}/.s.PGSQL.${port}` } : { host, port };
  });
}

/**
 * Server settings from every layer (environment < DSN < options), then `application_name`: an explicit one
 * from the highest layer, else any `-c application_name=` already merged, else `fallback_application_name`.
 * Settings that would break pgjet's decoding are refused here, before any connection is attempted.
 */
function mergeServerSettings(layers: readonly ConfigLayer[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (let i = layers.length - 1; i >= 0; i--) Object.assign(settings, layers[i].serverSettings);
  const explicit = layers.find((l) => l.applicationName !== undefined)?.applicationName;
  const fallback = layers.find((l) => l.fallbackApplicationName !== undefined)?.fallbackApplicationName;
  if (explicit !== undefined) settings.application_name = explicit;
  else if (settings.application_name === undefined && fallback !== undefined) settings.application_name = fallback;
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value !== 'string') throw new InterfaceError(`serverSettings.${name} must be a string`);
    const lower = name.toLowerCase();
    if (lower === 'client_encoding' && !/^(utf-?8|unicode)$/i.test(value)) {
      throw new InterfaceError(`serverSettings.client_encoding: pgjet only speaks UTF8, got "${value}"`);
    }
    if (lower === 'datestyle' && !/^\s*iso\b/i.test(value)) {
      throw new InterfaceError(`serverSettings.DateStyle: pgjet needs ISO output, got "${value}" (try "ISO, DMY")`);
    }
  }
  return settings;
}

function checkNumber(name: string, value: unknown, min: number, max = Infinity, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InterfaceError(`${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got ${String(value)}`);
  }
}

function checkChoice(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new InterfaceError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
}

/** Validates the options (they may come from plain JavaScript) and maps them onto the layer shape. */
function layerFromOptions(o: ConnectOptions): ConfigLayer {
  const hosts = o.host === undefined ? undefined : Array.isArray(o.host) ? o.host : [o.host];
  if (hosts !== undefined && (hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || h === ''))) {
    throw new InterfaceError('host must be a non-empty string or a non-empty array of them');
  }
  const ports = o.port === undefined ? undefined : Array.isArray(o.port) ? o.port : [o.port];
  ports?.forEach((p) => checkNumber('port', p, 1, 65535, true));
  if (ports?.length === 0) throw new InterfaceError('port must be a number or a non-empty array of them');
  for (const key of ['user', 'database'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === '')) {
      throw new InterfaceError(`${key} must be a non-empty string`);
    }
  }
  if (o.password !== undefined && typeof o.password !== 'string' && typeof o.password !== 'function') {
    throw new InterfaceError('password must be a string or a function returning one');
  }
  if (o.ssl !== undefined && typeof o.ssl !== 'object') {
    checkChoice('ssl', o.ssl, ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);
  }
  checkNumber('connectTimeout', o.connectTimeout, 0);
  checkNumber('commandTimeout', o.commandTimeout, 0);
  checkNumber('cancelTimeout', o.cancelTimeout, 1);
  checkNumber('statementCacheSize', o.statementCacheSize, 0, Infinity, true);
  checkNumber('maxCachedStatementLifetime', o.maxCachedStatementLifetime, 0);
  checkNumber('maxCacheableStatementSize', o.maxCacheableStatementSize, 0, Infinity, true);
  checkNumber('maxMessageSize', o.maxMessageSize, 5, 0x8000_0000, true);
  checkNumber('keepAliveInitialDelay', o.keepAliveInitialDelay, 0);
  checkChoice('targetSessionAttrs', o.targetSessionAttrs, [
    'any',
    'read-write',
    'read-only',
    'primary',
    'standby',
    'prefer-standby',
  ]);
  checkChoice('loadBalanceHosts', o.loadBalanceHosts, ['disable', 'random']);
  checkChoice('channelBinding', o.channelBinding, ['disable', 'prefer', 'require']);
  checkChoice('int8', o.int8, ['bigint', 'number', 'string']);
  if (o.serverSettings !== undefined && (typeof o.serverSettings !== 'object' || o.serverSettings === null)) {
    throw new InterfaceError('serverSettings must be an object of strings');
  }
  const { application_name: applicationName, ...serverSettings } = o.serverSettings ?? {};
  const password: PasswordOption | undefined = o.password === '' ? undefined : o.password;
  return {
    hosts,
    ports,
    user: o.user,
    password,
    database: o.database,
    sslMode: typeof o.ssl === 'string' ? o.ssl : undefined,
    tlsOptions: typeof o.ssl === 'object' && o.ssl !== null ? o.ssl : undefined,
    connectTimeout: o.connectTimeout,
    serverSettings,
    applicationName,
    targetSessionAttrs: o.targetSessionAttrs,
    loadBalanceHosts: o.loadBalanceHosts,
    channelBinding: o.channelBinding,
    keepAlive: o.keepAlive === undefined ? undefined : Boolean(o.keepAlive),
    keepAliveInitialDelay: o.keepAliveInitialDelay,
    pgbouncer: o.pgbouncer === undefined ? undefined : Boolean(o.pgbouncer),
  };
}
