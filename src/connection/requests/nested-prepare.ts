/**
 * Statement preparation inside a request that holds the wire (a cursor's portal). It reuses the extended
 * query's own preparation (cache naming, Parse/Describe, parameter-type inference on 42P18, loading of user
 * types) by running an {@link ExtendedQuery} in prepare-only mode as a nested request, on a view of the wire
 * whose hold/release do nothing: the outer request's hold must last until its portal is closed, and the
 * nested query must not end it when its Describe returns.
 */
import type { QueryContext } from '../context.js';
import type { Statement } from '../statement.js';
import type { Wire } from '../wire.js';
import { ExtendedQuery } from './extended-query.js';

const noop = (): void => undefined;

/** The wire with `hold`/`release` disabled (the outer request owns the hold). */
function holdless(wire: Wire): Wire {
  return new Proxy(wire, {
    get(target, key) {
      if (key === 'hold' || key === 'release') return noop;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The statement for `sql` from the connection's cache when it is there and valid, else undefined (then
 * {@link nestedPrepare} prepares it). Looked up when the request is written, as the extended query does.
 */
export function cachedStatement(ctx: QueryContext, sql: string): Statement | undefined {
  if (!ctx.cache.isCacheable(sql)) return undefined;
  const stmt = ctx.cache.get(sql);
  return stmt === undefined || stmt.isClosed ? undefined : stmt;
}

/**
 * Creates (not yet written) the prepare-only query for `sql`. The outer request writes it with
 * `query.write(wire)`, routes every message and ReadyForQuery to it until that returns true, then takes the
 * statement from `query.promise`. Named and cached when the cache takes the SQL, unnamed otherwise.
 */
export function nestedPrepare(ctx: QueryContext, sql: string, args: readonly unknown[]): { query: ExtendedQuery; wire: Wire } {
  const wire = holdless(ctx.wire);
  const inner: QueryContext = {
    wire,
    codecs: ctx.codecs,
    cache: ctx.cache,
    writeDeferredCloses: () => ctx.writeDeferredCloses(),
    inferParamTypes: (a) => ctx.inferParamTypes(a),
    typeLoader: (oids) => ctx.typeLoader(oids),
    onStatementsDiscarded: () => ctx.onStatementsDiscarded(),
    get schemaEpoch() {
      return ctx.schemaEpoch;
    },
    get hasUnsettledSchemaChange() {
      return ctx.hasUnsettledSchemaChange;
    },
    onSchemaTag: (tag) => ctx.onSchemaTag(tag),
    schemaSettled: () => ctx.schemaSettled(),
    onStaleStatement: () => ctx.onStaleStatement(),
  };
  // The arguments ride along only so that an untypable parameter (42P18) can be typed from its JS value.
  const query = new ExtendedQuery(inner, { sql, argsList: [args], rowMode: 'object', collectRows: false, prepareOnly: true });
  return { query, wire };
}
