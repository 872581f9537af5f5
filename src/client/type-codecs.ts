/**
 * Custom codecs (`conn.setTypeCodec`, the `types` option) and `reloadSchemaState()`. A type is found by name
 * and schema in `pg_type`; registering a codec drops the cached statements, whose plans hold codec references.
 */
import type { Session } from '../connection/index.js';
import { customCodec, type CustomCodecDefinition } from '../codecs/index.js';
import { InterfaceError } from '../errors/index.js';

/** A custom codec for `setTypeCodec`: text or binary functions, and the schema of the type (default 'public'). */
export type TypeCodecDefinition<T = unknown> = CustomCodecDefinition<T> & { schema?: string };

/** Registers `definition` for the type `typeName` (optionally schema-qualified through `definition.schema`). */
export async function setTypeCodec<T>(session: Session, typeName: string, definition: TypeCodecDefinition<T>): Promise<void> {
  if (typeof typeName !== 'string' || typeName.length === 0) throw new InterfaceError('setTypeCodec needs a type name');
  if (definition.format !== 'text' && definition.format !== 'binary') {
    throw new InterfaceError(`setTypeCodec(${typeName}): format must be 'text' or 'binary'`);
  }
  const schema = definition.schema ?? (isBuiltinSchemaType(typeName) ? 'pg_catalog' : 'public');
  const res = await session.extended({
    sql: 'SELECT t.oid::int8 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = $1 AND n.nspname = $2',
    argsList: [[typeName, schema]],
    rowMode: 'array',
    collectRows: true,
    // The user's own int8 codec (registered earlier) must not decode the OID.
    types: { int8: 'text' },
  }).promise;
  const row = res.rows[0] as [string] | undefined;
  if (row === undefined) throw new InterfaceError(`setTypeCodec: no type "${schema}"."${typeName}"`);
  session.codecs.register(customCodec(definition, { oid: Number(row[0]), name: typeName }));
  session.cache.clear(false);
}

/** Built-in type names are looked up in pg_catalog when no schema is given. */
function isBuiltinSchemaType(name: string): boolean {
  return /^(bool|bytea|char|name|int[248]|text|oid|json|jsonb|xml|float[48]|money|numeric|date|time|timetz|timestamp|timestamptz|interval|uuid|inet|cidr|macaddr8?|bit|varbit|varchar|bpchar|point|line|lseg|box|path|polygon|circle|tsvector|tsquery|pg_lsn)$/.test(name);
}

/** Forgets introspected types and cached statements, so the next query sees schema changes. */
export function reloadSchemaState(session: Session): void {
  session.dropSchemaState();
}

/** Applies the `types` option of connect/createPool to a fresh session. */
export async function applyTypesOption(session: Session, types: Readonly<Record<string, TypeCodecDefinition>>): Promise<void> {
  for (const [name, def] of Object.entries(types)) await setTypeCodec(session, name, def);
}
