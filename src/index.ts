/**
 * pgjet: a native asynchronous PostgreSQL driver for TypeScript on Node.js. Public exports only.
 */
export * from './client/index.js';
export * from './errors/index.js';
export type { ConnectOptions, CustomCodecDefinition, SslMode } from './connection/index.js';
export { Pool, createPool, type PoolEvents, type AcquireOptions, type PoolStats, type LeakInfo, type PoolOptions, type PoolConfig, type ResetOption, type PooledConnection } from './pool/index.js';
export { Range, Interval } from './codecs/index.js';
