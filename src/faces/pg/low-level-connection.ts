/**
 * node-postgres' low-level `Connection`, as a submittable sees it, emulated on a pgjet connection.
 *
 * pg hands `submit(connection)` its protocol writer: pg-cursor calls `parse`, `bind`, `describe`, `execute`,
 * `flush`, `sync` and `close` on it and waits for the backend's answers, which pg's client routes to the
 * submittable's `handle…` methods while the connection also emits them as events (`rowDescription`, `noData`,
 * `readyForQuery`, …). Here each call is one step of a serial queue that plays the backend's part with
 * pgjet's public API: Parse describes the statement (`prepare`), an Execute with a row limit takes that many
 * rows from pgjet's `cursor()` (low-level-portal.ts), a row-less statement runs with `execute()` (which gives
 * its command tag), and Sync answers ReadyForQuery. As on the server, an error makes every step up to the
 * next Sync a no-op; as in pg's client, an error or a ReadyForQuery ends the submittable's turn: from then on
 * its handlers get nothing more, and `finished` settles at the first ReadyForQuery.
 */
import { EventEmitter } from 'node:events';
import { DatabaseError, InterfaceError, type ColumnInfo, type Connection } from '../../index.js';
import { leadingKeyword, commandTag, rowCommand } from './low-level-sql.js';
import { bareMessage, commandComplete, dataRow, readyForQuery, rowDescription, type PgMessage } from './low-level-messages.js';
import { PortalReader } from './low-level-portal.js';

/**
 * The handlers pg's client calls on the active submittable (pg's `Submittable`), each optional here. Their
 * arguments have pg-protocol's shapes (low-level-messages.ts); errors are the client's mapped errors.
 */
export interface SubmittableHandlers {
  handleRowDescription?(msg: PgMessage): void;
  handleDataRow?(msg: PgMessage): void;
  handlePortalSuspended?(connection: LowLevelConnection): void;
  handleCommandComplete?(msg: PgMessage, connection: LowLevelConnection): void;
  handleEmptyQuery?(connection: LowLevelConnection): void;
  handleReadyForQuery?(connection: LowLevelConnection): void;
  handleError?(err: Error, connection?: LowLevelConnection): void;
}

/** `connection.parse()`: the statement's text and name ('' or absent: the unnamed statement). */
export interface ParseConfig {
  text: string;
  name?: string;
  /** Parameter type OIDs; not used: pgjet lets the server infer them, as an empty list does in pg. */
  types?: readonly number[];
}

/** `connection.bind()`. */
export interface BindConfig {
  portal?: string;
  statement?: string;
  values?: readonly unknown[] | null;
  /** Applied to each value first (pg's Query passes its `prepareValue`). */
  valueMapper?: (value: unknown, index: number) => unknown;
}

/** `connection.describe()` / `connection.close()`: a portal ('P') or a statement ('S'). */
export interface TargetConfig {
  type: 'P' | 'S';
  name?: string;
}

/** `connection.execute()`: the portal and the most rows to return (0 or absent: all). */
export interface ExecuteConfig {
  portal?: string;
  rows?: number;
}

interface Statement {
  text: string;
  columns: ColumnInfo[];
}

interface Portal {
  statement: Statement;
  values: unknown[];
  reader: PortalReader | null;
}

const noop = (): void => undefined;

/** COPY needs pg's socket (pg-copy-streams reads and writes `connection.stream` itself). */
const COPY_REFUSAL =
  'pgjet/pg runs no COPY for a submittable (pg-copy-streams drives node-postgres\' socket, which pgjet/pg does not expose); use the pgjet connection\'s copyToTable / copyFromQuery / copyOut';

/** The protocol writer handed to one submittable's `submit()`; see the module comment. */
export class LowLevelConnection extends EventEmitter {
  /** Statements parsed under a name (pg's Query reads this to skip a second Parse). */
  readonly parsedStatements: Record<string, string> = {};
  /** Set once the client hands the connection over (the submittable's turn has come). */
  #conn: Connection | null = null;
  readonly #handlers: SubmittableHandlers;
  readonly #mapError: (err: Error) => Error;
  readonly #statements = new Map<string, Statement>();
  readonly #portals = new Map<string, Portal>();
  readonly #finished: Promise<void>;
  #resolveFinished: () => void = noop;
  #work: Promise<void> = Promise.resolve();
  /** After an error the backend ignores everything up to the next Sync. */
  #isSkipping = false;
  /** A server error since the last Sync: inside a transaction, ReadyForQuery then reports it failed. */
  #hasServerError = false;
  /** The submittable still receives messages (pg's client clears its active query at an error). */
  #isActive = true;
  #isFinished = false;
  /** `submit()` failed: nothing queued runs. */
  #isAbandoned = false;
  #hasEnded = false;
  /** Cancels, on the server, the statement running for the submittable when the client's query_timeout fires. */
  readonly #abort = new AbortController();
  readonly #onClose = (reason: Error | undefined): void => this.#connectionClosed(reason);

  /**
   * @param conn the pgjet connection the client wraps, or a promise of it that resolves when the
   *   submittable's turn comes: calls made before then wait, so `submit()` can run at once, as pg runs it
   *   when its client is idle. A rejected promise fails the submittable with that error.
   * @param handlers the submittable.
   * @param mapError turns pgjet's errors into the client's.
   */
  constructor(conn: Connection | Promise<Connection>, handlers: SubmittableHandlers, mapError: (err: Error) => Error) {
    super();
    this.#handlers = handlers;
    this.#mapError = mapError;
    this.#finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
    this.#work = Promise.resolve(conn).then(
      (c) => {
        if (this.#isFinished || this.#isAbandoned) return;
        this.#conn = c;
        c.once('close', this.#onClose);
      },
      // No turn will come: the submittable hears of it as of a statement's error, and its Sync (which
      // pg-cursor sends then) still answers ReadyForQuery, so the calls it waits on complete.
      (err: unknown) => this.#fail(err),
    );
  }

  /** The connection; steps only run once it was handed over. */
  get #connection(): Connection {
    if (this.#conn === null) throw new InterfaceError('the submittable has no connection yet');
    return this.#conn;
  }

  /** Settles (never rejects) once the submittable's turn is over: its ReadyForQuery, or the connection's end. */
  get finished(): Promise<void> {
    return this.#finished;
  }

  /** pg's socket. Not exposed: submittables that read or write it (pg-copy-streams) are refused clearly. */
  get stream(): never {
    throw new InterfaceError(COPY_REFUSAL);
  }

  /** Parse: describes the statement now, as the server parses it on receipt. */
  parse(config: ParseConfig): void {
    this.#enqueue(() => this.#parse(config));
  }

  /** Bind: a portal on a parsed statement with these values. */
  bind(config: BindConfig = {}): void {
    this.#enqueue(() => this.#bind(config));
  }

  /** Describe: a RowDescription, or NoData for a statement that returns no rows. */
  describe(config: TargetConfig): void {
    this.#enqueue(() => this.#describe(config));
  }

  /** Execute: the next `rows` rows of a portal (all when 0 or absent). */
  execute(config: ExecuteConfig = {}): void {
    this.#enqueue(() => this.#execute(config.portal ?? '', config.rows ?? 0));
  }

  /** Close: a portal (freeing pgjet's connection) or a statement. */
  close(config: TargetConfig): void {
    this.#enqueue(() => this.#close(config), { answersLate: true });
  }

  /** Flush: nothing to do, answers are delivered as soon as they exist. */
  flush(): void {}

  /** Sync: closes what is left open, then ReadyForQuery. Runs even after an error (it ends the skipping). */
  sync(): void {
    this.#enqueue(() => this.#sync(), { runsWhileSkipping: true, answersLate: true });
  }

  /** A simple Query: one statement's rows and tag, then ReadyForQuery. */
  query(text: string): void {
    this.#enqueue(() => this.#simpleQuery(text), { runsWhileSkipping: true });
  }

  /** Ends the pgjet connection (pg-cursor's deprecated `end()`); `'end'` is emitted once it is closed. */
  end(): void {
    const ended = this.#work.then(() => this.#conn?.close());
    ended.then(() => this.#emitEnd(), () => this.#emitEnd());
  }

  /**
   * Ends the submittable's turn because its `submit()` failed: steps it queued never run, and `err` (its
   * own, not mapped) reaches its `handleError` on the next tick, as pg's client delivers it.
   */
  abandon(err: Error): void {
    if (this.#isFinished || this.#isAbandoned) return;
    this.#isAbandoned = true;
    const wasActive = this.#isActive;
    this.#isActive = false;
    process.nextTick(() => {
      if (wasActive) this.#route(() => this.#handlers.handleError?.(err, this));
      this.#finish();
    });
  }

  /**
   * The client's query_timeout fired: `err` (pg's 'Query read timeout', not mapped) ends the submittable's
   * turn now, whatever runs for it is cancelled on the server, and the backend skips to the next Sync.
   */
  interrupt(err: Error): void {
    if (this.#isFinished || this.#isAbandoned) return;
    const wasActive = this.#isActive;
    this.#isActive = false;
    this.#isSkipping = true;
    if (wasActive) this.#route(() => this.#handlers.handleError?.(err, this));
    this.#abort.abort(err);
  }

  /**
   * Queues a step. A Close or Sync made once the turn is over (`answersLate`) gets a ReadyForQuery event and
   * nothing else: the submittable may wait on it (pg-cursor's `close()` after an error does), and in pg it
   * would come with the client's next query.
   */
  #enqueue(step: () => Promise<void> | void, { runsWhileSkipping = false, answersLate = false } = {}): void {
    this.#work = this.#work.then(async () => {
      if (this.#isFinished || this.#isAbandoned) {
        if (answersLate) this.emit('readyForQuery', readyForQuery(this.#conn?.isInTransaction === true ? 'T' : 'I'));
        return;
      }
      if (this.#isSkipping && !runsWhileSkipping) return;
      try {
        await step();
      } catch (err) {
        this.#fail(err);
      }
    });
  }

  async #parse(config: ParseConfig): Promise<void> {
    const statement = await this.#describeStatement(config.text);
    const name = config.name ?? '';
    this.#statements.set(name, statement);
    if (name !== '') this.parsedStatements[name] = config.text;
    this.#emitOnly(bareMessage('parseComplete'));
  }

  async #describeStatement(text: string): Promise<Statement> {
    if (leadingKeyword(text) === 'COPY') throw new InterfaceError(COPY_REFUSAL);
    const prepared = await this.#connection.prepare(text);
    // Only the description is needed: the rows come from pgjet's own cached statement. The close is
    // pipelined ahead of the next call, so it costs no round trip; if it fails the connection is gone, and
    // the next step reports that.
    prepared.close().catch(noop);
    return { text, columns: prepared.columns };
  }

  async #bind(config: BindConfig): Promise<void> {
    const name = config.statement ?? '';
    const statement = this.#statements.get(name);
    if (statement === undefined) throw new InterfaceError(`prepared statement "${name}" does not exist`);
    const raw = config.values ?? [];
    const mapper = config.valueMapper;
    const values = mapper === undefined ? [...raw] : raw.map((v, i) => mapper(v, i));
    const portal = config.portal ?? '';
    // Binding a portal name again replaces the old portal, as Bind does for the unnamed one.
    await this.#portals.get(portal)?.reader?.close();
    this.#portals.set(portal, { statement, values, reader: null });
    this.#emitOnly(bareMessage('bindComplete'));
  }

  #describe(config: TargetConfig): void {
    const name = config.name ?? '';
    const statement = config.type === 'S' ? this.#statements.get(name) : this.#portals.get(name)?.statement;
    if (statement === undefined) {
      throw new InterfaceError(config.type === 'S' ? `prepared statement "${name}" does not exist` : `portal "${name}" does not exist`);
    }
    this.#describeColumns(statement.columns);
  }

  #describeColumns(columns: ColumnInfo[]): void {
    if (columns.length === 0) {
      this.#emitOnly(bareMessage('noData'));
      return;
    }
    const msg = rowDescription(columns);
    this.#deliver(() => this.#handlers.handleRowDescription?.(msg));
    this.emit('rowDescription', msg);
  }

  async #execute(name: string, limit: number): Promise<void> {
    const portal = this.#portals.get(name);
    if (portal === undefined) throw new InterfaceError(`portal "${name}" does not exist`);
    const { statement } = portal;
    if (statement.columns.length === 0) {
      await this.#runWithoutRows(statement.text, portal.values);
      return;
    }
    portal.reader ??= new PortalReader(this.#connection, statement.text, portal.values, statement.columns, this.#abort.signal);
    const outcome = await portal.reader.execute(limit);
    for (const row of outcome.rows) {
      const msg = dataRow(row);
      this.#deliver(() => this.#handlers.handleDataRow?.(msg));
      this.emit('dataRow', msg);
    }
    if (outcome.isComplete) {
      this.#commandComplete(commandTag(rowCommand(statement.text), outcome.rows.length));
    } else {
      this.#deliver(() => this.#handlers.handlePortalSuspended?.(this));
      this.emit('portalSuspended', bareMessage('portalSuspended'));
    }
  }

  /** A statement without result columns: pgjet's `execute()` runs it and gives its tag ('' for an empty query). */
  async #runWithoutRows(text: string, values: readonly unknown[]): Promise<void> {
    const tag = await this.#connection.execute(text, values, { signal: this.#abort.signal });
    if (tag === '') {
      this.#deliver(() => this.#handlers.handleEmptyQuery?.(this));
      this.emit('emptyQuery', bareMessage('emptyQuery'));
      return;
    }
    this.#commandComplete(tag);
  }

  #commandComplete(tag: string): void {
    const msg = commandComplete(tag);
    this.#deliver(() => this.#handlers.handleCommandComplete?.(msg, this));
    this.emit('commandComplete', msg);
  }

  async #close(config: TargetConfig): Promise<void> {
    const name = config.name ?? '';
    if (config.type === 'P') {
      const portal = this.#portals.get(name);
      this.#portals.delete(name);
      await portal?.reader?.close();
    } else {
      this.#statements.delete(name);
      delete this.parsedStatements[name];
    }
    this.#emitOnly(bareMessage('closeComplete'));
  }

  async #sync(): Promise<void> {
    await this.#closePortals();
    this.#isSkipping = false;
    const status = this.#conn === null || !this.#conn.isInTransaction ? 'I' : this.#hasServerError ? 'E' : 'T';
    this.#hasServerError = false;
    this.#readyForQuery(status);
  }

  /**
   * A Sync ends the implicit transaction that holds an unnamed portal; every portal is closed here, since
   * a portal left open would keep pgjet's connection held and block the client's next query.
   */
  async #closePortals(): Promise<void> {
    const portals = [...this.#portals.values()];
    this.#portals.clear();
    for (const portal of portals) await portal.reader?.close().catch(noop);
  }

  async #simpleQuery(text: string): Promise<void> {
    try {
      const statement = await this.#describeSimple(text);
      if (statement !== null) {
        this.#describeColumns(statement.columns);
        this.#portals.set('', { statement, values: [], reader: null });
        await this.#execute('', 0);
      }
    } catch (err) {
      this.#fail(err);
    }
    await this.#sync();
  }

  /**
   * The statement of a simple Query, or null when it held several statements: those run through pgjet's
   * simple protocol, which reports the last one's tag only (their rows are not delivered).
   */
  async #describeSimple(text: string): Promise<Statement | null> {
    try {
      return await this.#describeStatement(text);
    } catch (err) {
      if (!(err instanceof DatabaseError) || err.code !== '42601' || !/multiple commands/.test(err.message)) throw err;
    }
    this.#commandComplete(await this.#connection.execute(text, undefined, { signal: this.#abort.signal }));
    return null;
  }

  #readyForQuery(status: 'I' | 'T' | 'E'): void {
    const wasActive = this.#isActive;
    this.#isActive = false;
    if (wasActive) this.#route(() => this.#handlers.handleReadyForQuery?.(this));
    this.#finish();
    this.emit('readyForQuery', readyForQuery(status));
  }

  /** An error: the submittable hears of it once (then its turn is over) and the backend skips to Sync. */
  #fail(err: unknown): void {
    const error = this.#mapError(err instanceof Error ? err : new Error(String(err)));
    this.#isSkipping = true;
    if (err instanceof DatabaseError) this.#hasServerError = true;
    const wasActive = this.#isActive;
    this.#isActive = false;
    if (wasActive) this.#route(() => this.#handlers.handleError?.(error, this));
    this.emit('errorMessage', error);
  }

  /** Delivers a message to the submittable while it still receives them (pg's client routes only to its active query). */
  #deliver(call: () => void): void {
    if (this.#isActive) this.#route(call);
  }

  /**
   * Calls one of the submittable's handlers. A handler that throws (a user's `'row'` listener) ends the
   * submittable's turn with that error, once; a second failure can only be reported as a warning.
   */
  #route(call: () => void): void {
    try {
      call();
    } catch (err) {
      if (this.#isActive) this.#fail(err);
      else process.emitWarning(`pgjet/pg: a submittable's handler threw: ${String(err)}`, { type: 'PgjetWarning' });
    }
  }

  #emitOnly(msg: PgMessage): void {
    this.emit(msg.name, msg);
  }

  #connectionClosed(reason: Error | undefined): void {
    if (!this.#isFinished) {
      if (this.#isActive) {
        this.#isActive = false;
        const error = reason === undefined ? new Error('Connection terminated') : this.#mapError(reason);
        this.#route(() => this.#handlers.handleError?.(error, this));
      }
      this.#finish();
    }
    this.#emitEnd();
  }

  #emitEnd(): void {
    if (this.#hasEnded) return;
    this.#hasEnded = true;
    this.emit('end');
  }

  #finish(): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    this.#resolveFinished();
    if (!this.#hasEnded) this.#conn?.off('close', this.#onClose);
  }
}
