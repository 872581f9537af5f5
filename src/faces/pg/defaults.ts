/**
 * `pg.defaults`: the settings node-postgres falls back to after the client's options and the PG* environment
 * variables. Writable, as in pg: code sets `pg.defaults.parseInputDatesAsUTC = true` and the like.
 */
import { setTypeParser, getTypeParser } from './types.js';
import { defaultTextParsers } from './types.js';

/** The shape of `pg.defaults`. */
export interface PgDefaults {
  host: string;
  user: string | undefined;
  database: string | undefined;
  password: string | null;
  connectionString: string | undefined;
  port: number;
  rows: number;
  binary: boolean;
  max: number;
  idleTimeoutMillis: number;
  client_encoding: string;
  ssl: boolean;
  application_name: string | undefined;
  fallback_application_name: string | undefined;
  options: string | undefined;
  parseInputDatesAsUTC: boolean;
  statement_timeout: number | false;
  lock_timeout: number | false;
  idle_in_transaction_session_timeout: number | false;
  query_timeout: number | false;
  connect_timeout: number;
  keepalives: number;
  keepalives_idle: number;
  /** Setting it true makes int8 (and int8[]) parse as numbers, as pg's `defaults.parseInt8` does. */
  parseInt8?: boolean;
}

const values: PgDefaults = {
  host: 'localhost',
  user: process.platform === 'win32' ? process.env.USERNAME : process.env.USER,
  database: undefined,
  password: null,
  connectionString: undefined,
  port: 5432,
  rows: 0,
  binary: false,
  max: 10,
  idleTimeoutMillis: 30000,
  client_encoding: '',
  ssl: false,
  application_name: undefined,
  fallback_application_name: undefined,
  options: undefined,
  parseInputDatesAsUTC: false,
  statement_timeout: false,
  lock_timeout: false,
  idle_in_transaction_session_timeout: false,
  query_timeout: false,
  connect_timeout: 0,
  keepalives: 1,
  keepalives_idle: 0,
};

Object.defineProperty(values, 'parseInt8', {
  enumerable: false,
  set(on: boolean) {
    setTypeParser(20, 'text', on ? getTypeParser(23, 'text') : (defaultTextParsers.get(20) as (t: string) => unknown));
    setTypeParser(1016, 'text', on ? getTypeParser(1007, 'text') : (defaultTextParsers.get(1016) as (t: string) => unknown));
  },
});

/** `pg.defaults`. */
export const defaults: PgDefaults = values;
