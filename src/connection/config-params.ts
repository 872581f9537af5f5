import { InterfaceError } from '../errors/index.js';
import type { ChannelBindingMode, ConfigLayer, SslMode, TargetSessionAttrs } from './config-types.js';

/**
 * libpq's connection parameters as pgjet reads them from a DSN's query string and from the PG* environment
 * variables. One table serves both so that `?sslmode=` and `PGSSLMODE` can never disagree.
 *
 * Unknown parameters are refused with an `InterfaceError` naming them, as libpq does ("invalid URI query
 * parameter"), rather than forwarded to the server as postgres.js does: a typo such as `sslmod=require` must
 * not silently connect without TLS. Server settings go through `options=-c name=value` (libpq's way) or the
 * `serverSettings` option. A few libpq parameters that only tune what Node cannot control are accepted and
 * ignored (see {@link IGNORED_PARAMS}).
 */

/** Where a value came from, for error messages: `DSN parameter "sslmode"` or `PGSSLMODE`. */
type ParamSource = string;

type Setter = (layer: ConfigLayer, value: string, source: ParamSource) => void;

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const SESSION_ATTRS: readonly TargetSessionAttrs[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
];
const CHANNEL_BINDING: readonly ChannelBindingMode[] = ['disable', 'prefer', 'require'];

/**
 * libpq parameters accepted and ignored, with why ignoring them is safe: Node exposes no per-socket setting for
 * the keepalive tuning knobs, TLS compression no longer exists, SNI is always sent for host names, and GSSAPI
 * encryption is never attempted (so only `gssencmode=require` is an error).
 */
export const IGNORED_PARAMS: ReadonlySet<string> = new Set([
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'sslcompression',
  'sslsni',
]);

function oneOf<T extends string>(allowed: readonly T[], value: string, source: ParamSource): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InterfaceError(`invalid value "${value}" for ${source}: expected one of ${allowed.join(', ')}`);
}

/** Parses an integer the way libpq's parse_int_param does: optional sign and surrounding blanks, nothing else. */
export function parseIntParam(value: string, source: ParamSource): number {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw new InterfaceError(`invalid integer value "${value}" for ${source}`);
  return Number(trimmed);
}

function parsePortList(value: string, source: ParamSource): (number | undefined)[] {
  return value.split(',').map((part) => {
    if (part === '') return undefined;
    const port = /^\d{1,5}$/.test(part) ? Number(part) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new InterfaceError(`invalid port "${part}" in ${source}`);
    return port;
  });
}

function parseBool(value: string, source: ParamSource): boolean {
  const v = value.toLowerCase();
  if (v === '1' || v === 'true' || v === 'on' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'off' || v === 'no') return false;
  throw new InterfaceError(`invalid boolean value "${value}" for ${source}`);
}

/** Seconds (libpq's unit) to milliseconds; libpq treats 0 or less as "no limit" and raises 1 to 2 seconds. */
function connectTimeoutMs(value: string, source: ParamSource): number {
  const seconds = parseIntParam(value, source);
  if (seconds <= 0) return 0;
  return Math.max(seconds, 2) * 1000;
}

/**
 * Splits libpq's `options` value (command-line switches for the backend) into settings. Whitespace separates
 * words and a backslash escapes the next character, as in libpq; `-c name=value`, `-cname=value` and
 * `--name=value` are understood, with dashes in names read as underscores as the server does.
 */
export function parseOptionsParam(value: string, source: ParamSource): Record<string, string> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      word += value[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);

  const settings: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    let pair: string | undefined;
    if (words[i] === '-c') pair = words[++i];
    else if (words[i].startsWith('--')) pair = words[i].slice(2);
    else if (words[i].startsWith('-c')) pair = words[i].slice(2);
    const eq = pair === undefined ? -1 : pair.indexOf('=');
    if (pair === undefined || eq <= 0) {
      throw new InterfaceError(`${source} supports only "-c name=value" switches, got "${words[i] ?? ''}"`);
    }
    settings[pair.slice(0, eq).replace(/-/g, '_')] = pair.slice(eq + 1);
  }
  return settings;
}

const SETTERS: Record<string, Setter> = {
  host: (l, v) => (l.hosts = v.split(',')),
  port: (l, v, s) => (l.ports = parsePortList(v, s)),
  user: (l, v) => (l.user = v),
  password: (l, v) => (l.password = v),
  dbname: (l, v) => (l.database = v),
  sslmode: (l, v, s) => (l.sslMode = oneOf(SSL_MODES, v, s)),
  sslrootcert: (l, v) => (l.sslRootCert = v),
  sslcert: (l, v) => (l.sslCert = v),
  sslkey: (l, v) => (l.sslKey = v),
  sslpassword: (l, v) => (l.sslPassword = v),
  sslnegotiation: (l, v, s) => (l.sslNegotiation = oneOf(['postgres', 'direct'] as const, v, s)),
  application_name: (l, v) => (l.applicationName = v),
  fallback_application_name: (l, v) => (l.fallbackApplicationName = v),
  connect_timeout: (l, v, s) => (l.connectTimeout = connectTimeoutMs(v, s)),
  options: (l, v, s) => (l.serverSettings = { ...l.serverSettings, ...parseOptionsParam(v, s) }),
  target_session_attrs: (l, v, s) => (l.targetSessionAttrs = oneOf(SESSION_ATTRS, v, s)),
  load_balance_hosts: (l, v, s) => (l.loadBalanceHosts = oneOf(['disable', 'random'] as const, v, s)),
  channel_binding: (l, v, s) => (l.channelBinding = oneOf(CHANNEL_BINDING, v, s)),
  keepalives: (l, v, s) => (l.keepAlive = parseIntParam(v, s) !== 0),
  keepalives_idle: (l, v, s) => (l.keepAliveInitialDelay = Math.max(0, parseIntParam(v, s)) * 1000),
  passfile: (l, v) => (l.passfile = v),
  pgbouncer: (l, v, s) => (l.pgbouncer = parseBool(v, s)),
  client_encoding: (_l, v, s) => {
    // pgjet decodes all text as UTF-8 and closes the connection if the encoding changes (README, "Types").
    if (!/^(utf-?8|unicode|auto)$/i.test(v)) throw new InterfaceError(`${s}: pgjet only speaks UTF8, got "${v}"`);
  },
  gssencmode: (_l, v, s) => {
    // pgjet never attempts GSSAPI encryption, which "disable" and "prefer" both allow; "require" cannot be met.
    if (oneOf(['disable', 'prefer', 'require'] as const, v, s) === 'require') {
      throw new InterfaceError(`${s}=require: pgjet does not support GSSAPI encryption`);
    }
  },
};

/** The libpq parameter names pgjet accepts (in a DSN query string). */
export const KNOWN_PARAMS: readonly string[] = [...Object.keys(SETTERS), ...IGNORED_PARAMS];

/**
 * Stores one libpq parameter into `layer`. `origin` is `'DSN'` or the environment variable's name, for error
 * messages. An empty value leaves the field unset, as libpq treats an empty setting like an absent one. Throws
 * an `InterfaceError` naming the parameter when it is unknown or its value is invalid; `password` and
 * `sslpassword` values are never validated, so never echoed.
 */
export function applyLibpqParam(layer: ConfigLayer, name: string, value: string, origin: string): void {
  const setter = SETTERS[name];
  if (setter === undefined) {
    if (IGNORED_PARAMS.has(name)) return;
    throw new InterfaceError(
      `unknown connection parameter "${name}" in the ${origin}; pgjet accepts ${KNOWN_PARAMS.join(', ')}`,
    );
  }
  if (value === '') return;
  setter(layer, value, origin === 'DSN' ? `DSN parameter "${name}"` : origin);
}
