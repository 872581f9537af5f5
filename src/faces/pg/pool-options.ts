/**
 * pg-pool's option handling: the caller's object is copied, secrets in it are kept out of enumeration, and
 * pg-pool's defaults are filled in.
 */
import type { PoolConfig, PoolOptions } from './pool-types.js';

/** The options object as built by the constructor: the caller's copy, with the pool's defaults filled in. */
export function normalise(config: PoolConfig | undefined): PoolOptions {
  const options = { ...config } as PoolOptions;
  // Kept out of enumeration so that logging the pool or a client does not print the secret.
  if (config != null && 'password' in config) {
    Object.defineProperty(options, 'password', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: (config as { password?: unknown }).password,
    });
  }
  const ssl = (options as { ssl?: unknown }).ssl;
  if (ssl !== null && typeof ssl === 'object' && (ssl as { key?: unknown }).key) {
    Object.defineProperty(ssl, 'key', { enumerable: false });
  }
  options.max = options.max || options.poolSize || 10;
  options.min = options.min || 0;
  options.maxUses = options.maxUses || Infinity;
  options.allowExitOnIdle = options.allowExitOnIdle || false;
  options.maxLifetimeSeconds = options.maxLifetimeSeconds || 0;
  if (options.idleTimeoutMillis === undefined) options.idleTimeoutMillis = 10_000;
  return options;
}
