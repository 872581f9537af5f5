import { InterfaceError } from '../errors/index.js';
import { applyLibpqParam } from './config-params.js';
import type { ConfigLayer } from './config-types.js';

const SCHEMES = ['postgresql://', 'postgres://'];

/**
 * Parses a `postgres://` or `postgresql://` URI the way libpq does:
 * `postgres://user:password@host1:5432,[::1]:5433/dbname?sslmode=require&application_name=app`.
 *
 * - user, password, hosts, database and query parameters are percent-decoded (`+` stays a plus, as in libpq);
 * - several `host:port` pairs are separated by commas; IPv6 addresses go in brackets; a percent-encoded
 *   absolute path (`%2Fvar%2Frun%2Fpostgresql`) or `?host=/dir` names a Unix-socket directory;
 * - query parameters are libpq's (see `config-params.ts`); an unknown one is an `InterfaceError`;
 * - `connect_timeout` is in seconds, as in libpq, and comes back in milliseconds.
 *
 * The user info ends at the last `@` before the query string, so an unencoded `@` or `/` in a password still
 * parses. Errors are `InterfaceError`s saying what is wrong; they never contain the password: any part of the
 * DSN that may hold credentials is withheld from messages.
 */
export function parseDsn(dsn: string): ConfigLayer {
  if (typeof dsn !== 'string') throw new InterfaceError('the DSN must be a string');
  const scheme = SCHEMES.find((s) => dsn.slice(0, s.length).toLowerCase() === s);
  if (scheme === undefined) {
    throw new InterfaceError('invalid DSN: it must start with "postgres://" or "postgresql://"');
  }
  try {
    return parseUri(dsn, scheme);
  } catch (err) {
    // Defence in depth: whatever a message quotes, it must not quote anything that looks like the password.
    if (!(err instanceof InterfaceError)) throw err;
    let message = err.message;
    for (const secret of passwordCandidates(dsn, scheme.length)) message = message.split(secret).join('***');
    if (message === err.message) throw err;
    throw new InterfaceError(message);
  }
}

/** Raw and decoded forms of every password-like part: the user info's password and `password=` values. */
function passwordCandidates(dsn: string, start: number): string[] {
  const raw: string[] = [];
  const colon = dsn.indexOf(':', start);
  // The user info may end at any "@" (unencoded ones in the password, or ones in the query string).
  for (let at = dsn.indexOf('@', start); at >= 0; at = dsn.indexOf('@', at + 1)) {
    if (colon >= 0 && colon < at) raw.push(dsn.slice(colon + 1, at));
  }
  for (const match of dsn.matchAll(/[?&](?:ssl)?password=([^&]*)/g)) raw.push(match[1]);
  const all = raw.flatMap((text) => {
    try {
      return [text, decodeURIComponent(text)];
    } catch {
      return [text];
    }
  });
  // Longest first, so a password containing another candidate is replaced whole.
  return [...new Set(all.filter((text) => text !== ''))].sort((a, b) => b.length - a.length);
}

function parseUri(dsn: string, scheme: string): ConfigLayer {
  const guard = new CredentialGuard(dsn, scheme.length);
  const layer: ConfigLayer = {};

  const queryAt = dsn.indexOf('?', scheme.length);
  const mainEnd = queryAt < 0 ? dsn.length : queryAt;
  const at = dsn.lastIndexOf('@', mainEnd - 1);
  let hostStart = scheme.length;
  if (at >= scheme.length) {
    parseUserInfo(layer, dsn.slice(scheme.length, at));
    hostStart = at + 1;
  }
  const slash = dsn.indexOf('/', hostStart);
  const hostEnd = slash >= 0 && slash < mainEnd ? slash : mainEnd;
  parseHostList(layer, dsn, hostStart, hostEnd, guard);
  if (hostEnd < mainEnd) {
    const database = decode(dsn.slice(hostEnd + 1, mainEnd), 'the database name', guard.covers(hostEnd));
    if (database !== '') layer.database = database;
  }
  if (queryAt >= 0) parseQuery(layer, dsn, queryAt + 1, guard);
  return layer;
}

/**
 * Knows which span of the DSN may contain credentials: from the scheme to the last `@` anywhere in it. A
 * password with an unencoded `?` moves part of itself past the query mark, so the span is deliberately wider
 * than the user info actually parsed; values inside it are never quoted in error messages.
 */
class CredentialGuard {
  readonly #end: number;
  readonly #start: number;

  constructor(dsn: string, start: number) {
    this.#start = start;
    this.#end = dsn.lastIndexOf('@');
  }

  /** True when the text starting at `index` may hold credentials. */
  covers(index: number): boolean {
    return index >= this.#start && index < this.#end;
  }

  /** `text` quoted for a message, or a placeholder when it may be part of the password. */
  show(text: string, index: number): string {
    return this.covers(index) || this.covers(index + text.length - 1) ? '(withheld: may contain credentials)' : `"${text}"`;
  }
}

/** Percent-decodes like libpq: `%XX` only, and `%00` is refused (it would truncate the C string server-side). */
function decode(text: string, what: string, secret: boolean): string {
  let out: string;
  try {
    out = decodeURIComponent(text);
  } catch {
    throw new InterfaceError(
      `invalid DSN: bad percent-encoding in ${what}${secret ? '' : ` "${text}"`} (a literal % must be written %25)`,
    );
  }
  if (out.includes('\0')) throw new InterfaceError(`invalid DSN: %00 is not allowed in ${what}`);
  return out;
}

function parseUserInfo(layer: ConfigLayer, info: string): void {
  const colon = info.indexOf(':');
  const user = decode(colon < 0 ? info : info.slice(0, colon), 'the user name', true);
  if (user !== '') layer.user = user;
  if (colon >= 0) {
    const password = decode(info.slice(colon + 1), 'the password', true);
    if (password !== '') layer.password = password;
  }
}

/** Parses `host[:port]` entries separated by commas, each host possibly a bracketed IPv6 address. */
function parseHostList(layer: ConfigLayer, dsn: string, start: number, end: number, guard: CredentialGuard): void {
  if (start === end) return;
  const hosts: string[] = [];
  const ports: (number | undefined)[] = [];
  let pos = start;
  for (let n = 1; pos <= end; n++) {
    const comma = dsn.indexOf(',', pos);
    const entryEnd = comma >= 0 && comma < end ? comma : end;
    const entry = dsn.slice(pos, entryEnd);
    let host: string;
    let portText: string | undefined;
    if (entry.startsWith('[')) {
      const close = entry.indexOf(']');
      if (close < 0) {
        throw new InterfaceError(`invalid DSN: missing "]" after the IPv6 address in host entry ${n}`);
      }
      host = entry.slice(1, close);
      const after = entry.slice(close + 1);
      if (after !== '' && !after.startsWith(':')) {
        throw new InterfaceError(`invalid DSN: unexpected ${guard.show(after, pos + close + 1)} after "]" in host entry ${n}`);
      }
      portText = after === '' ? undefined : after.slice(1);
    } else {
      const colon = entry.indexOf(':');
      host = colon < 0 ? entry : entry.slice(0, colon);
      portText = colon < 0 ? undefined : entry.slice(colon + 1);
    }
    hosts.push(decode(host, `host entry ${n}`, guard.covers(pos)));
    ports.push(parsePort(portText, n, pos + entry.length - (portText?.length ?? 0), guard));
    pos = entryEnd + 1;
  }
  // libpq leaves the host unset when the URI names none (`postgres://:5433/db`), so PGHOST still applies.
  if (hosts.some((h) => h !== '')) layer.hosts = hosts;
  if (ports.some((p) => p !== undefined)) layer.ports = ports;
}

function parsePort(text: string | undefined, entry: number, index: number, guard: CredentialGuard): number | undefined {
  if (text === undefined || text === '') return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (port >= 1 && port <= 65535) return port;
  throw new InterfaceError(
    `invalid DSN: port ${guard.show(text, index)} of host entry ${entry} is not a number from 1 to 65535` +
      (guard.covers(index) ? ' (if the password contains "@", "/", "?" or ":", percent-encode them)' : ''),
  );
}

function parseQuery(layer: ConfigLayer, dsn: string, start: number, guard: CredentialGuard): void {
  let pos = start;
  while (pos <= dsn.length) {
    const amp = dsn.indexOf('&', pos);
    const end = amp < 0 ? dsn.length : amp;
    const pair = dsn.slice(pos, end);
    if (pair !== '') {
      const eq = pair.indexOf('=');
      if (eq < 0) {
        throw new InterfaceError(`invalid DSN: query parameter ${guard.show(pair, pos)} has no "=value"`);
      }
      const secret = guard.covers(pos);
      const name = decode(pair.slice(0, eq), 'a query parameter name', secret);
      const value = decode(pair.slice(eq + 1), `the value of "${name}"`, secret || name.includes('password'));
      try {
        applyLibpqParam(layer, name, value, 'DSN');
      } catch (err) {
        if (!secret) throw err;
        throw new InterfaceError(
          'invalid DSN query parameter (details withheld: it may contain the password; percent-encode "@", "/", "?" and ":" in passwords)',
        );
      }
    }
    pos = end + 1;
  }
}
