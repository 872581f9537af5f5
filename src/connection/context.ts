import type { Wire } from './wire.js';
import type { CodecLookup } from './statement.js';
import type { StatementCache } from './statement-cache.js';
import type { Request } from './request.js';

/** What query requests need from their connection besides the wire. */
export interface QueryContext {
  /** The connection's wire. */
  readonly wire: Wire;
  /** The connection's type system. */
  readonly codecs: CodecLookup;
  /** The auto-prepared statement cache. */
  readonly cache: StatementCache;
  /** Writes Close messages for statements the cache retired, ahead of the next request's messages. */
  writeDeferredCloses(): void;
  /**
   * Parameter types to prepare with after the server could not type a parameter (42P18): `previous` (the
   * types of the last attempt, null at first) plus the parameter the error `message` names typed from its JS
   * value (all untyped ones when it names none); 0 leaves a type to the server. Null when there is nothing
   * left to try.
   */
  inferParamTypes(args: readonly unknown[], previous?: readonly number[] | null, message?: string): number[] | null;
  /**
   * A request that loads codecs for OIDs the type system does not know yet (user types), or null when there is
   * nothing to load. Run nested inside the statement's own request.
   */
  typeLoader(oids: readonly number[]): (Request & { readonly done: Promise<void> }) | null;
  /** A DISCARD ALL / DEALLOCATE ALL ran: every prepared statement is gone on the server. */
  onStatementsDiscarded(): void;
  /**
   * Counts the schema changes this connection knows of; a statement prepared under an older count may carry
   * stale types (explicit prepared statements compare it before each use and prepare again).
   */
  readonly schemaEpoch: number;
  /** True from a schema-changing command until the transaction it ran in has ended (see {@link schemaSettled}). */
  readonly hasUnsettledSchemaChange: boolean;
  /**
   * A command tag for which `isSchemaChangeTag` holds: DDL drops the cached statements and introspected types
   * at once; a ROLLBACK does so again when DDL ran since the connection was last idle.
   */
  onSchemaTag(tag: string): void;
  /**
   * A ReadyForQuery with status 'I' after a schema change: the change is now committed (or rolled back), so
   * the caches are dropped once more (statements prepared inside the transaction saw its uncommitted state)
   * and the change is announced to the connection's pool.
   */
  schemaSettled(): void;
  /**
   * A prepared statement failed as stale (see `isStaleStatementError`): another session changed the schema.
   * Drops the caches and announces it as {@link schemaSettled} does.
   */
  onStaleStatement(): void;
}
