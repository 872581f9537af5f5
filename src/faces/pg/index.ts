/**
 * `pgjet/pg`: node-postgres' API and values on pgjet's engine. Named exports, and a default export shaped like
 * `require('pg')` (so `import pg from 'pgjet/pg'` and `const pg = require('pgjet/pg')` both work).
 */
import { Client } from './client.js';
import { defaults } from './defaults.js';
import { DatabaseError, toPgError } from './errors.js';
import { installSubmitHandler } from './extension-points.js';
import { Pool } from './pool.js';
import { escapeIdentifier, escapeLiteral, prepareValue } from './prepare-value.js';
import { Query } from './query.js';
import { Result } from './result.js';
import { runSubmittable } from './submittable-client.js';
import { TypeOverrides, types } from './types.js';

export { Client, type Notification } from './client.js';
export { Pool, type PoolConfig, type PoolClient, type PoolConnectCallback, type ReleaseFunction } from './pool.js';
export { installSubmitHandler, submittableHost, type Submittable, type SubmittableHost, type SubmitHandler } from './extension-points.js';
export { defaults, type PgDefaults } from './defaults.js';
export { DatabaseError } from './errors.js';
export { escapeIdentifier, escapeLiteral } from './prepare-value.js';
export { Query, type QueryConfig, type QueryArrayConfig, type QueryCallback } from './query.js';
export { Result, type FieldDef, type QueryResultRow } from './result.js';
export type { QueryResult, QueryArrayResult, QueryResultBase, CustomTypesConfig, TransactionStatus, ConnectionConfig, Defaults } from './type-names.js';
export { TypeOverrides, types, type TypeParser, type TypeFormat, type TypeParserSource } from './types.js';
export { PostgresInterval } from '../../integrations/shared/pg-interval.js';
export type { ClientConfig, ConnectionParameters } from './config.js';

// `client.query(submittable)` (pg-cursor, pg-query-stream) runs through the submittable module; its
// `query_timeout` is the submittable's own, else the client's.
installSubmitHandler((host, submittable, values, callback) =>
  runSubmittable(
    {
      exclusive: host.exclusive,
      unusableError: host.unusableError,
      typeParsers: host.typeParsers,
      mapError: toPgError,
      queryTimeout: Number((submittable as { query_timeout?: unknown }).query_timeout ?? host.client.connectionParameters.query_timeout) || undefined,
    },
    submittable,
    values,
    callback,
  ),
);

/** pg's `utils`: `prepareValue` is what tools call to render parameters as pg does. */
export const utils = { prepareValue, escapeIdentifier, escapeLiteral };

/**
 * The default export: the object `require('pg')` gives, so `import pg from 'pgjet/pg'` then `pg.Client` works.
 * Every named export that pg has belongs in it.
 */
const pg = { Client, Pool, Query, Result, DatabaseError, TypeOverrides, defaults, types, escapeIdentifier, escapeLiteral, utils };
// pg's native bindings are never loaded here; like pg's lazy getter, the property does not enumerate.
Object.defineProperty(pg, 'native', { value: null, enumerable: false });

export default pg;
