/**
 * Smoke test of the test harness itself, with node-postgres (a dev dependency) so that a failure here points
 * at the harness, not at pgjet: the provided DSN is reachable, and each role gets in by its own method only.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { saslprep } from '../../src/connection/auth/index.js';
import { missing, roleInfo, testConfig, testContext, testDsn, type TestRole } from '../support/env.js';

async function withClient<T>(config: pg.ClientConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('test harness', () => {
  it('provides a reachable superuser DSN to the test database', async () => {
    const ctx = testContext();
    const row = await withClient({ connectionString: testDsn() }, async (c) => {
      const r = await c.query<{ db: string; su: boolean; v: string }>(
        "SELECT current_database() AS db, usesuper AS su, current_setting('server_version_num') AS v FROM pg_user WHERE usename = current_user",
      );
      return r.rows[0];
    });
    expect(row.db).toBe(ctx.database);
    expect(row.su).toBe(true);
    expect(Number(row.v)).toBe(ctx.serverVersionNum);
    expect(testConfig()).toEqual({
      host: ctx.host,
      port: ctx.port,
      user: ctx.user,
      password: ctx.superPassword,
      database: ctx.database,
    });
  });

  it.skipIf(missing('roles'))(`creates the test roles ${missing('roles') ?? ''}`, async () => {
    const names = Object.keys(testContext().roles).sort();
    const found = await withClient({ connectionString: testDsn() }, async (c) => {
      const r = await c.query<{ rolname: string }>(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'pgjet\\_%' ORDER BY rolname",
      );
      return r.rows.map((x) => x.rolname);
    });
    expect(found).toEqual(names);
    expect(names).toEqual(expect.arrayContaining(['pgjet_clear', 'pgjet_md5', 'pgjet_scram', 'pgjet_trust']));
  });

  // pgjet_saslprep is left to pgjet's own tests: node-postgres does not apply SASLprep.
  const plainRoles: TestRole[] = ['pgjet_md5', 'pgjet_clear', 'pgjet_trust', 'pgjet_scram'];
  it.skipIf(missing('roles')).each(plainRoles)('role %s logs in over TCP with its method', async (role) => {
    const info = roleInfo(role);
    const { host, port, database } = testConfig();
    const user = await withClient(
      { host, port, database, user: info.user, password: info.password ?? undefined },
      async (c) => (await c.query<{ u: string }>('SELECT current_user AS u')).rows[0].u,
    );
    expect(user).toBe(role);
  });

  it.skipIf(missing('roles'))('a method-specific role cannot log in with a wrong password', async () => {
    const { host, port, database } = testConfig();
    await expect(withClient({ host, port, database, user: 'pgjet_md5', password: 'wrong' }, async () => 0)).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it.skipIf(missing('roles'))('pgjet_saslprep has a verifier only a SASLprep-ing client can match', async () => {
    // The server ran pg_saslprep() when it stored the SCRAM verifier; recomputing the verifier's StoredKey from
    // pgjet's saslprep() output checks the two agree on a password that SASLprep changes.
    const info = roleInfo('pgjet_saslprep');
    const password = info.password ?? '';
    const verifier = await withClient({ connectionString: testDsn() }, async (c) => {
      const r = await c.query<{ v: string }>('SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1', [info.user]);
      return r.rows[0].v;
    });
    const [, iterations, salt, storedKey] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(verifier) ?? [];
    const stored = (pw: string): string => {
      const salted = pbkdf2Sync(pw, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      return createHash('sha256').update(clientKey).digest('base64');
    };
    expect(stored(saslprep(password))).toBe(storedKey);
    expect(stored(password)).not.toBe(storedKey);
    // And the role logs in (node-postgres applies SASLprep too).
    const { host, port, database } = testConfig();
    expect(await withClient({ host, port, database, user: info.user, password }, async () => 'ok')).toBe('ok');
  });

  it.skipIf(missing('socket'))(`serves the Unix socket ${missing('socket') ?? ''}`, async () => {
    const { port, user, password, database } = testConfig();
    const host = testContext().socketDir;
    const one = await withClient({ host, port, user, password, database }, async (c) => (await c.query('SELECT 1 AS x')).rows[0]);
    expect(one).toEqual({ x: 1 });
  });

  it.skipIf(missing('tls') ?? missing('roles'))(`serves TLS for pgjet_tls only over TLS ${missing('tls') ?? ''}`, async () => {
    const info = roleInfo('pgjet_tls');
    const ctx = testContext();
    const base = { host: 'localhost', port: ctx.port, database: ctx.database, user: info.user, password: info.password ?? undefined };
    const ssl = await withClient({ ...base, ssl: { ca: ctx.tls?.ca } }, async (c) =>
      (await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl,
    );
    expect(ssl).toBe(true);
    await expect(withClient({ ...base, ssl: false }, async () => 0)).rejects.toThrow(/pg_hba\.conf rejects|no pg_hba/);
  });
});
