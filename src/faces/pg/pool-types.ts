/**
 * The types of the pg face's `Pool`: its settings (pg-pool 3.x's option names) and the small contract it needs
 * from the client class it pools, which is the face's `Client` by default and any pg-compatible client
 * (`pg.Client`, a test double) when `Client` is given.
 */
import type { EventEmitter } from 'node:events';
import type { Client } from './client.js';

/** How a borrowed client goes back: nothing (keep it), or an error or `true` (close it and drop it). */
export type ReleaseArgument = Error | boolean | undefined;

/** The function that returns a borrowed client to its pool; a second call throws. */
export type ReleaseFunction = (err?: ReleaseArgument) => void;

/**
 * What the pool needs from a client, as pg-pool uses pg's `Client`. Only `connect` and `on` are required of a
 * client that never connects; the rest is read when present.
 */
export interface PoolableClient extends Partial<Pick<EventEmitter, 'once' | 'removeListener' | 'emit'>> {
  /** Opens the connection; the callback gets the failure, or nothing on success. */
  connect(callback: (err?: Error | null) => void): unknown;
  /** Registers a listener; the pool listens only for `error` (and `end` through `once`). */
  on(event: string, listener: (err: Error) => void): unknown;
  /** Runs a query; the pool calls it as `query(text, values, callback)`. */
  query?(text: unknown, values: unknown, callback: (err: Error | undefined, result?: unknown) => void): unknown;
  /** Closes the connection; the callback runs once it is closed (at once when it already was). */
  end?(callback?: (err?: Error) => void): unknown;
  /** Set by the pool while the client is borrowed. */
  release?: ReleaseFunction;
  /** Lets the process exit while only this client's socket is open (`allowExitOnIdle`). */
  unref?(): void;
  /** Undoes `unref` when the client is borrowed again. */
  ref?(): void;
  /** pg's flag: false once the client has failed or ended and can run nothing more. */
  _queryable?: boolean;
  /** pg's flag: true once `end()` was called. */
  _ending?: boolean;
  /** pg's native client: whether the connection is up (used to abort a connect that timed out). */
  isConnected?(): boolean;
  /** pg's JavaScript client: its connection, whose socket the pool destroys when a connect times out. */
  connection?: { stream?: { destroy?(): void } };
}

/** A constructor of pooled clients; it receives the pool's whole options object, as pg-pool passes it. */
export type PoolableClientConstructor = new (options: PoolOptions) => PoolableClient;

/** A client lent by `pool.connect()`: the face's `Client` with `release`. */
export type PoolClient = Client & {
  /** Returns the client to the pool; with an error or `true` the client is closed and dropped instead. */
  release(err?: ReleaseArgument): void;
};

/** The client options every pooled client is built with (the face's `Client` constructor options). */
export type PoolClientConfig = Exclude<ConstructorParameters<typeof Client>[0], string | undefined>;

/** The callback form of `pool.connect`: on failure the client is undefined and `done` does nothing. */
export type PoolConnectCallback = (err: Error | undefined, client: PoolClient | undefined, done: ReleaseFunction) => void;

/** Anything `new` can build a promise with (`Promise`, bluebird); `Promise.try` is used when it has one. */
export interface PromiseConstructorOption {
  /** Builds a promise from an executor. */
  new <T>(executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void): PromiseLike<T>;
}

/** pg-pool's own settings; everything else in the options object goes to each client's constructor. */
export interface PoolSettings {
  /** Most clients open at once. Default 10 (pg's older name `poolSize` is read too). */
  max?: number;
  /** Older name of `max`. */
  poolSize?: number;
  /** Idle clients kept even past `idleTimeoutMillis`. Default 0. */
  min?: number;
  /** How long a client may sit idle before it is closed; 0 or null keeps it forever. Default 10 000. */
  idleTimeoutMillis?: number | null;
  /** How long `connect` waits for a client (new or released) before failing; 0 waits forever. */
  connectionTimeoutMillis?: number;
  /** Borrowings after which a client is closed instead of kept. Default Infinity. */
  maxUses?: number;
  /** Age in seconds after which a client is closed once idle; 0 never. */
  maxLifetimeSeconds?: number;
  /** Lets the process exit while all clients are idle (timers and sockets unref'd). */
  allowExitOnIdle?: boolean;
  /** The client class to pool; the face's `Client` by default. */
  Client?: PoolableClientConstructor | (new () => PoolableClient);
  /** The promise class of every promise the pool returns. */
  Promise?: PromiseConstructorOption;
  /** Receives the pool's debug messages. */
  log?: (...messages: unknown[]) => void;
  /** Checks each new client before it is lent; an error drops it and fails the borrower. */
  verify?: (client: PoolClient, done: (err?: Error) => void) => void;
  /** Runs once per new client before it is first lent (may return a promise); a failure drops it. */
  onConnect?: (client: PoolClient) => unknown;
}

/** What `new Pool(config)` accepts: pg-pool's settings and the clients' options in one object. */
export type PoolConfig = PoolSettings & PoolClientConfig;

/** `pool.options`: the config with pg-pool's defaults filled in. */
export type PoolOptions = PoolConfig & {
  max: number;
  min: number;
  maxUses: number;
  maxLifetimeSeconds: number;
  allowExitOnIdle: boolean;
  idleTimeoutMillis: number | null;
};
