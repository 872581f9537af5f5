import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool, InsufficientPrivilegeError, type Connection, type Pool } from '../../../src/index.js';
import { buildApp, parseIds } from '../../../examples/fastify-service/app.js';
import { setupServices, type ServiceDsns } from '../../../examples/fastify-service/setup.js';
import { createPgjetStore, createUsersPool } from '../../../examples/fastify-service/store.js';
import { testDsn } from '../../support/env.js';

let dsns: ServiceDsns;
let admin: Connection;
let pool: Pool;
let app: FastifyInstance;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  dsns = await setupServices(testDsn());
  admin = await connect(testDsn());
  await admin.execute('TRUNCATE users_svc.audit_log, users_svc.users RESTART IDENTITY');
  pool = createUsersPool(dsns.users_svc, { minSize: 1, maxSize: 4 });
  const stream = { write: (line: string): void => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  app = buildApp({ store: createPgjetStore(pool), logger: { level: 'info', stream } });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await admin.close();
});

const createUser = (name: string, email: string, actor?: string) =>
  app.inject({ method: 'POST', url: '/users', payload: { name, email }, headers: actor === undefined ? {} : { 'x-actor': actor } });

describe('the service on its own schema', () => {
  it("the pool's sessions run as the service role with only its schema on the search path", async () => {
    expect(await pool.fetchRow('SELECT current_user AS who, current_setting($1) AS path', ['search_path'])).toEqual({ who: 'users_svc', path: 'users_svc' });
  });

  it('a cross-schema join is refused by PostgreSQL: InsufficientPrivilegeError', async () => {
    const err = await pool.fetch('SELECT u.id, i.amount FROM users u JOIN billing_svc.invoices i ON i.user_id = u.id').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientPrivilegeError);
    expect((err as InsufficientPrivilegeError).code).toBe('42501');
    // And the other way round: billing cannot read the users service's tables either.
    const billing = createPool(dsns.billing_svc, { maxSize: 1, serverSettings: { search_path: 'billing_svc' } });
    try {
      await expect(billing.fetch('SELECT * FROM users_svc.users')).rejects.toBeInstanceOf(InsufficientPrivilegeError);
      expect(await billing.fetchVal('SELECT count(*) FROM invoices')).toBe(0n);
    } finally {
      await billing.close();
    }
  });
});

describe('POST /users', () => {
  it('creates the user and its audit-log entry in one transaction', async () => {
    const res = await createUser('Ada', 'ada@example.com', 'admin-console');
    expect(res.statusCode).toBe(201);
    const { user } = res.json<{ user: { id: string; name: string; email: string; createdAt: string } }>();
    expect(user).toMatchObject({ id: '1', name: 'Ada', email: 'ada@example.com' }); // int8 id serialised as a string
    expect(Number.isNaN(Date.parse(user.createdAt))).toBe(false);
    expect(await admin.fetch('SELECT actor, action, user_id, details FROM users_svc.audit_log')).toEqual([
      { actor: 'admin-console', action: 'create_user', user_id: 1n, details: { email: 'ada@example.com' } },
    ]);
  });

  it('a duplicate email is a 409', async () => {
    const res = await createUser('Ada again', 'ada@example.com');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'Conflict', message: 'a user with this email already exists' });
  });

  it('an invalid body is a 400 saying what is wrong', async () => {
    const missing = await app.inject({ method: 'POST', url: '/users', payload: { name: 'No email' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ message: string }>().message).toMatch(/email/);
    const bad = await createUser('', 'not-an-email');
    expect(bad.statusCode).toBe(400);
  });

  it('a database error is a 500 with nothing of the SQL or the values in it; SQLSTATE logged; nothing half-done', async () => {
    await admin.execute("ALTER TABLE users_svc.audit_log ADD CONSTRAINT audit_paused CHECK (action <> 'create_user') NOT VALID");
    try {
      logs.length = 0;
      const res = await createUser('Secret Name', 'secret@example.com');
      expect(res.statusCode).toBe(500);
      const body = res.body;
      expect(res.json()).toEqual({ error: 'Internal Server Error', message: 'the request could not be completed', requestId: expect.any(String) });
      for (const leak of ['INSERT', 'audit_log', 'secret@example.com', 'Secret Name', 'audit_paused', '23514']) expect(body).not.toContain(leak);
      const entry = logs.find((l) => l.msg === 'database error');
      expect(entry).toMatchObject({ sqlstate: '23514', errorClass: 'CheckViolationError', constraint: 'audit_paused' });
      expect(JSON.stringify(logs)).not.toContain('secret@example.com');
      expect(JSON.stringify(logs)).not.toContain('INSERT INTO');
      // The user insert was rolled back with the failed audit insert.
      expect(await admin.fetchVal("SELECT count(*) FROM users_svc.users WHERE email = 'secret@example.com'")).toBe(0n);
    } finally {
      await admin.execute('ALTER TABLE users_svc.audit_log DROP CONSTRAINT audit_paused');
    }
  });
});

describe('GET /users?ids=', () => {
  /** Ids by name (failed inserts above used up identity values, so they are not 2, 3, 4). */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    for (const n of ['Bob', 'Cy', 'Dee']) {
      const res = await createUser(n, `${n.toLowerCase()}@example.com`);
      expect(res.statusCode).toBe(201);
      ids[n] = res.json<{ user: { id: string } }>().user.id;
    }
  });

  it('returns the users with those ids in one query, ordered by id', async () => {
    const res = await app.inject({ method: 'GET', url: `/users?ids=${ids.Cy},1,999` });
    expect(res.statusCode).toBe(200);
    const { users } = res.json<{ users: { id: string; name: string }[] }>();
    expect(users.map((u) => [u.id, u.name])).toEqual([
      ['1', 'Ada'],
      [ids.Cy, 'Cy'],
    ]);
  });

  it('non-numeric, missing, out-of-range or too many ids are a 400 with a clear message', async () => {
    const cases: [string, RegExp][] = [
      ['/users?ids=1,abc', /"abc" is not one/],
      ['/users?ids=1,,2', /positive integers/],
      ['/users?ids=-1', /positive integers/],
      ['/users?ids=9223372036854775808', /positive integers/],
      ['/users', /"ids" is required/],
      [`/users?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, /at most 100/],
    ];
    for (const [url, message] of cases) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ message: string }>().message, url).toMatch(message);
    }
    expect(parseIds(' 4, 5 ')).toEqual({ ids: [4n, 5n] });
  });

  it('works over real HTTP too', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/users?ids=${ids.Bob}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { users: { name: string }[] }).users.map((u) => u.name)).toEqual(['Bob']);
  });
});

describe('GET /health and shutdown', () => {
  it("reports the pool's counters", async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', pool: expect.objectContaining({ minSize: 1, maxSize: 4, borrowed: 0, waiting: 0 }) });
  });

  it('app.close() drains the pool: a query in progress finishes, then the pool closes', async () => {
    const slow = pool.fetchVal<string>("SELECT 'finished'::text FROM pg_sleep(0.3)");
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await app.close();
    expect(await slow).toBe('finished');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(pool.isClosed).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
  });

  it('main.ts: starts on DATABASE_URL, serves, and exits 0 on SIGTERM after draining the pool', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/fastify-service/main.ts'], {
      env: { ...process.env, DATABASE_URL: testDsn(), PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`main.ts exited early (${code}): ${stderr}`)));
    });
    const health = await fetch(`${address}/health`);
    expect(health.status).toBe(200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code, stderr).toBe(0);
    expect(out).toContain('pool drained');
  }, 60_000);
});
