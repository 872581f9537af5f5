/**
 * A live, authenticated connection below the public API: the wire, the type system, the statement cache, and
 * the request constructors the client layer calls. Implements {@link QueryContext} for the requests.
 */
import type { CodecRegistry } from '../codecs/index.js';
import { inferTypeOid, Oid } from '../codecs/index.js';
import { writeClose } from '../protocol/index.js';
import type { QueryContext } from './context.js';
import type { ResolvedConfig, ResolvedHost } from './config-types.js';
import type { Request } from './request.js';
import { ExtendedQuery, type ExtendedQuerySpec } from './requests/extended-query.js';
import { SimpleQuery } from './requests/simple-query.js';
import type { TypeOverrides } from './requests/overrides.js';
import { StatementCache } from './statement-cache.js';
import { TypeLoader } from './type-loader.js';
import type { Wire } from './wire.js';

/**
 * Wraps one call so the client layer can time and trace it (the `'query'` event, `pgjet:query`). Installed by
 * the connection facade; `countRows` reads the row count off the call's result.
 */
export type QueryObserver = <T>(sql: string, run: () => Promise<T>, countRows: (result: T) => number) => Promise<T>;

/** One authenticated server session. */
export class Session implements QueryContext {
  readonly wire: Wire;
  readonly codecs: CodecRegistry;
  readonly cache: StatementCache;
  readonly config: ResolvedConfig;
  /** The host this session is connected to. */
  readonly host: ResolvedHost;
  /**
   * True once a command may have left session state behind (a tag other than SELECT, INSERT, UPDATE, DELETE,
   * MERGE, COPY, FETCH or MOVE, e.g. SET, LISTEN, DECLARE; or a multi-statement script). Set by the client
   * layer where command tags are known, read and cleared by the pool to decide whether a released connection
   * needs its reset (README, "Pool and transactions", `reset: 'auto'`). Sticky until the pool clears it.
   */
  isDirty = false;
  /** The client layer's observer of query calls; null until a connection facade installs one. */
  observer: QueryObserver | null = null;
  /**
   * Called when this session committed a schema change (or learnt of one from a stale statement), so that a
   * pool can tell its other connections ({@link markSchemaStale}); null outside a pool.
   */
  onSchemaChange: (() => void) | null = null;
  /** See {@link QueryContext.schemaEpoch}. */
  schemaEpoch = 0;
  /** See {@link QueryContext.hasUnsettledSchemaChange}. */
  hasUnsettledSchemaChange = false;
  /** Set by {@link markSchemaStale}: the caches are dropped before the next request writes anything. */
  #isSchemaStale = false;

  /** @param wire a wire past startup. */
  constructor(wire: Wire, codecs: CodecRegistry, config: ResolvedConfig, host: ResolvedHost) {
    this.wire = wire;
    this.codecs = codecs;
    this.config = config;
    this.host = host;
    this.cache = new StatementCache({
      size: config.pgbouncer ? 0 : config.statementCacheSize,
      maxLifetime: config.maxCachedStatementLifetime,
      maxSqlLength: config.maxCacheableStatementSize,
    });
  }

  /** Queues an extended-protocol query. */
  extended(spec: ExtendedQuerySpec): ExtendedQuery {
    const req = new ExtendedQuery(this, spec);
    this.wire.enqueue(req);
    return req;
  }

  /** Queues a simple-protocol query. */
  simple(sql: string, rowMode: 'object' | 'array' = 'object', types?: TypeOverrides): SimpleQuery {
    const req = new SimpleQuery(this, sql, rowMode, types);
    this.wire.enqueue(req);
    return req;
  }

  writeDeferredCloses(): void {
    // Every request calls this first when it writes: the one place where a change announced by another
    // connection of the pool is applied, before any statement could be looked up in the cache.
    if (this.#isSchemaStale) {
      this.#isSchemaStale = false;
      this.dropSchemaState();
    }
    const names = this.cache.takeNamesToClose();
    if (names.length === 0) return;
    for (const name of names) writeClose(this.wire.writer, 'S', name);
    this.wire.closesPending += names.length;
  }

  inferParamTypes(args: readonly unknown[], previous: readonly number[] | null = null, message = ''): number[] | null {
    // Only the parameter the server names ("could not determine data type of parameter $2"; the `$n` survives
    // translation) is typed from its JS value: the others keep the type the server gives them from context, so
    // `5 = $1 OR $2 IS NULL` with ['5', null] still compares integers. A NULL (or a value with no inference)
    // still needs some type; text accepts any literal form.
    const next = previous === null ? args.map(() => 0) : [...previous];
    const named = /\$(\d+)/.exec(message);
    const index = named === null ? -1 : Number(named[1]) - 1;
    if (index >= 0 && index < args.length) {
      if (next[index] !== 0) return null; // already typed and still not enough: give up
      next[index] = inferTypeOid(args[index]) ?? Oid.text;
      return next;
    }
    // No parameter number in the message: type every parameter still untyped, once.
    let changed = false;
    for (let i = 0; i < args.length; i++) {
      if (next[i] === 0) {
        next[i] = inferTypeOid(args[i]) ?? Oid.text;
        changed = true;
      }
    }
    return changed ? next : null;
  }

  typeLoader(oids: readonly number[]): (Request & { readonly done: Promise<void> }) | null {
    // OIDs already introspected with no better codec than text are known; only truly new ones are loaded.
    const unknown = oids.filter((oid) => !this.codecs.has(oid));
    return unknown.length === 0 ? null : new TypeLoader(this, unknown);
  }

  onStatementsDiscarded(): void {
    this.cache.clear(true);
  }

  onSchemaTag(tag: string): void {
    if (tag === 'ROLLBACK') {
      if (!this.hasUnsettledSchemaChange) return;
    } else {
      this.hasUnsettledSchemaChange = true;
    }
    this.dropSchemaState();
  }

  schemaSettled(): void {
    this.hasUnsettledSchemaChange = false;
    this.dropSchemaState();
    this.onSchemaChange?.();
  }

  onStaleStatement(): void {
    this.dropSchemaState();
    this.onSchemaChange?.();
  }

  /**
   * Another connection changed the schema: drop the caches lazily, before this session's next request is
   * written (a request in flight keeps the plan it was written with).
   */
  markSchemaStale(): void {
    this.#isSchemaStale = true;
  }

  /**
   * Forgets every cached statement (closed on the server with the next request) and every introspected type,
   * and moves {@link schemaEpoch} on so explicit prepared statements are prepared again before their next use.
   * Codecs the user registered stay.
   */
  dropSchemaState(): void {
    this.cache.clear(false);
    this.codecs.clearTypes();
    this.schemaEpoch++;
  }
}
