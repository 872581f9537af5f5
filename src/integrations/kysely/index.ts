/**
 * `pgjet/kysely`: a Kysely dialect over a pgjet pool.
 *
 * ```ts
 * import { Kysely } from 'kysely';
 * import { createPool } from 'pgjet';
 * import { PgjetDialect } from 'pgjet/kysely';
 * const db = new Kysely<DB>({ dialect: new PgjetDialect({ pool: createPool(dsn) }) });
 * ```
 */
export { PgjetDialect, type PgjetDialectConfig } from './dialect.js';
export { PgjetDriver } from './driver.js';
export { PgjetKyselyConnection } from './connection.js';
