/**
 * Friendly configuration: unknown options are refused with the nearest known name before anything connects,
 * and DATABASE_URL is read when neither a DSN nor a host is given. "Nothing connected" is checked against a
 * plain TCP listener that counts the sockets it receives.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_OPTION_NAMES, POOL_OPTION_NAMES, resolveConfig, type ResolveContext } from '../../../src/connection/config.js';
import { InterfaceError, connect, createPool } from '../../../src/index.js';
import { nearestName } from '../../../src/internal/index.js';

let home: string;
let listener: net.Server;
let port: number;
let accepted = 0;
const ctx = (env: Record<string, string> = {}): ResolveContext => ({ env, homeDir: home, osUser: 'osuser' });

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-friendly-'));
  listener = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as net.AddressInfo).port;
});
afterAll(async () => {
  fs.rmSync(home, { recursive: true, force: true });
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

/** The error `fn` throws or rejects with. */
async function failure(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('unknown options', () => {
  const target = (): { host: string; port: number; user: string; database: string } => ({
    host: '127.0.0.1',
    port,
    user: 'u',
    database: 'd',
  });

  it('createPool({ max: 5 }) throws at once, suggesting maxSize, and opens nothing', async () => {
    const before = accepted;
    const err = await failure(() => createPool({ ...target(), max: 5 } as never));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toMatch(/createPool\(\): unknown option "max".*"maxSize"/);
    expect(accepted).toBe(before);
  });

  it('connect({ connectionString }) says to pass the DSN as the first argument', async () => {
    const before = accepted;
    const err = await failure(() => connect({ connectionString: `postgres://u@127.0.0.1:${port}/d` } as never));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toContain('unknown option "connectionString"');
    expect(err.message).toContain('pass the DSN as the first argument');
    expect(accepted).toBe(before);
  });

  it('a misspelt option names the intended one, in connect() and in createPool()', async () => {
    const cases: [string, string][] = [
      ['comandTimeout', 'commandTimeout'],
      ['statement_cache_size', 'statementCacheSize'],
      ['sevrerSettings', 'serverSettings'],
      ['pasword', 'password'],
      ['keepalive', 'keepAlive'],
    ];
    for (const [wrong, right] of cases) {
      const viaConnect = await failure(() => connect({ ...target(), [wrong]: 1 } as never));
      expect(viaConnect, wrong).toBeInstanceOf(InterfaceError);
      expect(viaConnect.message, wrong).toContain(`connect(): unknown option "${wrong}"; did you mean "${right}"?`);
      const viaPool = await failure(() => createPool({ ...target(), [wrong]: 1 } as never));
      expect(viaPool.message, wrong).toContain(`createPool(): unknown option "${wrong}"; did you mean "${right}"?`);
    }
    expect(await failure(() => createPool({ ...target(), maxSise: 3 } as never))).toHaveProperty(
      'message',
      'createPool(): unknown option "maxSise"; did you mean "maxSize"?',
    );
    expect(accepted).toBe(0);
  });

  it('a pool option given to connect() says it belongs to createPool()', async () => {
    const err = await failure(() => connect({ ...target(), maxSize: 5 } as never));
    expect(err.message).toBe('connect(): unknown option "maxSize"; it is an option of createPool()');
  });

  it('checks the second argument too, and a key set to undefined', async () => {
    expect((await failure(() => connect(`postgres://u@127.0.0.1:${port}/d`, { timeout: 5 } as never))).message).toContain(
      'unknown option "timeout"; use "commandTimeout"',
    );
    expect((await failure(() => createPool(`postgres://u@127.0.0.1:${port}/d`, { idleTimeoutMillis: undefined } as never))).message)
      .toContain('"maxInactiveConnectionLifetime"');
    expect(accepted).toBe(0);
  });

  it('something unlike any option is still refused, without a suggestion', async () => {
    const err = await failure(() => resolveConfig({ zzzqqqxxx: 1 } as never, undefined, ctx()));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toBe('connect(): unknown option "zzzqqqxxx"');
  });

  it('every known option is accepted by name (property: no false refusals)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([...CONNECT_OPTION_NAMES]), async (names) => {
        const options = Object.fromEntries(names.map((name) => [name, undefined]));
        await expect(resolveConfig(options, undefined, ctx())).resolves.toBeDefined();
      }),
      { numRuns: 30 },
    );
  });

  it('the suggestion is the known name itself for any case or separator variant of it', () => {
    const known = [...CONNECT_OPTION_NAMES, ...POOL_OPTION_NAMES];
    fc.assert(
      fc.property(fc.constantFrom(...known), fc.array(fc.boolean(), { maxLength: 40 }), (name, flips) => {
        const variant = [...name].map((ch, i) => (flips[i] ? ch.toUpperCase() : ch.toLowerCase())).join('_');
        expect(nearestName(variant, known)).toBe(name);
      }),
    );
  });
});

describe('DATABASE_URL', () => {
  it('is used when neither a DSN nor a host is given, above the PG* variables', async () => {
    const env = { DATABASE_URL: 'postgres://app:secret@db.example:6543/appdb?sslmode=disable', PGHOST: 'pghost', PGUSER: 'pguser', PGPORT: '7777' };
    const config = await resolveConfig(undefined, undefined, ctx(env));
    expect(config.hosts).toEqual([{ host: 'db.example', port: 6543 }]);
    expect(config).toMatchObject({ user: 'app', password: 'secret', database: 'appdb' });
    expect(config.ssl.mode).toBe('disable');
  });

  it('fills only what the URL leaves out from the PG* variables, and options override it', async () => {
    const env = { DATABASE_URL: 'postgres://db.example/appdb', PGUSER: 'pguser' };
    const config = await resolveConfig({ database: 'other', commandTimeout: 50 }, undefined, ctx(env));
    expect(config).toMatchObject({ user: 'pguser', database: 'other', commandTimeout: 50 });
    expect(config.hosts[0].host).toBe('db.example');
  });

  it('is ignored when a DSN or a host is given', async () => {
    const env = { DATABASE_URL: 'postgres://db.example/appdb', PGHOST: 'pghost' };
    expect((await resolveConfig('postgres://given/x', undefined, ctx(env))).hosts[0].host).toBe('given');
    expect((await resolveConfig({ host: 'explicit' }, undefined, ctx(env))).hosts[0].host).toBe('explicit');
    expect((await resolveConfig(undefined, undefined, ctx({ ...env, DATABASE_URL: '' }))).hosts[0].host).toBe('pghost');
  });

  it('a malformed value is an InterfaceError naming the variable and never the password', async () => {
    for (const url of ['mysql://u:hunter2@h/db', 'postgres://u:hunter2@h:notaport/db', 'postgres://u:hunter2@h/db?sslmode=sometimes']) {
      const err = await failure(() => resolveConfig(undefined, undefined, ctx({ DATABASE_URL: url })));
      expect(err, url).toBeInstanceOf(InterfaceError);
      expect(err.message, url).toMatch(/^the DATABASE_URL environment variable is not a valid PostgreSQL URL: /);
      expect(err.message, url).not.toContain('hunter2');
    }
  });
});
