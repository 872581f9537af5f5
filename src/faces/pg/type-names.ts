/**
 * Type names that code written against @types/pg imports from 'pg', given for the face's own types so such
 * imports compile unchanged.
 */
import type { ClientConfig } from './config.js';
import type { PgDefaults } from './defaults.js';
import type { FieldDef, QueryResultRow, Result } from './result.js';
import type { TypeParserSource } from './types.js';

/** A query's result (the face's `Result`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are untyped unless the caller says
export type QueryResult<R extends QueryResultRow = any> = Result<R>;

/** A result with array rows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export type QueryArrayResult<R extends any[] = any[]> = Result<R>;

/** What every result has besides its rows. */
export interface QueryResultBase {
  /** The command tag's verb. */
  command: string;
  /** Rows returned or affected, null when the tag has no count. */
  rowCount: number | null;
  /** The OID an INSERT tag carries. */
  oid: number;
  /** The columns. */
  fields: FieldDef[];
}

/** A query's own parsers (`types` in a query config). */
export type CustomTypesConfig = TypeParserSource;

/** What `client.getTransactionStatus()` gives. */
export type TransactionStatus = 'I' | 'T' | 'E' | null;

/** @types/pg's other name for the client options. */
export type ConnectionConfig = ClientConfig;

/** `pg.defaults`' type. */
export type Defaults = PgDefaults;
