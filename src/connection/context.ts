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
  /** Type OIDs for parameters the server could not type (42P18), from the JS values; 0 where unknown. */
  inferParamTypes(args: readonly unknown[]): number[];
  /**
   * A request that loads codecs for OIDs the type system does not know yet (user types), or null when there is
   * nothing to load. Run nested inside the statement's own request.
   */
  typeLoader(oids: readonly number[]): (Request & { readonly done: Promise<void> }) | null;
  /** A DISCARD ALL / DEALLOCATE ALL ran: every prepared statement is gone on the server. */
  onStatementsDiscarded(): void;
}
