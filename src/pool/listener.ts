/**
 * `pool.listen(channel, cb, { onReconnect })`: one dedicated connection (outside the pool's size) that holds
 * every LISTEN of the pool. When it dies it is reopened with back-off, every channel is listened to again, and
 * each `onReconnect` hook runs so callers can catch up on what was sent while nobody listened (NOTIFY is not
 * queued for absent listeners).
 */
import { connect, type Connection, type NotificationCallback } from '../client/index.js';
import { InterfaceError } from '../errors/index.js';
import type { ConnectArgs } from './options.js';

/** Options of `pool.listen`. */
export interface PoolListenOptions {
  /** Called after the listener connection was re-established and every channel listened to again. */
  onReconnect?: () => void | Promise<void>;
}

interface Subscription {
  readonly channel: string;
  readonly callback: NotificationCallback;
  readonly onReconnect?: () => void | Promise<void>;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

/** The pool's dedicated listening connection and its subscriptions. */
export class PoolListener {
  readonly #connectArgs: ConnectArgs;
  readonly #report: (err: Error) => void;
  readonly #subs = new Set<Subscription>();
  /** Per subscription, the function that unlistens it on the current connection. */
  readonly #stops = new Map<Subscription, () => Promise<void>>();
  #conn: Promise<Connection> | null = null;
  #closed = false;
  #backoff = FIRST_BACKOFF_MS;
  #timer: NodeJS.Timeout | undefined;

  /** @param report where background failures go (the pool's 'error' event or a warning). */
  constructor(connectArgs: ConnectArgs, report: (err: Error) => void) {
    this.#connectArgs = connectArgs;
    this.#report = report;
  }

  /** Subscribes; resolves with the unsubscribe function once LISTEN has run. */
  async listen(channel: string, callback: NotificationCallback, opts: PoolListenOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw new InterfaceError('the pool is closed');
    if (this.#connectArgs[1].pgbouncer === true) {
      throw new InterfaceError('pool.listen() needs a direct connection to PostgreSQL; it does not work behind a transaction-mode pooler (pgbouncer: true)');
    }
    const sub: Subscription = { channel, callback, onReconnect: opts.onReconnect };
    const conn = await this.#connection();
    this.#subs.add(sub);
    try {
      this.#stops.set(sub, await conn.listen(channel, callback));
    } catch (err) {
      this.#subs.delete(sub);
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      this.#subs.delete(sub);
      const stop = this.#stops.get(sub);
      this.#stops.delete(sub);
      if (stop !== undefined) await stop().catch(() => undefined);
      if (this.#subs.size === 0) await this.#closeConnection();
    };
  }

  /** Closes the listener connection; no reconnects after this. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#closeConnection();
  }

  #connection(): Promise<Connection> {
    if (this.#conn === null) {
      const [dsn, options] = this.#connectArgs;
      const opening = connect(dsn, { ...options });
      this.#conn = opening;
      opening.then(
        (conn) => conn.once('close', (reason) => this.#onClose(conn, reason)),
        () => {
          if (this.#conn === opening) this.#conn = null;
        },
      );
    }
    return this.#conn;
  }

  async #closeConnection(): Promise<void> {
    const pending = this.#conn;
    this.#conn = null;
    if (pending === null) return;
    const conn = await pending.catch(() => null);
    if (conn !== null && !conn.isClosed) await conn.close().catch(() => undefined);
  }

  #onClose(conn: Connection, reason: Error | undefined): void {
    void conn;
    if (this.#closed || this.#subs.size === 0) return;
    this.#conn = null;
    this.#stops.clear();
    if (reason !== undefined) this.#report(new Error(`pool listener connection lost: ${reason.message}`, { cause: reason }));
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#reconnect().catch((err: unknown) => {
        this.#report(err as Error);
        this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
        this.#conn = null;
        if (!this.#closed && this.#subs.size > 0) this.#scheduleReconnect();
      });
    }, this.#backoff);
    this.#timer.unref?.();
  }

  async #reconnect(): Promise<void> {
    if (this.#closed || this.#subs.size === 0) return;
    const conn = await this.#connection();
    for (const sub of this.#subs) this.#stops.set(sub, await conn.listen(sub.channel, sub.callback));
    this.#backoff = FIRST_BACKOFF_MS;
    const hooks = new Set([...this.#subs].map((s) => s.onReconnect).filter((h) => h !== undefined));
    for (const hook of hooks) {
      try {
        await hook();
      } catch (err) {
        this.#report(err as Error);
      }
    }
  }
}
