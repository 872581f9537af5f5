/**
 * node-postgres' `Client` on a pgjet `Connection`. Queries made before `connect()` wait for it, as in pg;
 * queries made together are pipelined in call order (pg sends them one at a time), each with its own Sync, so
 * one failing leaves the others alone. Results carry pg's values (decoding.ts) and pg's shapes (result.ts).
 */
import { EventEmitter } from 'node:events';
import {
  connect,
  DatabaseError as PgjetDatabaseError,
  TimeoutError,
  type Connection,
  type ConnectOptions,
  type QueryOptions,
  type QueryResult,
} from '../../index.js';
import { hasSeveralStatements } from '../../integrations/shared/multi-statement.js';
import { connectionParameters, toConnectOptions, type ClientConfig, type ConnectionParameters } from './config.js';
import { overridesFor } from './decoding.js';
import { pgNotice, toPgError } from './errors.js';
import { escapeIdentifier, escapeLiteral, prepareValue } from './prepare-value.js';
import { Query, type QueryArrayConfig, type QueryCallback, type QueryConfig } from './query.js';
import { Result, toResult, type QueryResultRow } from './result.js';
import { TypeOverrides, type TypeFormat, type TypeParser } from './types.js';
import { currentSubmitHandler, registerHost, submittableHost, type Submittable, type SubmittableHost } from './extension-points.js';

/** A LISTEN/NOTIFY message as pg emits it on `'notification'`. */
export interface Notification {
  /** Backend process id of the notifying session. */
  processId: number;
  /** The channel. */
  channel: string;
  /** The payload ('' when none). */
  payload: string;
}

/** How the face calls a query callback: an error alone, or null and the result. */
type LooseCallback = (err: Error | null, result?: unknown) => void;

type State = 'new' | 'connecting' | 'connected' | 'failed' | 'ended';

/** pg's `Client`: one connection, callbacks or promises, pg's values and errors. */
export class Client extends EventEmitter {
  /** The settings in use (pg's `ConnectionParameters`). */
  readonly connectionParameters: ConnectionParameters;
  /** Database user. */
  user: string | undefined;
  /** Database name. */
  database: string | undefined;
  /** Port. */
  port: number;
  /** Host. */
  host: string;
  /** Password, or the function giving it (not enumerable, so it stays out of logs). */
  declare password: ClientConfig['password'] | null;
  /** The backend's process id once connected. */
  processID: number | null = null;
  /** The TLS setting. */
  ssl: ClientConfig['ssl'];
  /** Set by a pool on the clients it hands out: gives the client back (pass an error or true to destroy it). */
  release?: (err?: Error | boolean) => void;

  readonly #config: ClientConfig;
  /** pg's deprecated `Promise` option: the promise class its methods return. */
  readonly #Promise: PromiseConstructor;
  readonly #types: TypeOverrides;
  readonly #queryTimeout: number | undefined;
  #state: State = 'new';
  #isEnding = false;
  #isQueryable = true;
  #conn: Connection | null = null;
  #connecting: Promise<Connection> | null = null;
  /** Until settled, calls wait: set while an exclusive section (a submittable) owns the connection. */
  #gate: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #isDrainScheduled = false;
  /** Set once a query got the server's FATAL error (pg gives it to the running query only). */
  #isFatalReported = false;
  readonly #statementNames = new Map<string, string>();

  /** @param config pg's options, or a connection string. */
  constructor(config?: ClientConfig | string) {
    super();
    const params = connectionParameters(config);
    this.connectionParameters = params;
    this.#config = typeof config === 'string' ? {} : { ...(config ?? {}) };
    this.user = params.user;
    this.database = params.database;
    this.port = params.port;
    this.host = params.host;
    Object.defineProperty(this, 'password', { configurable: true, enumerable: false, writable: true, value: params.password });
    this.ssl = params.ssl;
    this.#types = new TypeOverrides(this.#config.types);
    this.#Promise = typeof this.#config.Promise === 'function' ? (this.#config.Promise as PromiseConstructor) : Promise;
    this.#queryTimeout = params.query_timeout === false ? undefined : Number(params.query_timeout) || undefined;
    registerHost(this, this.#host());
  }

  /** pg's internal flag, read by pools and tools: true once `end()` was called. */
  get _ending(): boolean {
    return this.#isEnding;
  }

  /** pg's internal flag: true once connected. */
  get _connected(): boolean {
    return this.#state === 'connected' || (this.#state === 'ended' && this.#conn !== null);
  }

  /** pg's internal flag: false once the connection broke. */
  get _queryable(): boolean {
    return this.#isQueryable;
  }

  /** Connects; with a callback `(err, client)`, else a promise of the client. */
  connect(): Promise<this>;
  connect(callback: ((err: Error) => void) | ((err: null, client: this) => void)): void;
  connect(callback?: ((err: Error) => void) | ((err: null, client: this) => void)): Promise<this> | void {
    const done = this.#connect();
    if (callback === undefined) return this.#wrap(done);
    const cb = callback as (err: Error | null, client?: this) => void;
    done.then((c) => cb(null, c), (err: Error) => cb(err));
  }

  /** The promise in the class the user configured (pg's `Promise` option), else as is. */
  #wrap<T>(p: Promise<T>): Promise<T> {
    if (this.#Promise === Promise) return p;
    return new this.#Promise<T>((resolve, reject) => {
      p.then(resolve, reject);
    });
  }

  /** Emits an event for user listeners; one that throws must not break the connection below, so it is rethrown apart (as uncaught, as in pg). */
  #emitSafely(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }

  async #connect(): Promise<this> {
    if (this.#state !== 'new') {
      await Promise.resolve();
      throw new Error('Client has already been connected. You cannot reuse a client.');
    }
    this.#state = 'connecting';
    this.#connecting = this.#open();
    try {
      await this.#connecting;
      if (this.#isEnding) return this;
      this.#state = 'connected';
      this.emit('connect');
      return this;
    } catch (err) {
      this.#state = 'failed';
      this.#isQueryable = false;
      setImmediate(() => this.emit('end'));
      if (err instanceof TimeoutError) throw new TimeoutError('timeout expired', { cause: err });
      throw toPgError(err);
    }
  }

  async #open(): Promise<Connection> {
    const params = this.connectionParameters;
    let password: ConnectOptions['password'];
    const given = this.password;
    if (typeof given === 'function') {
      const value: unknown = await given.call(undefined);
      if (value !== undefined && typeof value !== 'string') throw new TypeError('Password must be a string');
      this.password = value ?? null;
      password = value;
    } else if (typeof given === 'string') password = given;
    const conn = await connect(toConnectOptions(params, password));
    this.#conn = conn;
    this.processID = conn.processId;
    conn.on('notice', (notice) => this.#emitSafely('notice', pgNotice(notice)));
    conn.on('notification', (channel, payload, processId) => {
      const msg: Notification & { name: string; length: number } = { name: 'notification', length: 0, processId, channel, payload };
      this.#emitSafely('notification', msg);
    });
    conn.on('error', (err) => this.#emitError(err));
    conn.on('close', (reason) => this.#onClose(reason));
    return conn;
  }

  #onClose(reason: Error | undefined): void {
    if (this.#state === 'ended') return;
    const wasEnding = this.#isEnding;
    this.#state = 'ended';
    this.#isQueryable = false;
    if (!wasEnding) {
      const err = new Error('Connection terminated unexpectedly', { cause: reason });
      this.#emitError(err);
    }
    // After the failed queries' callbacks (promise jobs), as pg reports them before 'end'.
    setImmediate(() => this.emit('end'));
  }

  /** pg emits 'error' on the client; with nobody listening that would crash the process, so it is a warning. */
  #emitError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else process.emitWarning(`pgjet/pg: unhandled client error: ${err.message}`, { code: 'PGJET_PG_CLIENT_ERROR' });
  }

  /** pg's error for a query this client cannot run now, or null. */
  #unusableError(): Error | null {
    if (!this.#isQueryable && this.#state !== 'new' && this.#state !== 'connecting') {
      return this.#isEnding ? new Error('Client was closed and is not queryable') : new Error('Client has encountered a connection error and is not queryable');
    }
    if (this.#isEnding) return new Error('Client was closed and is not queryable');
    return null;
  }

  /** The connection, once `connect()` has succeeded (queries made earlier wait for it, as in pg). */
  async #connection(): Promise<Connection> {
    if (this.#conn !== null && this.#state === 'connected') return this.#conn;
    if (this.#connecting === null) {
      // pg queues a query made before connect() and runs it once connected.
      await new Promise<void>((resolve) => this.once('connect', resolve));
      return this.#connection();
    }
    try {
      return await this.#connecting;
    } catch {
      throw new Error('Connection terminated unexpectedly');
    }
  }

  /**
   * Runs a query: SQL text with optional values, a config object (`{ text, values, name, rowMode, types }`),
   * or a submittable. With a callback the result goes to it and nothing is returned; without, a promise.
   */
  query<T extends Query>(query: T, values?: unknown[] | QueryCallback, callback?: QueryCallback): T;
  query<T extends Submittable>(submittable: T, values?: unknown, callback?: unknown): T;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's result rows are untyped unless the caller says
  query<R extends any[] = any[], I = unknown[]>(config: QueryArrayConfig<I>, values?: I): Promise<Result<R>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  query<R extends QueryResultRow = any, I = unknown[]>(config: string | QueryConfig<I>, callback: QueryCallback<Result<R>>): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  query<R extends QueryResultRow = any, I = unknown[]>(config: string | QueryConfig<I>, values: I | undefined, callback: QueryCallback<Result<R>>): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  query<R extends QueryResultRow = any, I = unknown[]>(config: string | QueryConfig<I>, values?: I): Promise<Result<R>>;
  query(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (config === null || config === undefined) throw new TypeError('Client was passed a null or undefined query');
    if (config instanceof Query) return this.#runQueryObject(config, values, callback);
    if (typeof (config as { submit?: unknown }).submit === 'function') {
      const handler = currentSubmitHandler();
      if (handler === null) throw new TypeError('pgjet/pg: submittable queries need the submittable module');
      return handler(submittableHost(this), config as object, values, callback);
    }
    const q = new Query(config as string | QueryConfig, values as unknown[] | QueryCallback, callback as QueryCallback);
    if (q.callback !== undefined && typeof q.callback !== 'function') throw new TypeError('callback is not a function');
    const run = this.#run(q);
    if (q.callback !== undefined) {
      const cb = q.callback as LooseCallback;
      run.then((res) => cb(null, res), (err: Error) => cb(err));
      return undefined;
    }
    // As pg does: the stack then leads back to the caller (async frames included), not into the socket code.
    return this.#wrap(run.catch((err: Error) => {
      Error.captureStackTrace(err);
      throw err;
    }));
  }

  #runQueryObject(q: Query, values: unknown, callback: unknown): Query {
    if (q.callback === undefined) {
      if (typeof values === 'function') q.callback = values as QueryCallback;
      else if (typeof callback === 'function') q.callback = callback as QueryCallback;
    }
    this.#run(q).then(
      (res) => {
        const results = Array.isArray(res) ? res : [res];
        if (q.listenerCount('row') > 0) for (const r of results) for (const row of r.rows) q.emit('row', row, r);
        q._result = res;
        if (q.callback !== undefined) (q.callback as LooseCallback)(null, res);
        q.emit('end', res);
      },
      (err: Error) => {
        if (q.callback !== undefined) (q.callback as LooseCallback)(err);
        else q.emit('error', err);
      },
    );
    return q;
  }

  async #run(q: Query): Promise<Result | Result[]> {
    const unusable = this.#unusableError();
    if (unusable !== null) {
      await Promise.resolve();
      throw unusable;
    }
    this.#inFlight++;
    try {
      return await this.#execute(q);
    } finally {
      this.#settled();
    }
  }

  /**
   * One query or submittable is over. pg's 'drain': the client ran out of queries (failed ones count), emitted
   * after the settled query's callbacks and events.
   */
  #settled(): void {
    this.#inFlight--;
    if (this.#inFlight === 0 && !this.#isDrainScheduled) {
      this.#isDrainScheduled = true;
      setImmediate(() => {
        this.#isDrainScheduled = false;
        if (this.#inFlight === 0) this.emit('drain');
      });
    }
  }

  async #execute(q: Query): Promise<Result | Result[]> {
    await Promise.resolve(); // a config error reaches the callback asynchronously, as in pg
    if (typeof q.text !== 'string' && typeof q.name !== 'string') {
      throw new Error('A query must have either text or a name. Supplying neither is unsupported.');
    }
    let text = q.text;
    if (q.name !== undefined && q.name !== '') {
      const previous = this.#statementNames.get(q.name);
      if (text && previous !== undefined && previous !== text) {
        throw new Error(`Prepared statements must be unique - '${q.name}' was used for a different statement`);
      }
      text ??= previous;
    }
    if (q.values !== undefined && q.values !== null && !Array.isArray(q.values)) throw new Error('Query values must be an array');
    // A name never prepared and no text: the empty statement, as pg's Parse of a null text is.
    if (typeof text !== 'string') text = '';
    const values = q.values ?? [];
    const args = values.map(prepareValue);
    // Known from submission on, as in pg: a query right behind may name the statement without its text.
    const isNewName = q.name !== undefined && q.name !== '' && !this.#statementNames.has(q.name);
    if (isNewName) this.#statementNames.set(q.name as string, text);
    try {
      await this.#gate;
      const conn = await this.#connection();
      const opts: QueryOptions = { types: overridesFor(q.types ?? this.#types) };
      if (q.rowMode === 'array') opts.rowMode = 'array';
      const timeout = q.query_timeout ?? this.#queryTimeout;
      if (timeout !== undefined && timeout > 0) opts.timeout = timeout;
      if (args.length === 0 && q.queryMode !== 'extended' && (text.trim() === '' || hasSeveralStatements(text))) {
        const results = (await conn.simpleQuery(text, opts)).map((r) => toResult(r, q.rowMode));
        if (results.length === 0) return new Result(q.rowMode);
        return results.length === 1 ? results[0] : results;
      }
      const res: QueryResult = await conn.query(text, args, opts);
      return toResult(res, q.rowMode);
    } catch (err) {
      if (isNewName) this.#statementNames.delete(q.name as string);
      throw this.#queryError(err);
    }
  }

  #queryError(err: unknown): Error {
    if (err instanceof TimeoutError) return new TimeoutError('Query read timeout', { cause: err });
    // A backend that ends the session (57P01 …) sends its error before closing: that is what pg reports.
    // Only the query the backend was running gets that error; the ones behind it see the connection end.
    if (!(err instanceof PgjetDatabaseError) && err instanceof Error && err.cause instanceof PgjetDatabaseError) {
      if (this.#isFatalReported) return new Error('Connection terminated unexpectedly', { cause: err });
      this.#isFatalReported = true;
      return toPgError(err.cause);
    }
    if (!(err instanceof PgjetDatabaseError) && this.#state === 'ended') {
      return new Error(this.#isEnding ? 'Connection terminated' : 'Connection terminated unexpectedly', { cause: err });
    }
    return toPgError(err);
  }

  /** Closes the connection; with a callback, else a promise. Queries still running fail with `Connection terminated`. */
  end(): Promise<void>;
  end(callback: (err?: Error) => void): void;
  end(callback?: (err?: Error) => void): Promise<void> | void {
    const done = this.#end();
    if (callback === undefined) return this.#wrap(done);
    done.then(() => callback(), (err: Error) => callback(err));
  }

  async #end(): Promise<void> {
    this.#isEnding = true;
    if (this.#state === 'new' || this.#state === 'failed' || this.#state === 'ended') {
      // A client never connected may still connect after end(), as in pg.
      return;
    }
    let conn: Connection;
    try {
      conn = this.#conn ?? (await this.#connecting!);
    } catch {
      return;
    }
    const ended = new Promise<void>((resolve) => this.once('end', () => resolve()));
    if (this.#state === 'connecting') this.#state = 'connected';
    // pg ends a client with a query still running by dropping the socket (that query fails); in its pipeline
    // mode it lets the queries already sent finish first.
    if (this.#inFlight > 0 && this.#config.pipeline !== true) conn.terminate();
    else {
      if (this.#inFlight > 0) await new Promise<void>((resolve) => this.once('drain', () => resolve()));
      await conn.close();
    }
    if (!conn.isClosed) conn.terminate();
    if ((this.#state as State) !== 'ended') this.#onClose(undefined);
    await ended;
  }

  /** Sets a parser for this client only. */
  setTypeParser(oid: number, format: TypeFormat | TypeParser, parseFn?: TypeParser): void {
    this.#types.setTypeParser(oid, format, parseFn);
  }

  /** This client's parser for a type (its own, else `pg.types`'). */
  getTypeParser(oid: number, format?: TypeFormat): TypeParser {
    return this.#types.getTypeParser(oid, format);
  }

  /** Quotes an identifier. */
  escapeIdentifier(str: string): string {
    return escapeIdentifier(str);
  }

  /** Quotes a literal. */
  escapeLiteral(str: string): string {
    return escapeLiteral(str);
  }

  /** The server's transaction status letter (`I`, `T`, `E`), as pg reports it; null before connecting. */
  getTransactionStatus(): 'I' | 'T' | 'E' | null {
    return this.#conn === null ? null : this.#conn.transactionStatus;
  }

  /** Accepted for compatibility: the socket keeps the process alive while open. */
  ref(): void {}

  /** Accepted for compatibility. */
  unref(): void {}

  #host(): SubmittableHost {
    return {
      client: this,
      connection: () => this.#connection(),
      typeParsers: this.#types,
      overrides: (source) => overridesFor(source ?? this.#types),
      exclusive: async <T>(fn: (conn: Connection) => Promise<T>): Promise<T> => {
        const before = this.#gate;
        let open!: () => void;
        this.#gate = new Promise<void>((resolve) => (open = resolve));
        // A submittable counts as a query in flight, so 'drain' waits for it as pg's does.
        this.#inFlight++;
        try {
          await before;
          return await fn(await this.#connection());
        } finally {
          open();
          this.#settled();
        }
      },
      unusableError: () => this.#unusableError(),
    };
  }
}
