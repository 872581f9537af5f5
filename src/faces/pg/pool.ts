/**
 * The pg face's `Pool`: pg-pool 3.x's behaviour (the pool `require('pg').Pool` gives), over the face's `Client`
 * or any pg-compatible client class. Waiters are served first come first served, idle clients last in first
 * out (the warmest socket first); a client that failed, ended, was released with an error, reached `maxUses`
 * or outlived `maxLifetimeSeconds` is closed instead of kept.
 */
import { EventEmitter } from 'node:events';
import { Client } from './client.js';
import { completion, promiseTry, rejected, type Completer } from './pool-callback.js';
import { normalise } from './pool-options.js';
import { runPoolQuery } from './pool-query.js';
import type {
  PoolableClient,
  PoolableClientConstructor,
  PoolClient,
  PoolConfig,
  PoolConnectCallback,
  PoolOptions,
  PromiseConstructorOption,
  ReleaseArgument,
  ReleaseFunction,
} from './pool-types.js';

export type * from './pool-types.js';

const noop = (): void => undefined;

/** The pool handles clients through the small contract; users get them typed as the face's clients. */
const lent = (client: PoolableClient): PoolClient => client as unknown as PoolClient;

/** An idle client, the listener that catches its errors while idle, and its idle timer. */
interface IdleEntry {
  client: PoolableClient;
  onIdleError: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** A borrower: how to hand it a client, and whether it already gave up (connection timeout). */
interface Waiter {
  deliver: Completer<PoolClient>;
  hasTimedOut: boolean;
}

/**
 * A pool of pg clients with node-postgres' `Pool` API: `connect()` lends a client to give back with
 * `client.release()`, `query()` borrows one for a single statement, `end()` closes them all.
 *
 * Events: `connect` (a new client connected), `acquire` (a client was lent), `release` (err, client),
 * `remove` (a client was closed and dropped), `error` (err, client: an idle client failed; it is already
 * dropped). With no `error` listener the failure becomes a process warning instead of an uncaught exception.
 *
 * ```ts
 * const pool = new Pool({ connectionString, max: 20 });
 * const { rows } = await pool.query('SELECT $1::text AS name', ['pg']);
 * const client = await pool.connect();
 * try { await client.query('SELECT 1'); } finally { client.release(); }
 * ```
 */
export class Pool extends EventEmitter {
  /** The options given, with pg-pool's defaults filled in; each client is constructed with this object. */
  readonly options: PoolOptions;
  /** The class of the pooled clients. */
  readonly Client: PoolableClientConstructor;
  /** The promise class of every promise the pool returns. */
  readonly Promise: PromiseConstructorOption;
  /** Receives the pool's debug messages (`options.log`, else nothing). */
  log: (...messages: unknown[]) => void;

  /**
   * Runs one statement on a borrowed client and gives the client back (closing it if the statement failed);
   * the arguments and results are those of the client's `query`. A promise unless a callback is given.
   */
  declare query: Client['query'];

  #clients: PoolableClient[] = [];
  #idle: IdleEntry[] = [];
  #waiters: Waiter[] = [];
  #expired = new WeakSet<PoolableClient>();
  #uses = new WeakMap<PoolableClient, number>();
  #onEnded: Completer<void> | undefined;
  #isEnding = false;
  #isEnded = false;

  /**
   * @param config pg-pool's settings and the clients' options in one object (copied; not changed).
   * @param DefaultClient the client class used when `config.Client` is absent (how `pg` binds its own).
   */
  constructor(config?: PoolConfig, DefaultClient?: PoolableClientConstructor) {
    super();
    this.options = normalise(config);
    this.log = this.options.log || noop;
    this.Client = (this.options.Client || DefaultClient || Client) as PoolableClientConstructor;
    this.Promise = this.options.Promise || globalThis.Promise;
  }

  /** True once `end()` was called: the pool lends nothing more. */
  get ending(): boolean {
    return this.#isEnding;
  }

  /** True once `end()` has closed every client. */
  get ended(): boolean {
    return this.#isEnded;
  }

  /** Clients open or opening, lent or idle. */
  get totalCount(): number {
    return this.#clients.length;
  }

  /** Clients waiting in the pool to be lent. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Borrowers waiting for a client. */
  get waitingCount(): number {
    return this.#waiters.length;
  }

  /** Clients past `maxLifetimeSeconds`, to be closed when next released. */
  get expiredCount(): number {
    return this.#clients.filter((client) => this.#expired.has(client)).length;
  }

  /** A copy of the list of open clients, as pg-pool's `_clients` field (read by some tools and tests). */
  get _clients(): PoolClient[] {
    return this.#clients.map(lent);
  }

  /** Lends a client: an idle one, a new one while under `max`, else the first one released. */
  connect(): Promise<PoolClient>;
  /** Lends a client to `callback`, which gets `(err, client, done)`; `done` is `client.release`. */
  connect(callback: PoolConnectCallback): void;
  connect(callback?: PoolConnectCallback): Promise<PoolClient> | void {
    if (this.#isEnding) {
      const err = new Error('Cannot use a pool after calling end on the pool');
      if (callback) return void callback(err, undefined, noop);
      return rejected<PoolClient>(this.Promise, err) as Promise<PoolClient>;
    }
    const { complete, result } = completion<PoolClient>(this.Promise, callback as Completer<PoolClient> | undefined);
    if (this.#isFull() || this.#idle.length > 0) {
      // Served on the next tick even when a client is idle, so a callback never runs inside connect().
      if (this.#idle.length > 0) process.nextTick(() => this.#pulse());
      this.#enqueue(complete);
    } else {
      this.#open({ deliver: complete, hasTimedOut: false });
    }
    return result as Promise<PoolClient> | undefined;
  }

  /** Closes idle clients now and lent ones as they are released; lends nothing more. */
  end(): Promise<void>;
  /** Same, calling `callback` once every client is closed. */
  end(callback: (err?: Error) => void): void;
  end(callback?: (err?: Error) => void): Promise<void> | void {
    this.log('ending');
    if (this.#isEnding) {
      const err = new Error('Called end on pool more than once');
      if (callback) return void callback(err);
      return rejected<void>(this.Promise, err) as Promise<void>;
    }
    this.#isEnding = true;
    const { complete, result } = completion<void>(this.Promise, callback);
    this.#onEnded = complete;
    this.#pulse();
    return result as Promise<void> | undefined;
  }

  #isFull(): boolean {
    return this.#clients.length >= this.options.max;
  }

  #isAboveMin(): boolean {
    return this.#clients.length > this.options.min;
  }

  /** Queues a borrower, failing it after `connectionTimeoutMillis` if nothing was lent by then. */
  #enqueue(deliver: Completer<PoolClient>): void {
    const timeout = this.options.connectionTimeoutMillis;
    if (!timeout) {
      this.#waiters.push({ deliver, hasTimedOut: false });
      return;
    }
    const waiter: Waiter = {
      deliver: (err, client, release) => {
        clearTimeout(timer);
        deliver(err, client, release);
      },
      hasTimedOut: false,
    };
    const timer = setTimeout(() => {
      // It may already be out of the queue, waiting on a client being opened for it: that client is then
      // released straight to the pool when it connects.
      const index = this.#waiters.indexOf(waiter);
      if (index !== -1) this.#waiters.splice(index, 1);
      waiter.hasTimedOut = true;
      deliver(new Error('timeout exceeded when trying to connect'));
    }, timeout);
    timer.unref();
    this.#waiters.push(waiter);
  }

  /** Matches waiters with clients after any change; on `end()`, closes idle clients and finishes. */
  #pulse(): void {
    this.log('pulse queue');
    if (this.#isEnded) return;
    if (this.#isEnding) {
      for (const entry of this.#idle.slice()) this.#remove(entry.client);
      if (this.#clients.length === 0) {
        this.#isEnded = true;
        this.#onEnded?.(undefined);
      }
      return;
    }
    if (this.#waiters.length === 0) return;
    if (this.#idle.length === 0 && this.#isFull()) return;
    const waiter = this.#waiters.shift() as Waiter;
    const entry = this.#idle.pop();
    if (entry) {
      clearTimeout(entry.timer);
      entry.client.ref?.();
      this.#lend(entry.client, waiter, entry.onIdleError, false);
    } else {
      this.#open(waiter);
    }
  }

  /** Opens a new client for `waiter`, within `connectionTimeoutMillis`. */
  #open(waiter: Waiter): void {
    const client = new this.Client(this.options);
    this.#clients.push(client);
    const onIdleError = this.#idleErrorListener(client);
    let timer: NodeJS.Timeout | undefined;
    let isTimeoutHit = false;
    if (this.options.connectionTimeoutMillis) {
      timer = setTimeout(() => {
        this.log('ending client due to timeout');
        isTimeoutHit = true;
        // Aborting the connect makes the client's callback report the failure, which the code below handles.
        const stream = client.connection?.stream;
        if (stream && typeof stream.destroy === 'function') stream.destroy();
        else if (!client.isConnected?.()) void client.end?.();
      }, this.options.connectionTimeoutMillis);
    }
    this.log('connecting new client');
    client.connect((connectError) => {
      clearTimeout(timer);
      client.on('error', onIdleError);
      // A client whose `end()` cannot abort a connect in progress may still report success after the timeout
      // ended it: that is a failure too, never a client to lend.
      if (connectError || isTimeoutHit) {
        this.log('client failed to connect', connectError);
        this.#forget(client);
        const err = isTimeoutHit
          ? new Error('Connection terminated due to connection timeout', connectError ? { cause: connectError } : undefined)
          : (connectError as Error);
        if (!connectError) void client.end?.();
        this.#pulse();
        if (!waiter.hasTimedOut) waiter.deliver(err, undefined, noop);
        return;
      }
      this.log('new client connected');
      const hook = this.options.onConnect;
      if (!hook) return this.#admit(client, waiter, onIdleError);
      promiseTry(this.Promise, () => hook(lent(client))).then(
        () => this.#admit(client, waiter, onIdleError),
        (hookError: unknown) => {
          this.#forget(client);
          void client.end?.(() => {
            this.#pulse();
            if (!waiter.hasTimedOut) waiter.deliver(hookError as Error, undefined, noop);
          });
        },
      );
    });
  }

  /** Starts a connected client's lifetime clock and lends it to the waiter it was opened for. */
  #admit(client: PoolableClient, waiter: Waiter, onIdleError: (err: Error) => void): void {
    if (this.options.maxLifetimeSeconds !== 0) {
      const lifetime = setTimeout(() => {
        this.log('ending client due to expired lifetime');
        this.#expired.add(client);
        // An idle client is lent to a borrower that gives it straight back, which closes it as expired; a lent
        // one is closed when released.
        if (this.#idle.some((entry) => entry.client === client)) {
          this.#lend(client, { deliver: (_err, _client, release) => release?.(), hasTimedOut: false }, onIdleError, false);
        }
      }, this.options.maxLifetimeSeconds * 1000);
      lifetime.unref();
      client.once?.('end', () => clearTimeout(lifetime));
    }
    this.#lend(client, waiter, onIdleError, true);
  }

  /** Hands `client` to `waiter` (after `verify` for a new one), or back to the pool if the waiter gave up. */
  #lend(client: PoolableClient, waiter: Waiter, onIdleError: (err: Error) => void, isNew: boolean): void {
    if (isNew) this.emit('connect', client);
    this.emit('acquire', client);
    const release = this.#releaseOnce(client, onIdleError);
    client.release = release;
    client.removeListener?.('error', onIdleError);
    const verify = isNew ? this.options.verify : undefined;
    if (waiter.hasTimedOut) {
      if (verify) verify(lent(client), release);
      else release();
      return;
    }
    if (!verify) return waiter.deliver(undefined, lent(client), release);
    verify(lent(client), (err) => {
      if (!err) return waiter.deliver(undefined, lent(client), release);
      release(err);
      waiter.deliver(err, undefined, noop);
    });
  }

  /** The client's `release`: usable once per borrowing. */
  #releaseOnce(client: PoolableClient, onIdleError: (err: Error) => void): ReleaseFunction {
    let isReleased = false;
    return (err?: ReleaseArgument) => {
      if (isReleased) throw new Error('Release called on client which has already been released to the pool.');
      isReleased = true;
      this.#takeBack(client, onIdleError, err);
    };
  }

  /** Keeps a released client idle, or closes it if it cannot or should not be lent again. */
  #takeBack(client: PoolableClient, onIdleError: (err: Error) => void, err: ReleaseArgument): void {
    client.on('error', onIdleError);
    const uses = (this.#uses.get(client) ?? 0) + 1;
    this.#uses.set(client, uses);
    this.emit('release', err, client);
    const isBroken = client._queryable === false || client._ending === true;
    if (err || this.#isEnding || isBroken || uses >= this.options.maxUses) {
      if (uses >= this.options.maxUses) this.log('remove expended client');
      return this.#remove(client, () => this.#pulse());
    }
    if (this.#expired.has(client)) {
      this.log('remove expired client');
      this.#expired.delete(client);
      return this.#remove(client, () => this.#pulse());
    }
    let timer: NodeJS.Timeout | undefined;
    if (this.options.idleTimeoutMillis && this.#isAboveMin()) {
      timer = setTimeout(() => {
        // Others may have gone meanwhile: only trim down to `min`.
        if (!this.#isAboveMin()) return;
        this.log('remove idle client');
        this.#remove(client, () => this.#pulse());
      }, this.options.idleTimeoutMillis);
      if (this.options.allowExitOnIdle) timer.unref();
    }
    if (this.options.allowExitOnIdle) client.unref?.();
    this.#idle.push({ client, onIdleError, timer });
    this.#pulse();
  }

  /** The listener that owns an idle client's errors: the client is dropped and the error told on the pool. */
  #idleErrorListener(client: PoolableClient): (err: Error) => void {
    const onIdleError = (err: Error): void => {
      (err as Error & { client?: unknown }).client = client;
      client.removeListener?.('error', onIdleError);
      // A closing socket may report more; they concern a client the pool no longer holds.
      client.on('error', () => this.log('additional client error after disconnection due to error', err));
      this.#remove(client);
      if (this.listenerCount('error') > 0) this.emit('error', err, client);
      else process.emitWarning(`pg Pool: an idle client failed and was removed: ${err.message}`, 'PgPoolWarning');
    };
    return onIdleError;
  }

  /** Drops a client from the pool's books without closing it (its connect failed). */
  #forget(client: PoolableClient): void {
    this.#clients = this.#clients.filter((c) => c !== client);
  }

  /** Drops a client and closes it; `remove` is emitted, then `then` runs, once it is closed. */
  #remove(client: PoolableClient, then?: () => void): void {
    const index = this.#idle.findIndex((entry) => entry.client === client);
    if (index !== -1) clearTimeout(this.#idle.splice(index, 1)[0].timer);
    this.#forget(client);
    void client.end?.(() => {
      this.emit('remove', client);
      then?.();
    });
  }
}

// Defined on the prototype (as a method, not an own property) so that instrumentation can wrap
// `Pool.prototype.query`; typed through the `declare` above as exactly the client's `query`.
Object.defineProperty(Pool.prototype, 'query', {
  configurable: true,
  writable: true,
  value: function query(this: Pool, text: unknown, values?: unknown, callback?: unknown): unknown {
    return runPoolQuery(this, text, values, callback);
  },
});
