/**
 * node-postgres' connection settings (its `ConnectionParameters`): the client's options, then a connection
 * string's fields, then the PG* environment, then `pg.defaults`; translated into pgjet's `ConnectOptions`.
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ConnectOptions } from '../../index.js';
import { defaults } from './defaults.js';
import type { TypeParserSource } from './types.js';

/** pg's `ssl` option: false / true, or `tls.connect` options (`rejectUnauthorized: false` skips verification). */
export type PgSsl = boolean | TlsOptions | string;

/** The options `new Client(config)` accepts (node-postgres 8.x). */
export interface ClientConfig {
  /** Database user. */
  user?: string | undefined;
  /** Database name (default: the user name). */
  database?: string | undefined;
  /** Password, or a function returning it (or a Promise of it). */
  password?: string | (() => string | Promise<string>) | undefined;
  /** Port (default 5432). */
  port?: number | string | undefined;
  /** Host name, or a Unix-socket directory starting with `/`. */
  host?: string | undefined;
  /** A `postgres://` URI; its fields fill in what the options leave unset. */
  connectionString?: string | undefined;
  /** TCP keepalives (pg's default: off). */
  keepAlive?: boolean | undefined;
  /** Delay before the first keepalive probe, in ms. */
  keepAliveInitialDelayMillis?: number | undefined;
  /** Server `statement_timeout` for the session, in ms. */
  statement_timeout?: false | number | undefined;
  /** Server `lock_timeout`, in ms. */
  lock_timeout?: false | number | undefined;
  /** Server `idle_in_transaction_session_timeout`, in ms. */
  idle_in_transaction_session_timeout?: false | number | undefined;
  /** Client-side limit per query, in ms: the query is cancelled on the server and fails with `Query read timeout`. */
  query_timeout?: false | number | undefined;
  /** `application_name` reported to the server. */
  application_name?: string | undefined;
  /** Used when `application_name` is not set. */
  fallback_application_name?: string | undefined;
  /** Limit for establishing the connection, in ms (0: none). */
  connectionTimeoutMillis?: number | undefined;
  /** Parsers used instead of `pg.types` for this client's results. */
  types?: TypeParserSource | undefined;
  /** TLS: `true`, or `tls.connect` options. */
  ssl?: PgSsl | undefined;
  /** Command-line options sent at startup (`-c search_path=app`). */
  options?: string | undefined;
  /** Accepted for compatibility; pgjet always uses UTF-8. */
  client_encoding?: string | undefined;
  /** Accepted for compatibility (pg's binary result mode); values are always pg's text-parser values. */
  binary?: boolean | undefined;
  /** Accepted for compatibility: queries on one client are always pipelined in call order. */
  pipeline?: boolean | undefined;
  /** Other pg options pass through unread (stream, Promise, replication, …). */
  [key: string]: unknown;
}

/** The resolved settings, as pg keeps them on `client.connectionParameters`. */
export interface ConnectionParameters {
  user: string | undefined;
  database: string | undefined;
  port: number;
  host: string;
  password: ClientConfig['password'] | null;
  ssl: PgSsl;
  options: string | undefined;
  application_name: string | undefined;
  fallback_application_name: string | undefined;
  statement_timeout: false | number | string;
  lock_timeout: false | number | string;
  idle_in_transaction_session_timeout: false | number | string;
  query_timeout: false | number;
  connect_timeout: number;
  keepAlive: boolean;
  keepAliveInitialDelayMillis: number;
  client_encoding: string | undefined;
}

/** Parses a `postgres://` URI (or `socket:/dir?db=…`) into pg option names, as pg-connection-string does. */
export function parseConnectionString(text: string): ClientConfig {
  if (text.startsWith('/')) return { host: text };
  let url: URL;
  try {
    url = new URL(text.startsWith('socket:') ? text.replace(/^socket:/, 'socket://localhost') : text);
  } catch (err) {
    throw new TypeError(`invalid connection string: ${(err as Error).message}`, { cause: err });
  }
  const out: ClientConfig = {};
  for (const [key, value] of url.searchParams) out[key] = value;
  if (url.protocol === 'socket:') {
    out.host = decodeURIComponent(url.pathname);
    if (out.db !== undefined) out.database = out.db as string;
  } else {
    if (url.hostname !== '') out.host = decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
    if (url.port !== '') out.port = url.port;
    const db = url.pathname.slice(1);
    if (db !== '') out.database = decodeURIComponent(db);
  }
  if (url.username !== '') out.user = decodeURIComponent(url.username);
  if (url.password !== '') out.password = decodeURIComponent(url.password);
  const ssl = out.ssl;
  if (ssl === 'true' || ssl === '1') out.ssl = true;
  else if (ssl === 'false' || ssl === '0') out.ssl = false;
  const mode = out.sslmode;
  if (mode === 'disable') out.ssl = false;
  else if (mode === 'no-verify') out.ssl = { rejectUnauthorized: false };
  else if (typeof mode === 'string') out.ssl = typeof out.ssl === 'object' ? out.ssl : {};
  return out;
}

function sslFromEnvironment(): PgSsl {
  switch (process.env.PGSSLMODE) {
    case 'disable': return false;
    case 'prefer': case 'require': case 'verify-ca': case 'verify-full': return true;
    case 'no-verify': return { rejectUnauthorized: false };
    default: return defaults.ssl;
  }
}

type Key = keyof ConnectionParameters;

/** pg's `val()`: a truthy option, else the PG* variable, else the default. */
function pick(config: ClientConfig, key: string, env: string | false = `PG${key.toUpperCase()}`): unknown {
  const given = config[key];
  if (given) return given;
  const fromEnv = env === false ? undefined : process.env[env];
  return fromEnv || (defaults as unknown as Record<string, unknown>)[key];
}

/** Resolves a client's settings from its config (or connection string), the environment and `pg.defaults`. */
export function connectionParameters(input: ClientConfig | string | undefined): ConnectionParameters {
  let config: ClientConfig = typeof input === 'string' ? parseConnectionString(input) : { ...(input ?? {}) };
  // A pool hides the password it passes on (not enumerable, as pg-pool does), which a spread leaves behind.
  if (typeof input === 'object' && input.password !== undefined) config.password = input.password;
  const uri = config.connectionString ?? (typeof input === 'object' ? undefined : defaults.connectionString);
  if (typeof uri === 'string' && uri !== '') config = { ...config, ...parseConnectionString(uri) };
  const user = pick(config, 'user') as string | undefined;
  let ssl: PgSsl = config.ssl === undefined ? sslFromEnvironment() : config.ssl;
  if (ssl === 'true') ssl = true;
  if (ssl === 'no-verify') ssl = { rejectUnauthorized: false };
  const timeoutMs = config.connectionTimeoutMillis;
  const params: ConnectionParameters = {
    user,
    database: (pick(config, 'database') as string | undefined) ?? user,
    port: parseInt(String(pick(config, 'port')), 10),
    host: pick(config, 'host') as string,
    password: (pick(config, 'password') as ClientConfig['password']) ?? null,
    ssl,
    options: pick(config, 'options') as string | undefined,
    application_name: pick(config, 'application_name', 'PGAPPNAME') as string | undefined,
    fallback_application_name: pick(config, 'fallback_application_name', false) as string | undefined,
    statement_timeout: pick(config, 'statement_timeout', false) as false | number,
    lock_timeout: pick(config, 'lock_timeout', false) as false | number,
    idle_in_transaction_session_timeout: pick(config, 'idle_in_transaction_session_timeout', false) as false | number,
    query_timeout: pick(config, 'query_timeout', false) as false | number,
    connect_timeout: timeoutMs === undefined ? Number(process.env.PGCONNECT_TIMEOUT ?? 0) * 1000 : Number(timeoutMs),
    keepAlive: config.keepAlive === true,
    keepAliveInitialDelayMillis: typeof config.keepAliveInitialDelayMillis === 'number' ? config.keepAliveInitialDelayMillis : 0,
    client_encoding: pick(config, 'client_encoding') as string | undefined,
  } satisfies Record<Key, unknown>;
  // Secrets stay out of logs and util.inspect, as in pg: the password and a TLS private key are not enumerable.
  Object.defineProperty(params, 'password', { enumerable: false });
  if (typeof ssl === 'object' && ssl !== null && 'key' in ssl) Object.defineProperty(ssl, 'key', { enumerable: false });
  return params;
}

/** pgjet's options for the resolved settings: int8 as strings (pg's value), pg's session parameters at startup. */
export function toConnectOptions(p: ConnectionParameters, password: ConnectOptions['password']): ConnectOptions {
  const serverSettings: Record<string, string> = {};
  const appName = p.application_name ?? p.fallback_application_name;
  if (appName) serverSettings.application_name = appName;
  if (p.statement_timeout) serverSettings.statement_timeout = String(parseInt(String(p.statement_timeout), 10));
  if (p.lock_timeout) serverSettings.lock_timeout = String(parseInt(String(p.lock_timeout), 10));
  if (p.idle_in_transaction_session_timeout) {
    serverSettings.idle_in_transaction_session_timeout = String(parseInt(String(p.idle_in_transaction_session_timeout), 10));
  }
  if (p.options) serverSettings.options = p.options;
  const ssl: ConnectOptions['ssl'] = p.ssl === false || p.ssl === undefined ? 'disable' : typeof p.ssl === 'object' ? { ...p.ssl } : {};
  const opts: ConnectOptions = {
    host: p.host,
    port: Number.isFinite(p.port) ? p.port : 5432,
    ssl,
    connectTimeout: p.connect_timeout > 0 ? p.connect_timeout : 0,
    keepAlive: p.keepAlive,
    int8: 'string',
    serverSettings,
  };
  if (p.user !== undefined) opts.user = p.user;
  if (p.database !== undefined) opts.database = p.database;
  if (password !== undefined) opts.password = password;
  if (p.keepAlive && p.keepAliveInitialDelayMillis > 0) opts.keepAliveInitialDelay = p.keepAliveInitialDelayMillis;
  return opts;
}
