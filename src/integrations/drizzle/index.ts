/**
 * `pgjet/drizzle`: Drizzle ORM's PostgreSQL core over pgjet.
 *
 * ```ts
 * import { createPool } from 'pgjet';
 * import { drizzle, migrate } from 'pgjet/drizzle';
 * const db = drizzle(createPool(dsn), { schema });
 * await migrate(db, { migrationsFolder: './drizzle' });
 * ```
 */
export { drizzle, PgjetDatabase } from './driver.js';
export { migrate } from './migrator.js';
export { PgjetPreparedQuery, PgjetSession, PgjetTransaction, type PgjetClient, type PgjetQueryResultHKT, type PgjetSessionOptions } from './session.js';
export { DRIZZLE_TYPES } from './types.js';
