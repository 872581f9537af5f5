/**
 * Leak detection (README, "Pool and transactions", `leakTimeout`): a connection held longer than `leakTimeout` is reported
 * once, with the stack of the `acquire()` call that borrowed it, so the forgotten release can be found.
 */
import type { Lease } from './pooled-connection.js';

/** What the pool's `'leak'` event carries. */
export interface LeakInfo {
  /** The stack of the `acquire()` (or `withConnection`, or shortcut) call that borrowed the connection. */
  stack: string;
  /** How long the connection has been held, in milliseconds. */
  heldMs: number;
}

/**
 * Arms the lease's leak timer. The timer is unref'd: a leaked connection should be reported, not keep the
 * process alive on its own.
 */
export function watchForLeak(lease: Lease, leakTimeout: number, report: (info: LeakInfo) => void): void {
  lease.leakTimer = setTimeout(() => {
    if (lease.isReleased) return;
    report({ stack: lease.acquireStack?.text ?? '(stack not captured)', heldMs: Date.now() - lease.acquiredAt });
  }, leakTimeout);
  lease.leakTimer.unref();
}

/** The process warning used when nobody listens to `'leak'` (an unobserved event would be lost). */
export function warnLeak(info: LeakInfo, leakTimeout: number): void {
  process.emitWarning(
    `a pooled connection has been held for ${info.heldMs} ms (leakTimeout ${leakTimeout} ms) without being released; ${info.stack}`,
    { type: 'PgjetPoolLeakWarning', code: 'PGJET_POOL_LEAK' },
  );
}
