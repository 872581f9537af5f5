/**
 * Introspection of user and extension types (enums, composites, domains, ranges, multiranges, arrays of them,
 * hstore and other text-only types): one catalog query for all unknown OIDs of a statement, repeated only for
 * types those depend on, run nested inside the statement's own request. The catalog query runs with JIT off:
 * on large catalogs its estimated cost can trip `jit_above_cost`, which made asyncpg's first queries slow.
 */
import type { IntrospectedType } from '../codecs/index.js';
import { databaseErrorFromFields, ProtocolError } from '../errors/index.js';
import { deferred } from '../internal/index.js';
import { BackendCode, backendCodeName, parseErrorFields, writeQuery } from '../protocol/index.js';
import type { Request } from './request.js';
import type { Session } from './session.js';
import type { Wire } from './wire.js';

/** Builds the catalog query for a set of OIDs; multiranges exist from PostgreSQL 14. */
function introspectionSql(oids: readonly number[], hasMultiranges: boolean): string {
  const list = oids.map((o) => `${o >>> 0}`).join(',');
  return `SELECT t.oid::int8, t.typname, t.typtype,
  CASE WHEN t.typlen = -1 AND t.typelem <> 0 AND t.typtype = 'b' THEN t.typelem ELSE 0 END::int8 AS elem,
  (SELECT e.typdelim FROM pg_catalog.pg_type e WHERE e.oid = t.typelem) AS delim,
  t.typbasetype::int8,
  (SELECT r.rngsubtype::int8 FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid) AS subtype,
  ${hasMultiranges ? '(SELECT r.rngtypid::int8 FROM pg_catalog.pg_range r WHERE r.rngmultitypid = t.oid)' : 'NULL::int8'} AS mrange,
  (SELECT json_agg(json_build_array(a.attname, a.atttypid::int8) ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attrs,
  (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) AS labels
FROM pg_catalog.pg_type t WHERE t.oid IN (${list})`;
}

function num(v: string | null): number | undefined {
  return v === null ? undefined : Number(v);
}

/** Turns one text-format row of the catalog query into an {@link IntrospectedType}. */
function toType(f: (string | null)[]): IntrospectedType {
  const attrs = f[8] === null ? undefined : (JSON.parse(f[8]) as [string, number][]).map(([name, oid]) => ({ name, oid: Number(oid) }));
  return {
    oid: Number(f[0]),
    name: f[1] ?? '',
    kind: f[2] ?? 'b',
    elem: num(f[3]),
    delimiter: f[4] ?? ',',
    baseType: f[2] === 'd' ? num(f[5]) : undefined,
    rangeSubtype: num(f[6]),
    multirangeRange: num(f[7]),
    attributes: attrs,
    labels: f[9] === null ? undefined : (JSON.parse(f[9]) as string[]),
  };
}

/** The OIDs a type needs codecs for before its own codec can be built. */
function dependencies(t: IntrospectedType): number[] {
  const out: number[] = [];
  if (t.elem !== undefined && t.elem !== 0) out.push(t.elem);
  if (t.baseType !== undefined && t.baseType !== 0) out.push(t.baseType);
  if (t.rangeSubtype !== undefined) out.push(t.rangeSubtype);
  if (t.multirangeRange !== undefined) out.push(t.multirangeRange);
  for (const a of t.attributes ?? []) out.push(a.oid);
  return out;
}

/** Loads codecs for unknown OIDs; a nested request (see ExtendedQuery) or a standalone one. */
export class TypeLoader implements Request {
  readonly #session: Session;
  readonly #seen = new Set<number>();
  readonly #found: IntrospectedType[] = [];
  readonly #result = deferred<void>();
  #batch: (string | null)[][] = [];
  #error: Error | null = null;

  /** @param oids type OIDs the registry does not know. */
  constructor(session: Session, oids: readonly number[]) {
    this.#session = session;
    for (const o of oids) this.#seen.add(o);
    this.#pendingOids = [...oids];
    // A rejection nobody awaits (the nested case reports through its parent) must not crash the process.
    this.#result.promise.catch(() => undefined);
  }

  #pendingOids: number[];

  /** Resolves when the types are registered. */
  get done(): Promise<void> {
    return this.#result.promise;
  }

  write(wire: Wire): boolean {
    this.#writeBatch(wire);
    return true;
  }

  #writeBatch(wire: Wire): void {
    const version = Number(wire.parameters.get('server_version_num') ?? /^(\d+)/.exec(wire.parameters.get('server_version') ?? '18')?.[1] ?? 18);
    const major = version > 1000 ? Math.floor(version / 10000) : version;
    const body = introspectionSql(this.#pendingOids, major >= 14);
    // set_config(…, true) is local to the implicit transaction of this one simple-query string when idle.
    const sql = wire.txStatus === 'I' ? `SELECT pg_catalog.set_config('jit', 'off', true); ${body}` : body;
    this.#batch = [];
    writeQuery(wire.writer, sql);
    wire.flushSoon();
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.DataRow: {
        const n = buf.readInt16BE(start);
        const row: (string | null)[] = [];
        let pos = start + 2;
        for (let i = 0; i < n; i++) {
          const len = buf.readInt32BE(pos);
          pos += 4;
          row.push(len < 0 ? null : buf.toString('utf8', pos, pos + len));
          if (len > 0) pos += len;
        }
        if (n === 10) this.#batch.push(row);
        return;
      }
      case BackendCode.RowDescription:
      case BackendCode.CommandComplete:
      case BackendCode.EmptyQueryResponse:
        return;
      case BackendCode.ErrorResponse:
        this.#error ??= databaseErrorFromFields(parseErrorFields(buf, start, end), 'type introspection');
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} during type introspection`);
    }
    void end;
  }

  handleReadyForQuery(): boolean {
    if (this.#error !== null) {
      this.#result.reject(this.#error);
      return true;
    }
    const next: number[] = [];
    for (const row of this.#batch) {
      const t = toType(row);
      this.#found.push(t);
      for (const dep of dependencies(t)) {
        if (!this.#seen.has(dep) && !this.#session.codecs.has(dep)) {
          this.#seen.add(dep);
          next.push(dep);
        }
      }
    }
    if (next.length > 0) {
      this.#pendingOids = next;
      this.#writeBatch(this.#session.wire);
      return false;
    }
    // An OID the catalog did not return (dropped meanwhile) still gets an entry, decoded as text, so it is not
    // introspected again on every query.
    const returned = new Set(this.#found.map((t) => t.oid));
    for (const oid of this.#seen) if (!returned.has(oid)) this.#found.push({ oid, name: String(oid), kind: 'p' });
    this.#session.codecs.addTypes(this.#found);
    this.#result.resolve();
    return true;
  }

  fail(err: Error): void {
    this.#result.reject(err);
  }
}
