/**
 * Transaction options and the SQL they turn into: the BEGIN statement of a top-level transaction and the
 * savepoint commands of a nested one (README, "Transactions").
 */
import { InterfaceError } from '../errors/index.js';

/** Isolation levels, as PostgreSQL names them with underscores (README, "Transactions"). */
export type IsolationLevel = 'read_committed' | 'repeatable_read' | 'serializable' | 'read_uncommitted';

/** Options of `conn.transaction()`; a nested transaction (a savepoint) accepts none of them. */
export interface TransactionOptions {
  /** The isolation level; the server's `default_transaction_isolation` when omitted. */
  isolation?: IsolationLevel;
  /** `true` opens a READ ONLY transaction: any write fails with `ReadOnlySqlTransactionError`. */
  readOnly?: boolean;
  /**
   * `true` adds DEFERRABLE, which only matters for a serializable read-only transaction: it waits for a safe
   * snapshot once and then never fails with a serialization error.
   */
  deferrable?: boolean;
}

/** Where a transaction is in its life. Only `'active'` accepts queries. */
export type TransactionState = 'active' | 'committing' | 'rollingBack' | 'committed' | 'rolledBack' | 'failed';

const ISOLATION_SQL: Readonly<Record<IsolationLevel, string>> = {
  read_committed: 'READ COMMITTED',
  repeatable_read: 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
  read_uncommitted: 'READ UNCOMMITTED',
};

/** Checks options given at run time (JavaScript callers, casts) so a typo never silently means the default. */
export function checkTransactionOptions(opts: unknown): TransactionOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object') throw new InterfaceError(`transaction options must be an object, got ${typeof opts}`);
  const o = opts as Record<string, unknown>;
  if (o.isolation !== undefined && !Object.hasOwn(ISOLATION_SQL, o.isolation as string)) {
    throw new InterfaceError(
      `unknown isolation level ${JSON.stringify(o.isolation)}: use one of ${Object.keys(ISOLATION_SQL).map((k) => `'${k}'`).join(', ')}`,
    );
  }
  for (const key of ['readOnly', 'deferrable'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new InterfaceError(`transaction option ${key} must be a boolean`);
  }
  return o as TransactionOptions;
}

/** True when options ask for anything a savepoint cannot do (a savepoint inherits its transaction's mode). */
export function hasModeOptions(opts: TransactionOptions): boolean {
  return opts.isolation !== undefined || opts.readOnly !== undefined || opts.deferrable !== undefined;
}

/**
 * The BEGIN statement for `opts`. `readOnly: false` adds nothing, so the server's
 * `default_transaction_read_only` still applies (as asyncpg does); only `true` is spelled out.
 */
export function beginSql(opts: TransactionOptions): string {
  let sql = 'BEGIN';
  if (opts.isolation !== undefined) sql += ` ISOLATION LEVEL ${ISOLATION_SQL[opts.isolation]}`;
  if (opts.readOnly === true) sql += ' READ ONLY';
  if (opts.deferrable === true) sql += ' DEFERRABLE';
  return sql;
}

let savepointCounter = 0;

/**
 * A savepoint name unique within the process, so savepoints of concurrent transactions and of nested levels
 * never collide (PostgreSQL would silently shadow a reused name, and RELEASE would then pick the newest).
 */
export function nextSavepointName(): string {
  savepointCounter = (savepointCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `pgjet_sp_${savepointCounter}`;
}
