import { applyLibpqParam } from './config-params.js';
import type { ConfigLayer } from './config-types.js';

/** An environment to read: `process.env`, or a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The libpq environment variables pgjet honours, with the parameter each one stands for. The README ("Connecting") lists
 * the first nine; the rest are libpq's own names for the other parameters pgjet supports, so a shell set up for
 * psql works unchanged.
 */
export const ENV_PARAMS: ReadonlyArray<readonly [envName: string, param: string]> = [
  ['PGHOST', 'host'],
  ['PGPORT', 'port'],
  ['PGUSER', 'user'],
  ['PGPASSWORD', 'password'],
  ['PGDATABASE', 'dbname'],
  ['PGSSLMODE', 'sslmode'],
  ['PGAPPNAME', 'application_name'],
  ['PGCONNECT_TIMEOUT', 'connect_timeout'],
  ['PGTARGETSESSIONATTRS', 'target_session_attrs'],
  ['PGPASSFILE', 'passfile'],
  ['PGOPTIONS', 'options'],
  ['PGSSLROOTCERT', 'sslrootcert'],
  ['PGSSLCERT', 'sslcert'],
  ['PGSSLKEY', 'sslkey'],
  ['PGSSLNEGOTIATION', 'sslnegotiation'],
  ['PGCHANNELBINDING', 'channel_binding'],
  ['PGLOADBALANCEHOSTS', 'load_balance_hosts'],
  ['PGCLIENTENCODING', 'client_encoding'],
];

/**
 * Reads the PG* variables into a configuration layer (the lowest-priority source before the password file
 * and built-in defaults). Empty variables count as unset, as they do for libpq's parameters. Invalid values are
 * an `InterfaceError` naming the variable.
 */
export function layerFromEnv(env: Environment): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [name, param] of ENV_PARAMS) {
    const value = env[name];
    if (value !== undefined) applyLibpqParam(layer, param, value, name);
  }
  return layer;
}
