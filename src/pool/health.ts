/**
 * The life of one pooled connection: opening it (with `init`), deciding when it is worn out (`maxQueries`,
 * `maxLifetime`, `expireConnections()`), and closing it without letting a dead peer hold a pool slot.
 *
 * Health rule: a connection is handed out only if it is open. Everything that breaks a connection at the
 * socket or protocol level (a reset socket, a FATAL from the server, a `ProtocolError`) closes it in the
 * wire, so `isClosed` is the one test; the pool also listens to each connection's `'close'` event, so an
 * idle connection killed by the server (restart, `pg_terminate_backend`, idle timeout) is dropped and
 * replaced without anyone calling it.
 */
import { connect, type Connection } from '../client/index.js';
import type { ConnectArgs, ResolvedPoolOptions } from './options.js';
import type { Lease, LeaseSlot } from './pooled-connection.js';

/** The pool's record of one open connection. */
export interface Entry extends LeaseSlot {
  /** `'idle'` in the idle set; `'borrowed'` lent (or being reset by a reset function). */
  state: 'idle' | 'borrowed';
  /** `Date.now()` at open. */
  readonly createdAt: number;
  /** `Date.now()` when it last became idle. */
  idleSince: number;
  /** The pool generation it was opened in; `expireConnections()` moves the pool to a new one. */
  readonly generation: number;
  /** The current lease while borrowed. */
  lease: Lease | null;
  /** Inactivity timer, re-armed each time the connection goes idle. */
  idleTimer: NodeJS.Timeout | undefined;
  /** The `'close'` listener the pool put on the connection. */
  readonly onClose: () => void;
}

/** Creates the record for a freshly opened connection and subscribes to its `'close'` event. */
export function makeEntry(conn: Connection, generation: number, onClose: (entry: Entry) => void): Entry {
  const entry: Entry = {
    conn,
    queries: 0,
    state: 'borrowed',
    createdAt: Date.now(),
    idleSince: 0,
    generation,
    lease: null,
    idleTimer: undefined,
    onClose: () => onClose(entry),
  };
  conn.on('close', entry.onClose);
  return entry;
}

/** Opens one connection and runs `init` on it; a failing `init` closes it and rejects. */
export async function openConnection([dsn, options]: ConnectArgs, init: ResolvedPoolOptions['init']): Promise<Connection> {
  const conn = dsn === undefined ? await connect(options) : await connect(dsn, options);
  if (init !== undefined) {
    try {
      await init(conn);
    } catch (err) {
      conn.terminate();
      throw err;
    }
  }
  return conn;
}

/** Why a connection is replaced rather than reused, or null when it may be reused. */
export function wornOut(entry: Entry, opts: ResolvedPoolOptions, generation: number, now = Date.now()): string | null {
  if (entry.generation !== generation) return 'expired by expireConnections()';
  if (entry.queries >= opts.maxQueries) return `reached maxQueries (${opts.maxQueries})`;
  if (now - entry.createdAt >= opts.maxLifetime) return `reached maxLifetime (${opts.maxLifetime} ms)`;
  return null;
}

/** How long a graceful close may take before the socket is destroyed (a dead peer never answers). */
const CLOSE_GRACE_MS = 5_000;

/** Closes gracefully (Terminate), destroying the socket if that takes too long; never rejects. */
export async function closeGently(conn: Connection): Promise<void> {
  if (conn.isClosed) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      conn.terminate();
      resolve();
    }, CLOSE_GRACE_MS);
  });
  try {
    await Promise.race([conn.close().catch(() => conn.terminate()), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
