/**
 * Typed access, from test files, to the server the global setup started (or found in `PGJET_TEST_DSN`).
 *
 * ```ts
 * import { testDsn, testConfig, roleDsn, missing } from '../support/env.js';
 * const conn = await connect(testDsn());
 * describe.skipIf(missing('tls'))(`TLS ${missing('tls') ?? ''}`, () => { … });
 * ```
 */
import { inject } from 'vitest';

/** Roles the harness creates, each reachable only by its authentication method (see server.ts). */
export type TestRole = 'pgjet_md5' | 'pgjet_clear' | 'pgjet_trust' | 'pgjet_scram' | 'pgjet_saslprep' | 'pgjet_tls';

/** How to log in as one test role. */
export interface TestRoleInfo {
  /** The role name. */
  user: string;
  /** Its password; null for the trust role. */
  password: string | null;
  /** The pg_hba.conf method the server applies to it over TCP and the Unix socket. */
  auth: 'md5' | 'password' | 'trust' | 'scram-sha-256';
  /** True when pg_hba.conf admits it only over TLS (hostssl). */
  tlsOnly: boolean;
}

/** What the global setup provides under the key `pgjet`. */
export interface PgjetTestContext {
  /** Superuser DSN over TCP to the test database. */
  dsn: string;
  /** TCP host, `127.0.0.1` for the embedded server. */
  host: string;
  /** TCP port (also names the Unix socket). */
  port: number;
  /** Superuser name. */
  user: string;
  /** Superuser password. */
  superPassword: string;
  /** The test database (`pgjet_test` on the embedded server). */
  database: string;
  /** Unix-socket directory; undefined with an external server. */
  socketDir?: string;
  /** Data directory (pg_hba.conf, postgresql.conf); undefined with an external server. */
  dataDir?: string;
  /** True when the harness started the server itself (false with `PGJET_TEST_DSN`). */
  embedded: boolean;
  /** Roles by name; empty with an external server, whose pg_hba.conf the harness cannot arrange. */
  roles: Partial<Record<TestRole, TestRoleInfo>>;
  /** The CA that signed the server's certificate, when the server speaks TLS (embedded server only). */
  tls?: { caFile: string; ca: string };
  /** PostgreSQL's `server_version_num`, e.g. 180001. */
  serverVersionNum: number;
}

declare module 'vitest' {
  /** Values the global setup provides to tests (`inject('pgjet')`). */
  export interface ProvidedContext {
    pgjet: PgjetTestContext;
  }
}

/** The whole provided context. */
export function testContext(): PgjetTestContext {
  return inject('pgjet');
}

/** The superuser DSN to the test database. */
export function testDsn(): string {
  return inject('pgjet').dsn;
}

/** The superuser's connection settings as an options object (spread it into `connect()`). */
export function testConfig(): { host: string; port: number; user: string; password: string; database: string } {
  const ctx = inject('pgjet');
  return { host: ctx.host, port: ctx.port, user: ctx.user, password: ctx.superPassword, database: ctx.database };
}

/** The login details of a test role; throws when the harness has not created it (external server). */
export function roleInfo(role: TestRole | (string & {})): TestRoleInfo {
  const info = inject('pgjet').roles[role as TestRole];
  if (info === undefined) {
    throw new Error(`test role ${role} does not exist on this server (${missing('roles') ?? 'unknown role'})`);
  }
  return info;
}

/**
 * A DSN logging in as a test role, over TCP to the test database, password percent-encoded. `params` are
 * appended as the query string (e.g. `{ sslmode: 'disable' }`).
 */
export function roleDsn(role: TestRole | (string & {}), params: Record<string, string> = {}): string {
  const ctx = inject('pgjet');
  const info = roleInfo(role);
  const auth = info.password === null ? info.user : `${info.user}:${encodeURIComponent(info.password)}`;
  const query = new URLSearchParams(params).toString();
  const host = ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host;
  return `postgres://${auth}@${host}:${ctx.port}/${encodeURIComponent(ctx.database)}${query ? `?${query}` : ''}`;
}

/**
 * True when the server is older than PostgreSQL `major`: the condition of `it.skipIf` for a case that needs a
 * newer server's feature (state the version in the test name, e.g. "(PostgreSQL 14+)").
 */
export function serverOlderThan(major: number): boolean {
  return inject('pgjet').serverVersionNum < major * 10000;
}

/**
 * Why a feature is unavailable on this server, or undefined when it is there: use it as the condition and the
 * stated reason of `describe.skipIf` / `it.skipIf`, so a skipped suite always says why.
 */
export function missing(feature: 'roles' | 'tls' | 'socket' | 'dataDir'): string | undefined {
  const ctx = inject('pgjet');
  const external = 'the server comes from PGJET_TEST_DSN, which the harness does not configure';
  switch (feature) {
    case 'roles':
      return Object.keys(ctx.roles).length > 0 ? undefined : `skipped: no test roles, ${external}`;
    case 'tls':
      return ctx.tls ? undefined : `skipped: no TLS, ${ctx.embedded ? 'openssl was not available' : external}`;
    case 'socket':
      return ctx.socketDir ? undefined : `skipped: no known Unix socket, ${external}`;
    case 'dataDir':
      return ctx.dataDir ? undefined : `skipped: no data directory access, ${external}`;
  }
}
