/**
 * The pool module's public surface: other folders import from here, never from the files behind it.
 */
export { Pool, createPool, type PoolEvents, type AcquireOptions } from './pool.js';
export type { PoolStats } from './connection-set.js';
export type { LeakInfo } from './leak.js';
export type { PoolOptions, PoolConfig, ResetOption } from './options.js';
export type { PooledConnection } from './pooled-connection.js';
export type { PoolListenOptions } from './listener.js';
