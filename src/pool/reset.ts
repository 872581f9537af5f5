/**
 * Resetting a released connection (README, "Pool and transactions", `reset`).
 *
 * Design: the reset rides along. At release the reset is queued on the connection as one simple-protocol
 * Query, without awaiting it, and the connection goes straight to the next waiter (or the idle set). The
 * connection's wire writes calls strictly in call order, so the reset reaches the socket ahead of the next
 * borrower's first query, usually in the same write: a dirty hand-over costs no extra round trip and a clean
 * one costs nothing at all.
 *
 * Failure: the statements of the built-in reset cannot fail on a live session short of the session dying or
 * being cancelled. If the reset does fail, the connection is terminated at once, so calls queued behind it
 * reject with `ConnectionError` and the pool discards it when it is released. A call the next borrower had
 * already pipelined behind a failed reset may have run first (the server executes what it received); that is
 * the price of not waiting a round trip, and only the unreachable failure case pays it. A reset function
 * (as opposed to SQL) cannot be pipelined: it is awaited before the hand-over.
 *
 * The built-in reset ends with a SELECT on purpose: the client layer tracks the last command tag, and a
 * trailing SELECT leaves the session marked clean once the reset has run.
 */
import { clearListeners, type Connection } from '../client/index.js';
import type { ResetOption } from './options.js';

/** Everything a session may keep besides its transaction, undone in an order that cannot fail. */
const FULL_RESET = 'RESET ALL; UNLISTEN *; CLOSE ALL; SELECT pg_advisory_unlock_all()';

/**
 * True when a transaction may be open when the next borrower starts: the last ReadyForQuery said so, or
 * calls of the previous borrower are still queued (one may be a BEGIN). ROLLBACK outside a transaction only
 * earns a WARNING, so erring this way is harmless.
 */
function mayBeInTransaction(conn: Connection): boolean {
  const wire = conn.session.wire;
  return wire.txStatus !== 'I' || wire.pendingCount > 0 || wire.inflightCount > 0;
}

/**
 * The SQL to run before the connection is handed on, or null for none. An open transaction is always rolled
 * back, whatever `reset` says: handing it on would run the next borrower's work inside the previous one's
 * transaction. With `pgbouncer`, nothing else is sent (the pooler owns the server session).
 */
export function resetSqlFor(conn: Connection, reset: ResetOption): string | null {
  const session = conn.session;
  const inTransaction = mayBeInTransaction(conn);
  const rollback = inTransaction ? 'ROLLBACK; ' : '';
  if (reset === false || session.config.pgbouncer || typeof reset === 'function') return inTransaction ? 'ROLLBACK' : null;
  if (reset === 'auto') {
    // Calls still queued may leave anything behind: treat them as dirty (inTransaction covers them).
    return session.isDirty || inTransaction ? rollback + FULL_RESET : null;
  }
  return rollback + (reset === 'always' ? FULL_RESET : reset);
}

/**
 * Queues `sql` on the connection without waiting for it and marks the session clean (the reset will have run
 * before anything the next borrower sends). `onFailure` runs if the reset fails.
 */
export function queueReset(conn: Connection, sql: string, onFailure: (err: unknown) => void): void {
  conn.execute(sql).then(undefined, onFailure);
  // The server forgets every LISTEN with UNLISTEN *; the client must forget the previous borrower's callbacks too,
  // or a new borrower's listen() on the same channel would believe it already listens.
  if (sql.includes('UNLISTEN')) clearListeners(conn);
  // After execute() queued it: the client layer flags multi-statement scripts as dirty when they are queued.
  conn.session.isDirty = false;
}
