/**
 * The connections of one pool and the rules that move them between opening, idle, borrowed and closing.
 *
 * Invariants:
 * - `size + opening + closing <= maxSize` always (closing connections still hold a server slot until the
 *   server has let go of them), so the server never sees more than `maxSize` sessions from one pool.
 * - The idle set is non-empty only while nobody waits: a connection that becomes available goes to the
 *   oldest waiter first (FIFO), else to the idle set (LIFO, so the warm connections are reused and the
 *   rest age out through `maxInactiveConnectionLifetime`).
 * - A closed connection is never lent: `isClosed` is checked on every hand-over, and a connection's `'close'`
 *   event removes it at once (freeing its slot even while a borrower still holds the dead proxy).
 * - Failures to open surface where someone looks: `ready()` waiters, else the oldest acquire waiter, else
 *   (once per outage) the pool's background error report. Nothing becomes an unhandled rejection.
 */
import type { Connection } from '../client/index.js';
import { AbortError, ConnectionError, InterfaceError, PoolTimeoutError, withCallerStack } from '../errors/index.js';
import { deferred, type Deferred } from '../internal/index.js';
import { closeGently, makeEntry, openConnection, wornOut, type Entry } from './health.js';
import { watchForLeak, type LeakInfo } from './leak.js';
import type { ConnectArgs, ResolvedPoolOptions } from './options.js';
import { Lease, type CapturedStack } from './pooled-connection.js';
import { queueReset, resetSqlFor } from './reset.js';
import { WaiterQueue } from './waiters.js';

/** What the set reports to its pool. */
export interface ConnectionSetEvents {
  /** A connection was held longer than `leakTimeout`. */
  leak(info: LeakInfo): void;
  /** A failure nobody was waiting for (a background open, a failed reset). */
  backgroundError(err: Error): void;
}

/** A snapshot of the pool (`pool.stats()`); `size === idle + borrowed` always. */
export interface PoolStats {
  /** Open connections, idle or borrowed. */
  size: number;
  /** Open connections ready to lend. */
  idle: number;
  /** Connections lent out (including one being reset by a reset function). */
  borrowed: number;
  /** `acquire()` calls waiting for a connection. */
  waiting: number;
  /** Connections being opened. */
  opening: number;
  /** The configured `minSize`. */
  minSize: number;
  /** The configured `maxSize`. */
  maxSize: number;
}

/** Longest pause between background attempts to refill up to `minSize` while the server is unreachable. */
const REFILL_MAX_DELAY_MS = 10_000;

/** The connection bookkeeping behind a `Pool`. */
export class ConnectionSet {
  readonly #opts: ResolvedPoolOptions;
  readonly #connectArgs: ConnectArgs;
  readonly #events: ConnectionSetEvents;
  readonly #entries = new Set<Entry>();
  readonly #idle: Entry[] = [];
  readonly #waiters = new WaiterQueue<Entry>();
  readonly #closingConns = new Set<Connection>();
  #opening = 0;
  #generation = 0;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #terminated = false;
  #readyWaiters: Deferred<void>[] = [];
  #failures = 0;
  #refillTimer: NodeJS.Timeout | undefined;
  #outageReported = false;
  #drained: Deferred<void> | null = null;

  /** Starts opening `minSize` connections in the background. */
  constructor(opts: ResolvedPoolOptions, connectArgs: ConnectArgs, events: ConnectionSetEvents) {
    this.#opts = opts;
    this.#connectArgs = connectArgs;
    this.#events = events;
    this.#fill();
  }

  /** True once `close()` or `terminate()` was called. */
  get isClosed(): boolean {
    return this.#state !== 'open';
  }

  /** See {@link PoolStats}. */
  stats(): PoolStats {
    const size = this.#entries.size;
    const idle = this.#idle.length;
    const { minSize, maxSize } = this.#opts;
    return { size, idle, borrowed: size - idle, waiting: this.#waiters.length, opening: this.#opening, minSize, maxSize };
  }

  /** Resolves once `minSize` connections are open; rejects with the error of a failed open meanwhile. */
  ready(): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(this.#closedError());
    if (this.#entries.size >= this.#opts.minSize) return Promise.resolve();
    const d = deferred<void>();
    this.#readyWaiters.push(d);
    // An explicit ready() retries now rather than after the background back-off.
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    this.#fill();
    return d.promise;
  }

  /** Lends a connection: an idle one at once, else after waiting in line (opening one if there is room). */
  async acquire(timeout: number, signal: AbortSignal | undefined, stack: CapturedStack | undefined): Promise<Lease> {
    try {
      if (this.#state !== 'open') throw this.#closedError();
      if (signal?.aborted === true) throw new AbortError('acquire() was aborted', { cause: signal.reason, safeToRetry: true });
      let entry = this.#takeIdle();
      if (entry === undefined) {
        const waiting = this.#waiters.wait(timeout, signal, () => this.#timeoutError(timeout));
        this.#grow();
        entry = await waiting;
      }
      const lease = new Lease(entry, this, stack, this.#giveBack);
      entry.lease = lease;
      if (this.#opts.leakTimeout !== undefined) watchForLeak(lease, this.#opts.leakTimeout, this.#events.leak);
      const setup = this.#opts.setup;
      if (setup !== undefined) {
        try {
          await setup(lease.proxy);
        } catch (err) {
          await lease.dispose();
          throw err;
        }
      }
      return lease;
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /**
   * Makes every connection but `except` drop its cached statements and types before its next statement: the
   * schema changed (DDL committed on `except`, a stale statement seen there, or `pool.reloadSchemaState()`).
   */
  markSchemaStale(except?: Connection): void {
    for (const entry of this.#entries) if (entry.conn !== except) entry.conn.session.markSchemaStale();
  }

  /** Replaces every connection: idle ones now, borrowed ones when released. */
  expire(): void {
    this.#generation++;
    for (const entry of [...this.#idle]) this.#retire(entry);
  }

  /**
   * Stops lending, closes idle connections, waits for borrowed ones to come back (each is closed on release),
   * and after `timeout` ms terminates whatever is still out.
   */
  async close(timeout?: number): Promise<void> {
    this.#beginClosing();
    for (const entry of [...this.#idle]) this.#retire(entry);
    this.#checkDrained();
    const drained = (this.#drained as Deferred<void>).promise;
    if (timeout === undefined || !Number.isFinite(timeout)) return drained;
    const timer = setTimeout(() => this.terminate(), Math.max(0, timeout));
    try {
      await drained;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every connection at once; borrowers' calls reject with `ConnectionError`. */
  terminate(): void {
    this.#beginClosing();
    this.#terminated = true;
    for (const entry of [...this.#entries]) {
      this.#remove(entry);
      entry.conn.terminate();
    }
    for (const conn of this.#closingConns) conn.terminate();
    this.#checkDrained();
  }

  readonly #giveBack = (lease: Lease): Promise<void> => this.#takeBack(lease.slot as Entry);

  async #takeBack(entry: Entry): Promise<void> {
    entry.lease = null;
    const conn = entry.conn;
    if (conn.isClosed || !this.#entries.has(entry)) return this.#discard(entry);
    if (this.#state !== 'open' || wornOut(entry, this.#opts, this.#generation) !== null) return this.#retire(entry);
    const reset = this.#opts.reset;
    const sql = resetSqlFor(conn, reset);
    if (sql !== null) queueReset(conn, sql, (err) => this.#resetFailed(conn, err));
    if (typeof reset === 'function') {
      try {
        await reset(conn);
      } catch (err) {
        this.#resetFailed(conn, err);
        return this.#discard(entry);
      }
      if (conn.isClosed || !this.#entries.has(entry)) return this.#discard(entry);
      if (this.#state !== 'open') return this.#retire(entry);
    }
    this.#offer(entry);
  }

  /** A reset that fails leaves the session in an unknown state: the connection must go. */
  #resetFailed(conn: Connection, err: unknown): void {
    if (conn.isClosed) return; // It died: the 'close' event handles it, and there is nothing to report.
    conn.terminate();
    const reason = err instanceof Error ? err.message : String(err);
    this.#events.backgroundError(new ConnectionError(`resetting a released connection failed, so it was closed: ${reason}`, { cause: err }));
  }

  #offer(entry: Entry): void {
    if (entry.conn.isClosed) return this.#discard(entry);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      entry.state = 'borrowed';
      waiter.resolve(entry);
      return;
    }
    entry.state = 'idle';
    entry.idleSince = Date.now();
    this.#idle.push(entry);
    this.#armIdleTimer(entry);
  }

  #takeIdle(): Entry | undefined {
    const now = Date.now();
    for (let entry = this.#idle.pop(); entry !== undefined; entry = this.#idle.pop()) {
      if (entry.conn.isClosed) this.#discard(entry);
      else if (wornOut(entry, this.#opts, this.#generation, now) !== null) this.#retire(entry);
      else {
        entry.state = 'borrowed';
        return entry;
      }
    }
    return undefined;
  }

  #armIdleTimer(entry: Entry): void {
    const ms = this.#opts.maxInactiveConnectionLifetime;
    if (ms <= 0 || !Number.isFinite(ms)) return;
    // refresh() re-arms the same timer (even one that already fired): no allocation per release.
    if (entry.idleTimer !== undefined) entry.idleTimer.refresh();
    else {
      entry.idleTimer = setTimeout(() => this.#onInactive(entry), ms);
      entry.idleTimer.unref();
    }
  }

  #onInactive(entry: Entry): void {
    if (entry.state !== 'idle' || !this.#entries.has(entry)) return;
    const left = this.#opts.maxInactiveConnectionLifetime - (Date.now() - entry.idleSince);
    if (left > 0) {
      // Timers and Date.now() disagree by a millisecond or so: a timer that fires early is re-armed for the
      // rest, or the connection would never age out.
      clearTimeout(entry.idleTimer);
      entry.idleTimer = setTimeout(() => this.#onInactive(entry), left);
      entry.idleTimer.unref();
      return;
    }
    if (this.#entries.size > this.#opts.minSize) this.#retire(entry);
  }

  /** The connection's 'close' event: drop it at once, whoever holds it, so its slot can be refilled. */
  #onClosed(entry: Entry): void {
    if (this.#entries.has(entry)) this.#discard(entry);
  }

  #remove(entry: Entry): void {
    this.#entries.delete(entry);
    const i = this.#idle.indexOf(entry);
    if (i >= 0) this.#idle.splice(i, 1);
    clearTimeout(entry.idleTimer);
    entry.conn.off('close', entry.onClose);
  }

  /** Forgets a connection that is already closed. */
  #discard(entry: Entry): void {
    this.#remove(entry);
    this.#replenish();
  }

  /** Closes a healthy connection that must not be reused; its slot counts until the close completes. */
  #retire(entry: Entry): void {
    this.#remove(entry);
    this.#closeCounted(entry.conn);
  }

  #closeCounted(conn: Connection): void {
    if (conn.isClosed) return this.#replenish();
    this.#closingConns.add(conn);
    void closeGently(conn).then(() => {
      this.#closingConns.delete(conn);
      this.#replenish();
    });
  }

  #replenish(): void {
    this.#fill();
    this.#grow();
    this.#checkDrained();
  }

  #capacity(): number {
    return this.#opts.maxSize - this.#entries.size - this.#opening - this.#closingConns.size;
  }

  /** Opens connections up to `minSize`, unless a back-off after failures is pending. */
  #fill(): void {
    if (this.#state !== 'open' || this.#refillTimer !== undefined) return;
    while (this.#entries.size + this.#opening < this.#opts.minSize && this.#capacity() > 0) this.#open();
  }

  /** Opens one connection per waiter not already covered by an open in progress, within `maxSize`. */
  #grow(): void {
    if (this.#state !== 'open') return;
    while (this.#waiters.length > this.#opening && this.#capacity() > 0) this.#open();
  }

  #open(): void {
    this.#opening++;
    openConnection(this.#connectArgs, this.#opts.init).then(
      (conn) => this.#opened(conn),
      (err: unknown) => this.#openFailed(err),
    );
  }

  #opened(conn: Connection): void {
    this.#opening--;
    this.#failures = 0;
    this.#outageReported = false;
    if (this.#state !== 'open') {
      if (this.#terminated) conn.terminate();
      else this.#closeCounted(conn);
      return;
    }
    conn.session.onSchemaChange = () => this.markSchemaStale(conn);
    const entry = makeEntry(conn, this.#generation, (e) => this.#onClosed(e));
    this.#entries.add(entry);
    if (this.#entries.size >= this.#opts.minSize) this.#settleReady(null);
    this.#offer(entry);
  }

  #openFailed(err: unknown): void {
    this.#opening--;
    this.#failures++;
    if (this.#state !== 'open') return;
    const error = err instanceof Error ? err : new ConnectionError(String(err));
    let observed = this.#settleReady(error);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.reject(error);
      observed = true;
    }
    if (!observed && !this.#outageReported) this.#events.backgroundError(error);
    this.#outageReported = true;
    this.#scheduleRefill();
    this.#grow();
  }

  /** Retries the background refill with exponential back-off (100 ms doubling to 10 s) while opens fail. */
  #scheduleRefill(): void {
    if (this.#refillTimer !== undefined || this.#entries.size + this.#opening >= this.#opts.minSize) return;
    const delay = Math.min(100 * 2 ** Math.min(this.#failures - 1, 10), REFILL_MAX_DELAY_MS);
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      this.#fill();
    }, delay);
    // The back-off alone must not keep the process alive.
    this.#refillTimer.unref();
  }

  /** Settles every `ready()` waiter; true if there were any (the failure was observed). */
  #settleReady(error: Error | null): boolean {
    if (this.#readyWaiters.length === 0) return false;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const d of waiters) {
      if (error === null) d.resolve();
      else d.reject(error);
    }
    return true;
  }

  #beginClosing(): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#drained = deferred<void>();
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    const err = new InterfaceError('the pool is closing');
    this.#waiters.rejectAll(err);
    this.#settleReady(err);
  }

  /** Connections still being opened are not waited for: they are closed as they arrive. */
  #checkDrained(): void {
    if (this.#state !== 'closing' || this.#entries.size > 0 || this.#closingConns.size > 0) return;
    this.#state = 'closed';
    this.#drained?.resolve();
  }

  #closedError(): InterfaceError {
    return new InterfaceError(`the pool is ${this.#state === 'closing' ? 'closing' : 'closed'}: it lends no more connections`);
  }

  #timeoutError(ms: number): PoolTimeoutError {
    const s = this.stats();
    return new PoolTimeoutError(
      `no pooled connection became available within ${ms} ms (${s.borrowed} of maxSize ${s.maxSize} borrowed, ${s.waiting} other callers waiting)`,
      { safeToRetry: true },
    );
  }
}
