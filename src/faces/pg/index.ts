/**
 * `pgjet/pg`: node-postgres' API and values on pgjet's engine. Named exports, and a default export shaped like
 * `require('pg')` (so `import pg from 'pgjet/pg'` and `const pg = require('pgjet/pg')` both work).
 */
import { Client } from './client.js';
import { defaults } from './defaults.js';
import { DatabaseError } from './errors.js';
import { escapeIdentifier, escapeLiteral, prepareValue } from './prepare-value.js';
import { Query } from './query.js';
import { Result } from './result.js';
import { TypeOverrides, types } from './types.js';

export { Client, type Notification } from './client.js';
export { installSubmitHandler, submittableHost, type Submittable, type SubmittableHost, type SubmitHandler } from './extension-points.js';
export { defaults, type PgDefaults } from './defaults.js';
export { DatabaseError } from './errors.js';
export { escapeIdentifier, escapeLiteral } from './prepare-value.js';
export { Query, type QueryConfig, type QueryArrayConfig, type QueryCallback } from './query.js';
export { Result, type FieldDef, type QueryResultRow } from './result.js';
export type { QueryResult, QueryArrayResult, QueryResultBase, CustomTypesConfig, TransactionStatus, ConnectionConfig, Defaults } from './type-names.js';
export { TypeOverrides, types, type TypeParser, type TypeFormat, type TypeParserSource } from './types.js';
export { PostgresInterval } from './interval.js';
export type { ClientConfig, ConnectionParameters } from './config.js';

/** pg's `utils`: `prepareValue` is what tools call to render parameters as pg does. */
export const utils = { prepareValue, escapeIdentifier, escapeLiteral };

/**
 * The default export: the object `require('pg')` gives, so `import pg from 'pgjet/pg'` then `pg.Client` works.
 * Every named export that pg has belongs in it (the pool joins it with the pool module).
 */
const pg = { Client, Query, Result, DatabaseError, TypeOverrides, defaults, types, escapeIdentifier, escapeLiteral, utils };
// pg's native bindings are never loaded here; like pg's lazy getter, the property does not enumerate.
Object.defineProperty(pg, 'native', { value: null, enumerable: false });

export default pg;
