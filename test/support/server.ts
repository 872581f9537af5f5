/**
 * The integration-test server: `PGJET_TEST_DSN` when set, otherwise an embedded PostgreSQL 18 prepared with
 * the roles the authentication tests need, each admitted by pg_hba.conf only through its own method:
 *
 * | role | pg_hba.conf method | stored password |
 * |---|---|---|
 * | pgjet_md5 | md5 | MD5 (`password_encryption = md5`) |
 * | pgjet_clear | password (cleartext) | SCRAM |
 * | pgjet_trust | trust | none |
 * | pgjet_scram | scram-sha-256 | SCRAM |
 * | pgjet_saslprep | scram-sha-256 | SCRAM of a non-ASCII password that SASLprep changes |
 * | pgjet_tls | scram-sha-256 over TLS only (hostssl; rejected otherwise) | SCRAM |
 *
 * The superuser keeps initdb's SCRAM rule. Every role may use the `pgjet_test` database and its public schema.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseDsn } from '../../src/connection/config.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import type { PgjetTestContext, TestRole, TestRoleInfo } from './env.js';

export { startEmbeddedServer, freePort, type EmbeddedServer, type EmbeddedServerOptions } from './embedded-server.js';

/** The test database the embedded server creates. */
export const TEST_DATABASE = 'pgjet_test';

/** A started test server: what to provide to the tests, and how to stop it. */
export interface TestServer {
  /** The context tests read with `inject('pgjet')`. */
  context: PgjetTestContext;
  /** Stops the embedded server and removes its directory; does nothing for an external server. */
  stop(): Promise<void>;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The test roles with fresh passwords; `pgjet_tls` only when the server will speak TLS. */
function makeRoles(withTls: boolean): Partial<Record<TestRole, TestRoleInfo>> {
  const secret = (): string => randomBytes(12).toString('hex');
  const role = (user: TestRole, auth: TestRoleInfo['auth'], password: string | null, tlsOnly = false): TestRoleInfo => ({
    user,
    password,
    auth,
    tlsOnly,
  });
  const roles: Partial<Record<TestRole, TestRoleInfo>> = {
    pgjet_md5: role('pgjet_md5', 'md5', secret()),
    pgjet_clear: role('pgjet_clear', 'password', secret()),
    pgjet_trust: role('pgjet_trust', 'trust', null),
    pgjet_scram: role('pgjet_scram', 'scram-sha-256', secret()),
    // ROMAN NUMERAL NINE (NFKC: "IX"), a no-break space (mapped to a space), a soft hyphen (mapped to nothing):
    // only a client that applies SASLprep as the server did can log in.
    pgjet_saslprep: role('pgjet_saslprep', 'scram-sha-256', `\u2168\u00a0p\u00e4ss\u00adw\u00f6rd-${secret()}`),
  };
  if (withTls) roles.pgjet_tls = role('pgjet_tls', 'scram-sha-256', secret(), true);
  return roles;
}

/** pg_hba.conf lines (first match wins) giving each role exactly its method, over TCP and the socket. */
function hbaLines(roles: Partial<Record<TestRole, TestRoleInfo>>): string[] {
  const lines: string[] = [];
  for (const info of Object.values(roles)) {
    if (info.tlsOnly) {
      lines.push(`hostssl all ${info.user} 127.0.0.1/32 ${info.auth}`, `hostssl all ${info.user} ::1/128 ${info.auth}`);
      lines.push(`host all ${info.user} all reject`, `local all ${info.user} reject`);
    } else {
      lines.push(`local all ${info.user} ${info.auth}`);
      lines.push(`host all ${info.user} 127.0.0.1/32 ${info.auth}`, `host all ${info.user} ::1/128 ${info.auth}`);
    }
  }
  return lines;
}

/** Creates the roles (the MD5 one with an MD5-stored password) and lets them use the test database. */
async function createRoles(server: EmbeddedServer, roles: Partial<Record<TestRole, TestRoleInfo>>): Promise<void> {
  const client = new pg.Client({ connectionString: server.dsn });
  client.on('error', () => undefined);
  client.on('notice', () => undefined); // PostgreSQL 18 warns that MD5 passwords are deprecated
  await client.connect();
  try {
    for (const info of Object.values(roles)) {
      const name = client.escapeIdentifier(info.user);
      await client.query(`SET password_encryption = '${info.auth === 'md5' ? 'md5' : 'scram-sha-256'}'`);
      const password = info.password === null ? '' : ` PASSWORD ${client.escapeLiteral(info.password)}`;
      await client.query(`CREATE ROLE ${name} LOGIN${password}`);
      await client.query(`GRANT ALL ON DATABASE ${client.escapeIdentifier(server.database)} TO ${name}`);
      await client.query(`GRANT ALL ON SCHEMA public TO ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function serverVersionNum(dsn: string): Promise<number> {
  const client = new pg.Client({ connectionString: dsn });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Number(result.rows[0].v);
  } finally {
    await client.end();
  }
}

/** Uses the server named by `PGJET_TEST_DSN` as is: no roles, no socket or data directory known. */
async function useExternalServer(dsn: string): Promise<TestServer> {
  const parsed = parseDsn(dsn);
  const password = typeof parsed.password === 'string' ? parsed.password : (process.env.PGPASSWORD ?? '');
  const user = parsed.user ?? process.env.PGUSER ?? 'postgres';
  const context: PgjetTestContext = {
    dsn,
    host: parsed.hosts?.[0] || '127.0.0.1',
    port: parsed.ports?.[0] ?? 5432,
    user,
    superPassword: password,
    database: parsed.database ?? user,
    embedded: false,
    roles: {},
    serverVersionNum: await serverVersionNum(dsn),
  };
  return { context, stop: async () => undefined };
}

/**
 * Starts (or finds) the test server. An embedded server listens on 127.0.0.1 and a Unix socket, speaks TLS
 * when `openssl` is available, and has the roles above and the `pgjet_test` database.
 */
export async function startTestServer(): Promise<TestServer> {
  const external = process.env.PGJET_TEST_DSN;
  if (external) return useExternalServer(external);

  const withTls = hasOpenssl();
  const roles = makeRoles(withTls);
  const server = await startEmbeddedServer({ database: TEST_DATABASE, tls: withTls, hbaLines: hbaLines(roles) });
  try {
    await createRoles(server, roles);
    const context: PgjetTestContext = {
      dsn: server.dsn,
      host: server.host,
      port: server.port,
      user: server.user,
      superPassword: server.password,
      database: server.database,
      socketDir: server.socketDir,
      dataDir: server.dataDir,
      embedded: true,
      roles,
      tls: server.tls,
      serverVersionNum: await serverVersionNum(server.dsn),
    };
    return { context, stop: () => server.stop() };
  } catch (err) {
    await server.stop();
    throw new Error(`preparing the test server failed: ${(err as Error).message}\n--- server log ---\n${server.log()}`, {
      cause: err,
    });
  }
}
