/**
 * What `pool.acquire()` hands out: a proxy of the pool's `Connection` that detaches on release (asyncpg's
 * PoolConnectionProxy). After release every access throws an `InterfaceError` saying where the connection was
 * released, so a late call can never run on a connection that already belongs to the next borrower.
 *
 * A Proxy rather than a wrapper class, so every method the connection gains (cursors, COPY, LISTEN, added by
 * other modules) is available on pooled connections without this file listing them; what the file does list
 * is how each call affects the pool's bookkeeping (see `classify`).
 */
import { EventEmitter } from 'node:events';
import type { Connection } from '../client/index.js';
import { InterfaceError } from '../errors/index.js';

/**
 * A borrowed connection: everything a `Connection` offers, plus `release()`. `await using` (or
 * `[Symbol.asyncDispose]()`) releases it instead of closing it, and does nothing once it was released.
 */
export type PooledConnection = Connection & {
  /** Gives the connection back to its pool. A second release rejects with `InterfaceError`. */
  release(): Promise<void>;
};

/** The pool's record of one connection, as far as a lease needs it. */
export interface LeaseSlot {
  /** The pool's connection. */
  readonly conn: Connection;
  /** Calls made on the connection since it was opened, for `maxQueries`. */
  queries: number;
}

/**
 * How a call through the proxy touches the pool's bookkeeping: `neutral` (reads, listener bookkeeping),
 * `tracked` (a query whose session effects the client layer tracks through command tags and the transaction
 * status), `dirtying` (anything else: prepare, LISTEN, codecs, methods added later; counted, and assumed to
 * leave session state behind).
 */
type Kind = 'neutral' | 'tracked' | 'dirtying';

const TRACKED = new Set<string>([
  'fetch', 'fetchRow', 'fetchVal', 'query', 'execute', 'executeMany', 'fetchMany', 'transaction',
  'cursor', 'openCursor', 'copyRecordsToTable', 'copyToTable', 'copyFromTable', 'copyFromQuery', 'copyOut', 'notify',
]);
// reloadSchemaState only drops client-side caches: it leaves nothing on the server session to reset.
const NEUTRAL = new Set<string>(['getSetting', 'close', 'terminate', 'reloadSchemaState']);
const LISTENER_ADDERS = new Set<string>(['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']);

/** Sorts a method name into its {@link Kind}. Object and EventEmitter methods never touch the session. */
function classify(key: string): Kind {
  if (TRACKED.has(key)) return 'tracked';
  if (NEUTRAL.has(key) || key in Object.prototype || key in EventEmitter.prototype) return 'neutral';
  return 'dirtying';
}

const leases = new WeakMap<object, Lease>();

/** The lease behind a proxy handed out by a pool, or undefined for anything else. */
export function leaseOf(conn: unknown): Lease | undefined {
  return typeof conn === 'object' && conn !== null ? leases.get(conn) : undefined;
}

/** The file location in one stack frame line ("    at f (/x/y.js:1:2)" or "    at /x/y.js:1:2"). */
function frameLocation(line: string): string | undefined {
  return /\(?((?:file:\/\/)?[^()\s]+):\d+:\d+\)?$/.exec(line)?.[1];
}

/** The directory of this module as stack frames spell it (src/pool in the sources, the bundle's directory). */
const OWN_DIR = ((): string => {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  const location = frameLocation(holder.stack?.split('\n')[1] ?? '') ?? '';
  return location.slice(0, location.lastIndexOf('/') + 1);
})();

/**
 * A stack captured now and formatted only when read: V8 records the frames cheaply and builds the text on
 * the first access of `.stack`, so capturing at every release costs little. The pool's own frames are cut
 * off the top, so the first line shown is the caller's.
 */
export class CapturedStack {
  readonly #holder: { stack?: string } = {};
  readonly #label: string;

  /** @param label the first line of the text, e.g. 'acquired at:'. */
  constructor(label: string) {
    this.#label = label;
    const limit = Error.stackTraceLimit;
    // Room for the caller's frames below the pool's and the async machinery's.
    Error.stackTraceLimit = 24;
    Error.captureStackTrace(this.#holder, CapturedStack);
    Error.stackTraceLimit = limit;
  }

  /** The label and the frames below the pool's own. */
  get text(): string {
    const frames = (this.#holder.stack ?? '').split('\n').slice(1);
    let first = 0;
    while (first < frames.length && OWN_DIR !== '' && (frameLocation(frames[first]) ?? '').startsWith(OWN_DIR)) first++;
    return `${this.#label}\n${frames.slice(first < frames.length ? first : 0).join('\n')}`;
  }
}

/** One borrowing of one connection: from acquire to release. */
export class Lease {
  /** The pool's record of the connection. */
  readonly slot: LeaseSlot;
  /** The pool this lease came from (checked by `pool.release(conn)`). */
  readonly owner: object;
  /** `Date.now()` when lent. */
  readonly acquiredAt = Date.now();
  /** The stack of the `acquire()` call, kept only when leak detection is on. */
  readonly acquireStack: CapturedStack | undefined;
  /** Leak-detection timer, if any. */
  leakTimer: NodeJS.Timeout | undefined;
  #releasedAt: CapturedStack | undefined;
  #isReleased = false;
  #proxy: PooledConnection | undefined;
  readonly #listeners: [event: string | symbol, listener: (...args: never[]) => void][] = [];
  readonly #giveBack: (lease: Lease) => Promise<void>;

  /** @param giveBack returns the connection to the pool (resets, re-queues or retires it). */
  constructor(slot: LeaseSlot, owner: object, acquireStack: CapturedStack | undefined, giveBack: (lease: Lease) => Promise<void>) {
    this.slot = slot;
    this.owner = owner;
    this.acquireStack = acquireStack;
    this.#giveBack = giveBack;
  }

  /** The pool's connection, for the pool's own shortcuts (which never expose it). */
  get conn(): Connection {
    return this.slot.conn;
  }

  /** True once released. */
  get isReleased(): boolean {
    return this.#isReleased;
  }

  /** The proxy handed to the borrower, made on first use (the pool's shortcuts never need one). */
  get proxy(): PooledConnection {
    this.#proxy ??= makeProxy(this);
    return this.#proxy;
  }

  /** `release()`: the first one gives the connection back; any later one rejects. */
  release(): Promise<void> {
    if (this.#isReleased) {
      return Promise.reject(new InterfaceError(`this pooled connection was already released${this.#where()}`));
    }
    return this.#detachAndGiveBack();
  }

  /** `[Symbol.asyncDispose]()`: releases unless already released (then it does nothing, as the README's "Pool and transactions" says). */
  dispose(): Promise<void> {
    return this.#isReleased ? Promise.resolve() : this.#detachAndGiveBack();
  }

  /** Throws the released-connection error when the lease is over; `what` names the member used. */
  assertUsable(what: string): void {
    if (this.#isReleased) throw this.releasedError(what);
  }

  /** The error for using the proxy after release, naming where it was released. */
  releasedError(what: string): InterfaceError {
    return new InterfaceError(`cannot use ${what}: this pooled connection was released back to the pool${this.#where()}`);
  }

  /** Remembers a listener the borrower added, to remove it at release (it must not fire for the next one). */
  trackListener(event: string | symbol, listener: (...args: never[]) => void): void {
    this.#listeners.push([event, listener]);
  }

  /** Removes the borrower's listeners (all, or those of one event) from the connection. */
  removeListeners(event?: string | symbol): void {
    for (let i = this.#listeners.length - 1; i >= 0; i--) {
      const [name, listener] = this.#listeners[i];
      if (event !== undefined && name !== event) continue;
      this.slot.conn.removeListener(name as 'close', listener as () => void);
      this.#listeners.splice(i, 1);
    }
  }

  #detachAndGiveBack(): Promise<void> {
    this.#isReleased = true;
    // Only a proxy can be used late, so only then is the stack worth capturing (formatted lazily, on use).
    if (this.#proxy !== undefined) this.#releasedAt = new CapturedStack('released at:');
    clearTimeout(this.leakTimer);
    if (this.#listeners.length > 0) this.removeListeners();
    return this.#giveBack(this);
  }

  #where(): string {
    return this.#releasedAt === undefined ? '' : `; ${this.#releasedAt.text}`;
  }
}

/** Wraps one method: the released check happens at call time too, for a method read before release. */
function wrapMethod(lease: Lease, key: string | symbol, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  const name = String(key);
  const target = lease.slot.conn;
  if (typeof key === 'symbol') return (...args) => (lease.assertUsable(name), fn.apply(target, args));
  if (LISTENER_ADDERS.has(key)) {
    return (event, listener) => {
      lease.assertUsable(name);
      lease.trackListener(event as string, listener as () => void);
      fn.call(target, event, listener);
      return lease.proxy;
    };
  }
  if (key === 'removeAllListeners') {
    // Only the borrower's own listeners: the pool's 'close' listener must survive.
    return (event) => (lease.assertUsable(name), lease.removeListeners(event as string | undefined), lease.proxy);
  }
  const kind = classify(key);
  // A transaction must hold the proxy, not the connection, so it too is cut off at release.
  const self = key === 'transaction' ? (): unknown => lease.proxy : (): unknown => target;
  return (...args) => {
    lease.assertUsable(name);
    if (kind !== 'neutral') lease.slot.queries++;
    if (kind === 'dirtying') target.session.isDirty = true;
    const result = fn.apply(self(), args);
    return result === target ? lease.proxy : result;
  };
}

function makeProxy(lease: Lease): PooledConnection {
  const target = lease.slot.conn;
  const methods = new Map<string | symbol, (...args: unknown[]) => unknown>();
  const release = (): Promise<void> => lease.release();
  const dispose = (): Promise<void> => lease.dispose();
  const proxy = new Proxy(target, {
    get(t, key) {
      if (key === 'release') return release;
      if (key === Symbol.asyncDispose) return dispose;
      if (lease.isReleased) {
        // Promise resolution and inspection probe these; a released proxy is simply not a thenable.
        if (key === 'then' || typeof key === 'symbol') return undefined;
        throw lease.releasedError(`.${key}`);
      }
      const value: unknown = Reflect.get(t, key, t);
      if (typeof value !== 'function') return value;
      let method = methods.get(key);
      if (method === undefined) {
        method = wrapMethod(lease, key, value as (...args: unknown[]) => unknown);
        methods.set(key, method);
      }
      return method;
    },
    set(t, key, value) {
      lease.assertUsable(`.${String(key)}`);
      return Reflect.set(t, key, value, t);
    },
  }) as PooledConnection;
  leases.set(proxy, lease);
  return proxy;
}
