/**
 * The per-connection LRU of auto-prepared statements (README, "Connecting": `statementCacheSize`,
 * `maxCachedStatementLifetime`, `maxCacheableStatementSize`). Evicted statements are closed on the server
 * lazily: their names queue here and the next request writes the Close messages ahead of its own.
 */
import { Lru } from '../internal/index.js';
import type { Statement } from './statement.js';

/** Cache limits. */
export interface StatementCacheOptions {
  /** Maximum statements kept; 0 disables naming (unnamed statements only). */
  size: number;
  /** Age after which an entry is re-prepared, in ms (0 = forever). */
  maxLifetime: number;
  /** SQL longer than this many characters is never cached. */
  maxSqlLength: number;
}

/** LRU of prepared statements keyed by SQL text. */
export class StatementCache {
  readonly #lru: Lru<string, Statement>;
  readonly #options: StatementCacheOptions;
  #toClose: string[] = [];
  #counter = 0;

  /** @param options the limits. */
  constructor(options: StatementCacheOptions) {
    this.#options = options;
    this.#lru = new Lru(options.size);
  }

  /** Number of cached statements. */
  get size(): number {
    return this.#lru.size;
  }

  /** True when `sql` may be cached. */
  isCacheable(sql: string): boolean {
    return this.#options.size > 0 && sql.length <= this.#options.maxSqlLength;
  }

  /** A fresh server-side statement name, unique on this connection. */
  nextName(): string {
    return `pgjet_${(++this.#counter).toString(36)}`;
  }

  /** The cached statement for `sql`, unless absent, closed or too old. */
  get(sql: string): Statement | undefined {
    const stmt = this.#lru.get(sql);
    if (stmt === undefined) return undefined;
    const maxLifetime = this.#options.maxLifetime;
    if (stmt.isClosed || (maxLifetime > 0 && Date.now() - stmt.preparedAt > maxLifetime)) {
      this.invalidate(sql);
      return undefined;
    }
    return stmt;
  }

  /** Adds a freshly prepared named statement; what the LRU evicts is queued for closing. */
  add(stmt: Statement): void {
    for (const old of this.#lru.set(stmt.sql, stmt)) this.#retire(old);
  }

  /** Drops the entry for `sql` (stale after a schema change) and closes it on the server. */
  invalidate(sql: string): void {
    const stmt = this.#lru.peek(sql);
    if (stmt === undefined) return;
    this.#lru.delete(sql);
    this.#retire(stmt);
  }

  /** Forgets every entry. `serverForgot` is true after DISCARD ALL / DEALLOCATE ALL, when nothing needs closing. */
  clear(serverForgot: boolean): void {
    for (const stmt of this.#lru.drain()) {
      if (serverForgot) stmt.isClosed = true;
      else this.#retire(stmt);
    }
  }

  /** Names waiting for a Close message; the caller writes them and clears the list. */
  takeNamesToClose(): string[] {
    if (this.#toClose.length === 0) return this.#toClose;
    const names = this.#toClose;
    this.#toClose = [];
    return names;
  }

  #retire(stmt: Statement): void {
    if (stmt.isClosed) return;
    stmt.isClosed = true;
    if (stmt.name !== '') this.#toClose.push(stmt.name);
  }
}
