import { readFile, stat } from 'node:fs/promises';

/** One field of a password-file line: a literal, or `null` for the `*` wildcard. */
type PgpassField = string | null;

/** A parsed `hostname:port:database:username:password` line of a libpq password file. */
export interface PgpassEntry {
  /** Host name, socket directory, or `null` (wildcard). */
  host: PgpassField;
  /** Port as written (matched as text, like libpq), or `null`. */
  port: PgpassField;
  /** Database, or `null`. */
  database: PgpassField;
  /** User, or `null`. */
  user: PgpassField;
  /** The password (never a wildcard). */
  password: string;
}

/** What a connection attempt looks up in the password file. */
export interface PgpassQuery {
  /** The host as configured: a name, an address, or a socket directory. */
  host: string;
  /** The port. */
  port: number;
  /** The database. */
  database: string;
  /** The user. */
  user: string;
}

/**
 * Socket directories that libpq builds in as its default (upstream `/tmp`, Debian's `/var/run/postgresql`).
 * libpq looks such a directory up in the password file as `localhost`, so pgjet also matches `localhost`
 * entries for them.
 */
const DEFAULT_SOCKET_DIRS = new Set(['/tmp', '/var/run/postgresql', '/run/postgresql']);

/**
 * Parses a password file. Lines are `hostname:port:database:username:password`; `#` starts a comment line;
 * `\:` and `\\` stand for a colon and a backslash; a field that is exactly `*` matches anything (write `\*` for
 * a literal star). As in libpq, lines with fewer than five fields are skipped, and the password ends at the next
 * unescaped colon.
 */
export function parsePgpass(text: string): PgpassEntry[] {
  const entries: PgpassEntry[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '' || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    entries.push({
      host: fields[0].wild ? null : fields[0].text,
      port: fields[1].wild ? null : fields[1].text,
      database: fields[2].wild ? null : fields[2].text,
      user: fields[3].wild ? null : fields[3].text,
      password: fields[4].text,
    });
  }
  return entries;
}

/** Splits a line at unescaped colons into at most five de-escaped fields, noting which are a bare `*`. */
function splitFields(line: string): { text: string; wild: boolean }[] {
  const fields: { text: string; wild: boolean }[] = [];
  let text = '';
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && i + 1 < line.length) {
      text += line[++i];
      escaped = true;
    } else if (ch === ':') {
      fields.push({ text, wild: text === '*' && !escaped });
      if (fields.length === 5) return fields;
      text = '';
      escaped = false;
    } else {
      text += ch;
    }
  }
  fields.push({ text, wild: text === '*' && !escaped });
  return fields;
}

/** The password of the first entry matching `query`, as libpq picks it (first match wins), or undefined. */
export function findPgpassPassword(entries: readonly PgpassEntry[], query: PgpassQuery): string | undefined {
  const port = String(query.port);
  const hostMatches = (host: PgpassField): boolean =>
    host === null || host === query.host || (host === 'localhost' && DEFAULT_SOCKET_DIRS.has(query.host));
  for (const e of entries) {
    if (
      hostMatches(e.host) &&
      (e.port === null || e.port === port) &&
      (e.database === null || e.database === query.database) &&
      (e.user === null || e.user === query.user)
    ) {
      // An empty password in the file means "no password", as libpq reads it.
      return e.password === '' ? undefined : e.password;
    }
  }
  return undefined;
}

/**
 * Reads and parses a password file. Returns undefined when it is missing, not a regular file, unreadable, or
 * (on POSIX systems) readable or writable by group or others: libpq refuses such a file because the passwords
 * in it may already be exposed; it warns, pgjet ignores it silently (a library must not print), and the
 * connection proceeds without a password from it.
 */
export async function readPgpass(path: string): Promise<PgpassEntry[] | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) return undefined;
    return parsePgpass(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
