import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';

/** libpq's `sslmode` values, with libpq's meaning (see {@link ConnectOptions.ssl}). */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** libpq's `target_session_attrs`: which kind of server a multi-host connect accepts. */
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby';

/** Whether the SCRAM-SHA-256-PLUS channel binding is skipped, used when possible, or mandatory. */
export type ChannelBindingMode = 'disable' | 'prefer' | 'require';

/** How `int8` values decode (see the `int8` option). */
export type Int8Mode = 'bigint' | 'number' | 'string';

/** A password source: a fixed string, or a function called on every connect (rotating credentials). */
export type PasswordOption = string | (() => string | Promise<string>);

/**
 * A custom codec definition for the `types` option, keyed by type name. The codec layer gives it its full type;
 * here it is only carried through to the connection.
 */
export interface CustomCodecDefinition {
  /** The type's schema; `'public'` when omitted. */
  schema?: string;
  /** Whether the codec exchanges the server's text form or its binary form. */
  format: 'text' | 'binary';
  /** Turns a JS value into the type's text (for `'text'`) or bytes (for `'binary'`). */
  encode(value: unknown): string | Uint8Array;
  /** Turns the server's text (`'text'`) or bytes (`'binary'`) into a JS value. */
  decode(data: unknown): unknown;
}

/**
 * Options of `connect()` and `createPool()`. All are optional; every duration is in milliseconds (only the DSN's
 * and environment's libpq parameters keep libpq's seconds). Options override the same fields of a DSN.
 */
export interface ConnectOptions {
  /** Host name, IP address, or Unix-socket directory (starts with `/`); an array tries several in order. */
  host?: string | string[];
  /** TCP port, or one per host. One port applies to every host. */
  port?: number | number[];
  /** The role to log in as; defaults to `PGUSER`, then the OS user. */
  user?: string;
  /** A password, or a function returning one (or a Promise of one), called on each connect. */
  password?: PasswordOption;
  /** The database; defaults to `PGDATABASE`, then the user name. */
  database?: string;
  /**
   * An `sslmode` (libpq semantics: `'require'` encrypts without verifying unless a root certificate is given),
   * or `tls.ConnectionOptions`, which means verify-full with those options. Defaults to `PGSSLMODE`, else
   * `'prefer'`.
   */
  ssl?: SslMode | TlsConnectionOptions;
  /** Time allowed for the whole connect to one host (socket, TLS, authentication); 30 000 by default, 0 = none. */
  connectTimeout?: number;
  /** Default per-query timeout; the query is cancelled on the server when it expires. None by default. */
  commandTimeout?: number;
  /**
   * How long the server gets to answer once a call's timeout or abort has cancelled it, and to close the
   * socket once `close()` has sent Terminate. A call still unanswered then is abandoned with its connection
   * (it rejects with `TimeoutError` / `AbortError` whose `cause` says so, and a pool replaces the connection),
   * so every call ends within its timeout plus this. Also bounds the CancelRequest's own connection.
   * Default 10 000.
   */
  cancelTimeout?: number;
  /** Size of the per-connection LRU of prepared statements; 0 keeps only unnamed statements. Default 100. */
  statementCacheSize?: number;
  /** A cached statement older than this is prepared again. Default 300 000. */
  maxCachedStatementLifetime?: number;
  /** SQL longer than this many characters is never cached. Default 15 360. */
  maxCacheableStatementSize?: number;
  /**
   * The longest backend message accepted, in bytes. A longer one (a corrupted or hostile length) closes the
   * connection with a `ProtocolError` before memory is set aside for it. Default 1 GiB, above anything a
   * PostgreSQL backend can send (it cannot build a message of 1 GB or more).
   */
  maxMessageSize?: number;
  /** Run-time parameters sent in the startup message, e.g. `{ search_path: 'orders' }`. */
  serverSettings?: Record<string, string>;
  /** Which server a multi-host connect accepts. Default `'any'`. */
  targetSessionAttrs?: TargetSessionAttrs;
  /** `'random'` shuffles the hosts before trying them. Default `'disable'`. */
  loadBalanceHosts?: 'disable' | 'random';
  /** SCRAM-SHA-256-PLUS channel binding over TLS. Default `'prefer'`. */
  channelBinding?: ChannelBindingMode;
  /** Enables TCP keepalives. Default true. */
  keepAlive?: boolean;
  /** Idle time before the first keepalive probe. Default 60 000. */
  keepAliveInitialDelay?: number;
  /** Set when behind a transaction-mode pooler (unnamed statements, no reset, no LISTEN). Default false. */
  pgbouncer?: boolean;
  /** How int8 decodes: `'bigint'` (default, lossless), `'number'` (DataError beyond 2^53), `'string'`. */
  int8?: Int8Mode;
  /** Codec overrides by type name. */
  types?: Record<string, CustomCodecDefinition>;
}

/**
 * The connection settings a DSN or the environment can carry: libpq's parameters, already parsed. Durations
 * are converted to milliseconds. Produced by `parseDsn()` and by the environment reader; merged by
 * `resolveConfig()` with the options on top.
 */
export interface ConfigLayer {
  /** Hosts in order; an empty string stands for the default host. */
  hosts?: string[];
  /** One port for all hosts, or one per host; `undefined` entries take 5432. */
  ports?: (number | undefined)[];
  /** `user`. */
  user?: string;
  /** `password`. */
  password?: PasswordOption;
  /** `dbname`. */
  database?: string;
  /** `sslmode`. */
  sslMode?: SslMode;
  /** TLS options given as the `ssl` option object (options only). */
  tlsOptions?: TlsConnectionOptions;
  /** `sslrootcert`: a PEM file path, or `'system'` for the platform's trusted roots. */
  sslRootCert?: string;
  /** `sslcert`: client certificate file. */
  sslCert?: string;
  /** `sslkey`: client key file. */
  sslKey?: string;
  /** `sslpassword`: the client key's passphrase. */
  sslPassword?: string;
  /** `sslnegotiation`: `'postgres'` (SSLRequest first) or `'direct'` (TLS from the first byte, PostgreSQL 17+). */
  sslNegotiation?: 'postgres' | 'direct';
  /** `application_name`. */
  applicationName?: string;
  /** `fallback_application_name`: used when no application name is set anywhere. */
  fallbackApplicationName?: string;
  /** `connect_timeout`, converted to milliseconds (0 = none). */
  connectTimeout?: number;
  /** `options` (`-c name=value` pairs) as run-time parameters. */
  serverSettings?: Record<string, string>;
  /** `target_session_attrs`. */
  targetSessionAttrs?: TargetSessionAttrs;
  /** `load_balance_hosts`. */
  loadBalanceHosts?: 'disable' | 'random';
  /** `channel_binding`. */
  channelBinding?: ChannelBindingMode;
  /** `keepalives` (1/0). */
  keepAlive?: boolean;
  /** `keepalives_idle`, converted to milliseconds. */
  keepAliveInitialDelay?: number;
  /** `passfile`: the password file to read instead of `~/.pgpass`. */
  passfile?: string;
  /** `pgbouncer=true|false` (a pgjet extension, as Prisma's DSNs carry it). */
  pgbouncer?: boolean;
}

/** One host to try, with everything the transport needs to reach it. */
export interface ResolvedHost {
  /** The host name or IP address, or the socket directory for a Unix socket. */
  host: string;
  /** The TCP port, or the port number in the socket's file name. */
  port: number;
  /** For a Unix socket: the socket file, `${dir}/.s.PGSQL.${port}` (TLS is never attempted over it). */
  socketPath?: string;
  /** The password found for this host in the password file; used only when no password was given. */
  password?: string;
}

/** TLS settings after libpq's rules are applied. */
export interface ResolvedSsl {
  /** The effective sslmode. */
  mode: SslMode;
  /** `'postgres'`: SSLRequest then TLS; `'direct'`: TLS from the first byte with ALPN `postgresql`. */
  negotiation: 'postgres' | 'direct';
  /** What is checked: nothing, the certificate chain, or the chain and the host name. */
  verify: 'none' | 'ca' | 'full';
  /**
   * Where trusted roots come from when verifying: a root certificate file (`sslrootcert`), the system store
   * (`sslrootcert=system`), or Node's built-in list (nothing given). Used to explain an untrusted certificate.
   */
  rootSource?: 'file' | 'system' | 'builtin';
  /**
   * Options for `tls.connect()`: CA, client certificate and key already read from their files,
   * `rejectUnauthorized` and `checkServerIdentity` set to match `verify`, ALPN `postgresql`. The transport adds
   * the socket and `servername` (only for host names: SNI must not carry an IP address).
   */
  tlsOptions: TlsConnectionOptions;
}

/** Everything a connection needs, with every default applied. Produced by `resolveConfig()`. */
export interface ResolvedConfig {
  /** Hosts to try, in the given order (the connector shuffles them when `loadBalanceHosts` is `'random'`). */
  hosts: ResolvedHost[];
  /** The login role. */
  user: string;
  /** An explicit password or password function; `undefined` means the host's password-file entry, if any. */
  password: PasswordOption | undefined;
  /** The database. */
  database: string;
  /** TLS settings. */
  ssl: ResolvedSsl;
  /** Milliseconds for one host's whole connect; 0 means no limit. */
  connectTimeout: number;
  /** Default per-query timeout in milliseconds, if any. */
  commandTimeout: number | undefined;
  /** Milliseconds a cancelled call or a closing connection waits for the server before it is abandoned. */
  cancelTimeout: number;
  /** Prepared-statement LRU size. */
  statementCacheSize: number;
  /** Milliseconds after which a cached statement is prepared again. */
  maxCachedStatementLifetime: number;
  /** Longest SQL (in characters) that is cached. */
  maxCacheableStatementSize: number;
  /** Longest backend message accepted, in bytes. */
  maxMessageSize: number;
  /** Run-time parameters for the startup message, `application_name` included when set. */
  serverSettings: Record<string, string>;
  /** Which server is acceptable. */
  targetSessionAttrs: TargetSessionAttrs;
  /** Host order policy. */
  loadBalanceHosts: 'disable' | 'random';
  /** Channel-binding policy. */
  channelBinding: ChannelBindingMode;
  /** TCP keepalives on. */
  keepAlive: boolean;
  /** Milliseconds before the first keepalive probe. */
  keepAliveInitialDelay: number;
  /** Transaction-pooler mode. */
  pgbouncer: boolean;
  /** int8 decoding. */
  int8: Int8Mode;
  /** Custom codecs by type name. */
  types: Record<string, CustomCodecDefinition>;
}
