/**
 * Drizzle's PostgreSQL session over pgjet, plugged in the way its own drivers plug in (compare
 * drizzle-orm/node-postgres/session): a `PgSession` making `PgPreparedQuery`s, and a `PgTransaction` whose
 * nested transactions are savepoints. The session runs on a pgjet pool (each query borrows a connection; a
 * transaction pins one for its whole body), a single connection, or an open pgjet `Transaction`.
 *
 * Drizzle's result mapper reads rows as arrays (`rowMode: 'array'`, so duplicate column names survive joins);
 * `db.execute()` returns pgjet's `QueryResult` with object rows. Every query carries {@link DRIZZLE_TYPES}.
 */
import * as drizzleOrm from 'drizzle-orm';
import { entityKind, fillPlaceholders, is, NoopLogger, Param, type Logger, type Query, type RelationalSchemaConfig, type SQL, type TablesRelationalConfig } from 'drizzle-orm';
import type { Cache } from 'drizzle-orm/cache/core';
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types';
import { npmVersion } from 'drizzle-orm/version';
import {
  PgPreparedQuery,
  PgSession,
  PgTransaction,
  type PgDialect,
  type PgQueryResultHKT,
  type PgTransactionConfig,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core';
import { InterfaceError, Pool, Transaction, type Connection, type QueryResult, type Row, type TransactionOptions } from '../../index.js';
import { hasSeveralStatements } from '../shared/multi-statement.js';
import { transactionMode } from '../shared/transaction-mode.js';
import { encodersOf, needsConversion, toBindable } from './params.js';
import { DRIZZLE_TYPES } from './types.js';

/** What a Drizzle session runs on: a pool, one connection (a pooled one too), or an open transaction. */
export type PgjetClient = Pool | Connection | Transaction;

/** Drizzle's result-kind for pgjet: `db.execute()` resolves with pgjet's `QueryResult`. */
export interface PgjetQueryResultHKT extends PgQueryResultHKT {
  type: QueryResult<this['row'] extends Row ? this['row'] : Row>;
}

/** Options shared by a session and the sessions of its transactions. */
export interface PgjetSessionOptions {
  /** Drizzle's query logger. */
  logger?: Logger;
  /** Drizzle's query cache. */
  cache?: Cache;
}

/** Drizzle's row mapper: exported at run time by drizzle-orm (every driver of its own uses it), untyped. */
type MapResultRow = (columns: SelectedFieldsOrdered, row: unknown[], joinsNotNullableMap: Record<string, boolean> | undefined) => unknown;
const mapResultRow = (drizzleOrm as unknown as { mapResultRow?: MapResultRow }).mapResultRow;
// drizzle-orm 1.0 replaced the 0.x driver interface (PgPreparedQuery among others): say so before a class
// below fails to extend it. (An ESM application already fails earlier, naming the missing export.)
if (typeof mapResultRow !== 'function' || typeof PgPreparedQuery !== 'function') {
  throw new InterfaceError(`pgjet/drizzle needs drizzle-orm >=0.44 <0.46; the one installed is ${npmVersion}`);
}

/** Members of PgPreparedQuery that Drizzle marks internal (left out of its .d.ts) but its drivers use. */
interface PreparedQueryInternals {
  joinsNotNullableMap?: Record<string, boolean>;
  queryWithCache<R>(queryString: string, params: unknown[], query: () => Promise<R>): Promise<R>;
}

/** Runs `body` in a transaction on `client`: pinned to one pool connection, or a savepoint when already in one. */
function inTransaction<T>(client: PgjetClient, body: (tx: Transaction) => Promise<T>, options: TransactionOptions): Promise<T> {
  if (client instanceof Transaction) return client.transaction(body);
  if (client instanceof Pool) return client.transaction(body, options);
  return client.transaction(body, options);
}

/** A Drizzle prepared query. `.prepare('name')` needs no server-side name: pgjet prepares each SQL text once per connection. */
export class PgjetPreparedQuery<T extends PreparedQueryConfig> extends PgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'PgjetPreparedQuery';
  readonly #client: PgjetClient;
  /** Parameters as bound, literals already converted (see params.ts); placeholders still to fill. */
  readonly #params: unknown[];
  /** Placeholders whose filled value may be a literal to convert, with their column encoders. */
  readonly #lateConversions: [index: number, encoder: NonNullable<ReturnType<typeof encodersOf>[number]>][] = [];
  readonly #logger: Logger;
  readonly #fields: SelectedFieldsOrdered | undefined;
  readonly #isArrayMode: boolean;
  readonly #customResultMapper: ((rows: unknown[][]) => T['execute']) | undefined;

  /** Made by {@link PgjetSession.prepareQuery}. */
  constructor(
    client: PgjetClient,
    query: Query,
    logger: Logger,
    cache: Cache | undefined,
    queryMetadata: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] } | undefined,
    cacheConfig: WithCacheConfig | undefined,
    fields: SelectedFieldsOrdered | undefined,
    isArrayMode: boolean,
    customResultMapper: ((rows: unknown[][]) => T['execute']) | undefined,
  ) {
    super(query, cache, queryMetadata, cacheConfig);
    this.#client = client;
    const encoders = encodersOf(query);
    if (needsConversion(encoders)) {
      // Converted once here, so a `.prepare()`d query pays for it once; placeholders get their values later.
      this.#params = query.params.map((param, i) => {
        const encoder = encoders[i];
        if (!is(param, Param)) return toBindable(encoder, param);
        if (encoder !== undefined) this.#lateConversions.push([i, encoder]);
        return param;
      });
    } else {
      this.#params = query.params;
    }
    this.#logger = logger;
    this.#fields = fields;
    this.#isArrayMode = isArrayMode;
    this.#customResultMapper = customResultMapper;
  }

  /** Runs the query: mapped rows for builder queries, pgjet's `QueryResult` for `db.execute()`. */
  async execute(placeholderValues: Record<string, unknown> = {}): Promise<T['execute']> {
    const params = this.#fill(placeholderValues);
    const fields = this.#fields;
    const mapper = this.#customResultMapper;
    if (fields === undefined && mapper === undefined) return this.#run(params, 'object');
    const { rows } = await this.#run(params, 'array');
    const arrays = rows as unknown as unknown[][];
    if (mapper !== undefined) return mapper(arrays);
    const joins = (this as unknown as PreparedQueryInternals).joinsNotNullableMap;
    return arrays.map((row) => mapResultRow!(fields!, row, joins));
  }

  /** The rows as objects, unmapped. */
  async all(placeholderValues: Record<string, unknown> = {}): Promise<T['all']> {
    return (await this.#run(this.#fill(placeholderValues), 'object')).rows;
  }

  #fill(placeholderValues: Record<string, unknown>): unknown[] {
    const params = fillPlaceholders(this.#params, placeholderValues);
    for (const [i, encoder] of this.#lateConversions) params[i] = toBindable(encoder, params[i]);
    return params;
  }

  /** @internal as in Drizzle's own drivers: whether the rows come as arrays. */
  isResponseInArrayMode(): boolean {
    return this.#isArrayMode;
  }

  /** One query through Drizzle's cache layer, which also wraps errors in `DrizzleQueryError` (cause: pgjet's error). */
  #run(params: unknown[], rowMode: 'object' | 'array'): Promise<QueryResult> {
    const { sql } = this.getQuery();
    this.#logger.logQuery(sql, params);
    const client = this.#client;
    return (this as unknown as PreparedQueryInternals).queryWithCache(sql, params, async () => {
      if (params.length === 0 && hasSeveralStatements(sql)) {
        // Migration files without breakpoints: the simple protocol takes several statements (no rows, as with pg).
        const tag = await client.execute(sql);
        const count = Number(tag.slice(tag.lastIndexOf(' ') + 1));
        return { rows: [], columns: [], command: tag.split(' ', 1)[0], tag, rowCount: Number.isSafeInteger(count) ? count : 0 };
      }
      return client.query(sql, params, { rowMode, types: DRIZZLE_TYPES });
    });
  }
}

/** Drizzle's session over a pgjet pool, connection or transaction. */
export class PgjetSession<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends PgSession<
  PgjetQueryResultHKT,
  TFullSchema,
  TSchema
> {
  static override readonly [entityKind]: string = 'PgjetSession';
  /** Where queries run. */
  readonly client: PgjetClient;
  /** Logger and cache, passed on to the sessions of its transactions. */
  readonly options: PgjetSessionOptions;
  readonly #schema: RelationalSchemaConfig<TSchema> | undefined;
  readonly #logger: Logger;

  /** Made by `drizzle()` and by transactions. */
  constructor(client: PgjetClient, dialect: PgDialect, schema: RelationalSchemaConfig<TSchema> | undefined, options: PgjetSessionOptions = {}) {
    super(dialect);
    this.client = client;
    this.#schema = schema;
    this.options = options;
    this.#logger = options.logger ?? new NoopLogger();
  }

  /** Drizzle's hook for every query it builds. */
  prepareQuery<T extends PreparedQueryConfig = PreparedQueryConfig>(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    _name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => T['execute'],
    queryMetadata?: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] },
    cacheConfig?: WithCacheConfig,
  ): PgPreparedQuery<T> {
    return new PgjetPreparedQuery<T>(this.client, query, this.#logger, this.options.cache, queryMetadata, cacheConfig, fields, isResponseInArrayMode, customResultMapper);
  }

  /**
   * `db.transaction(fn, config)`: BEGIN on one connection (borrowed from the pool for the whole body), COMMIT
   * when `fn` resolves, ROLLBACK when it throws (`tx.rollback()` throws Drizzle's TransactionRollbackError,
   * which is rethrown as with node-postgres). Inside a transaction this opens a savepoint instead.
   */
  override transaction<T>(transaction: (tx: PgjetTransaction<TFullSchema, TSchema>) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
    const { options, setTransaction } = transactionMode(config);
    const dialect = this.dialect;
    return inTransaction(
      this.client,
      async (pgTx) => {
        if (setTransaction !== null) await pgTx.execute(setTransaction);
        const session = new PgjetSession<TFullSchema, TSchema>(pgTx, dialect, this.#schema, this.options);
        return transaction(new PgjetTransaction<TFullSchema, TSchema>(dialect, session, this.#schema));
      },
      options,
    );
  }

  /** `db.$count()`: count(*) is an int8, whatever its decoding. */
  override async count(sql: SQL): Promise<number> {
    const result = await this.execute<QueryResult<{ count: unknown }>>(sql);
    return Number(result.rows[0].count);
  }
}

/** A Drizzle transaction on a pinned pgjet connection; `tx.transaction(fn)` nests as a savepoint. */
export class PgjetTransaction<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends PgTransaction<
  PgjetQueryResultHKT,
  TFullSchema,
  TSchema
> {
  static override readonly [entityKind]: string = 'PgjetTransaction';
  readonly #dialect: PgDialect;

  /** Made by {@link PgjetSession.transaction}. */
  constructor(dialect: PgDialect, session: PgjetSession<TFullSchema, TSchema>, schema: RelationalSchemaConfig<TSchema> | undefined, nestedIndex = 0) {
    super(dialect, session, schema, nestedIndex);
    this.#dialect = dialect;
  }

  /** A nested transaction: SAVEPOINT, RELEASE when `fn` resolves, ROLLBACK TO when it throws. */
  override transaction<T>(transaction: (tx: PgjetTransaction<TFullSchema, TSchema>) => Promise<T>): Promise<T> {
    const session = this._.session as PgjetSession<TFullSchema, TSchema>;
    const outer = session.client;
    if (!(outer instanceof Transaction)) throw new Error('a Drizzle transaction session must run on a pgjet Transaction');
    return outer.transaction(async (savepoint) => {
      const inner = new PgjetSession<TFullSchema, TSchema>(savepoint, this.#dialect, this.schema, session.options);
      return transaction(new PgjetTransaction<TFullSchema, TSchema>(this.#dialect, inner, this.schema, this.nestedIndex + 1));
    });
  }
}
