import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseDsn,
  resolveConfig,
  resolvePassword,
  type ResolveContext,
} from '../../../src/connection/config.js';
import { InterfaceError } from '../../../src/errors/base.js';

let home: string;
/** A context with an empty environment and a private home directory, so the machine's settings never leak in. */
const ctx = (env: Record<string, string> = {}): ResolveContext => ({ env, homeDir: home, osUser: 'osuser' });

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-config-'));
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

function writeFile(name: string, text: string, mode = 0o600): string {
  const file = path.join(home, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('parseDsn', () => {
  it('parses user, password, host, port and database', () => {
    expect(parseDsn('postgres://alice:s3cret@db.example.com:6432/shop')).toEqual({
      user: 'alice',
      password: 's3cret',
      hosts: ['db.example.com'],
      ports: [6432],
      database: 'shop',
    });
    expect(parseDsn('postgresql://db')).toEqual({ hosts: ['db'] });
    expect(parseDsn('postgres://')).toEqual({});
  });

  it('percent-decodes every part, keeping + as a plus', () => {
    const dsn = 'postgres://us%40er:p%40ss%2Fw%3Ard+x@h/my%20db?application_name=a%26b+c';
    expect(parseDsn(dsn)).toMatchObject({
      user: 'us@er',
      password: 'p@ss/w:rd+x',
      database: 'my db',
      applicationName: 'a&b+c',
    });
  });

  it('tolerates unencoded @ and / in the password (the user info ends at the last @)', () => {
    expect(parseDsn('postgres://u:p@s/s@h:5433/db')).toMatchObject({ user: 'u', password: 'p@s/s', hosts: ['h'], ports: [5433] });
  });

  it('parses several host:port pairs, IPv6 in brackets, and missing ports', () => {
    expect(parseDsn('postgres://u@h1:5432,h2:5433,[::1]:5434,[fe80::1%25eth0],h5/db')).toMatchObject({
      hosts: ['h1', 'h2', '::1', 'fe80::1%eth0', 'h5'],
      ports: [5432, 5433, 5434, undefined, undefined],
    });
  });

  it('reads Unix-socket directories from the host part or host=', () => {
    expect(parseDsn('postgres://%2Fvar%2Frun%2Fpostgresql/db').hosts).toEqual(['/var/run/postgresql']);
    expect(parseDsn('postgres:///db?host=/var/run/postgresql&port=5433')).toMatchObject({
      hosts: ['/var/run/postgresql'],
      ports: [5433],
      database: 'db',
    });
    // host= overrides the URI's host part, as in libpq.
    expect(parseDsn('postgres://h/db?host=/tmp').hosts).toEqual(['/tmp']);
  });

  it('keeps only a port when the URI names no host, so PGHOST still applies', () => {
    expect(parseDsn('postgres://:6000/db')).toEqual({ ports: [6000], database: 'db' });
  });

  it('reads the libpq query parameters', () => {
    const layer = parseDsn(
      'postgres://h/db?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem&sslnegotiation=direct' +
        '&application_name=app&connect_timeout=10&target_session_attrs=read-write&channel_binding=require' +
        '&load_balance_hosts=random&keepalives=0&keepalives_idle=30&user=bob&password=pw&dbname=other&pgbouncer=true',
    );
    expect(layer).toEqual({
      hosts: ['h'],
      database: 'other',
      sslMode: 'verify-full',
      sslRootCert: '/ca.pem',
      sslCert: '/c.pem',
      sslKey: '/k.pem',
      sslNegotiation: 'direct',
      applicationName: 'app',
      connectTimeout: 10_000,
      targetSessionAttrs: 'read-write',
      channelBinding: 'require',
      loadBalanceHosts: 'random',
      keepAlive: false,
      keepAliveInitialDelay: 30_000,
      user: 'bob',
      password: 'pw',
      pgbouncer: true,
    });
  });

  it('keeps connect_timeout in seconds like libpq: 0 is no limit, 1 becomes 2', () => {
    expect(parseDsn('postgres://h?connect_timeout=0').connectTimeout).toBe(0);
    expect(parseDsn('postgres://h?connect_timeout=1').connectTimeout).toBe(2000);
    expect(() => parseDsn('postgres://h?connect_timeout=1.5')).toThrow(/invalid integer value "1.5" for DSN parameter "connect_timeout"/);
  });

  it('turns options=-c pairs into server settings', () => {
    const layer = parseDsn('postgres://h?options=-c%20search_path%3Dx%5C%20y%20-cstatement_timeout%3D5s%20--lock-timeout%3D1s');
    expect(layer.serverSettings).toEqual({ search_path: 'x y', statement_timeout: '5s', lock_timeout: '1s' });
    expect(() => parseDsn('postgres://h?options=-B%2010')).toThrow(/only "-c name=value"/);
  });

  it('accepts and ignores harmless libpq tuning parameters', () => {
    expect(parseDsn('postgres://h?keepalives_interval=5&sslcompression=0&gssencmode=disable')).toEqual({ hosts: ['h'] });
    expect(() => parseDsn('postgres://h?gssencmode=require')).toThrow(/GSSAPI/);
    expect(() => parseDsn('postgres://h?client_encoding=LATIN1')).toThrow(/UTF8/);
  });

  it('refuses unknown parameters, naming them', () => {
    const err = thrown(() => parseDsn('postgres://h/db?sslmod=require'));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toMatch(/unknown connection parameter "sslmod" in the DSN/);
  });

  it('refuses bad values with a reason', () => {
    expect(() => parseDsn('postgres://h?sslmode=sometimes')).toThrow(/invalid value "sometimes" for DSN parameter "sslmode"/);
    expect(() => parseDsn('mysql://h')).toThrow(/must start with "postgres:\/\/" or "postgresql:\/\/"/);
    expect(() => parseDsn('postgres://h:99999/db')).toThrow(/port "99999" of host entry 1/);
    expect(() => parseDsn('postgres://[::1/db')).toThrow(/missing "]"/);
    expect(() => parseDsn('postgres://h/db?sslmode')).toThrow(/has no "=value"/);
    expect(() => parseDsn('postgres://h/d%zzb')).toThrow(/bad percent-encoding in the database name/);
    expect(() => parseDsn('postgres://h/d%00b')).toThrow(/%00/);
  });

  it('never puts the password in an error message', () => {
    const password = 'Tr0ub4dor';
    const dsns = [
      `postgres://u:${password}%zz@h/db`,
      `postgres://u:${password}?x@h/db`,
      `postgres://u:${password}?sslmode=${password}@h/db`,
      `postgres://u:${password}@h:${password}/db`,
      `postgres://u:x:${password}/@h:port/db`,
      `postgres://u@h/db?password=${password}&bogus=1`,
      `postgres://u@h/db?password=${password}%zz`,
      `postgres://u:${password}/y:x@h/db?sslmode=wrong`,
      `postgres://u:${password}@h/db?user=a@b&sslmode=${password}`,
    ];
    for (const dsn of dsns) {
      const err = thrown(() => parseDsn(dsn));
      expect(err).toBeInstanceOf(InterfaceError);
      expect(err.message, dsn).not.toContain(password);
    }
  });
});

describe('resolveConfig', () => {
  it('applies the defaults', async () => {
    const config = await resolveConfig(undefined, undefined, ctx());
    expect(config).toMatchObject({
      hosts: [{ host: 'localhost', port: 5432 }],
      user: 'osuser',
      database: 'osuser',
      password: undefined,
      connectTimeout: 30_000,
      commandTimeout: undefined,
      cancelTimeout: 10_000,
      statementCacheSize: 100,
      maxCachedStatementLifetime: 300_000,
      maxCacheableStatementSize: 15_360,
      maxMessageSize: 1024 * 1024 * 1024,
      serverSettings: {},
      targetSessionAttrs: 'any',
      loadBalanceHosts: 'disable',
      channelBinding: 'prefer',
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      pgbouncer: false,
      int8: 'bigint',
      types: {},
    });
    expect(config.ssl).toMatchObject({ mode: 'prefer', negotiation: 'postgres', verify: 'none' });
    expect(config.ssl.tlsOptions).toMatchObject({ rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
  });

  it('lets options override the DSN, and merges serverSettings key by key', async () => {
    const config = await resolveConfig(
      'postgres://a:pw@h1:5433/db?application_name=dsn&options=-c%20search_path%3Ds&connect_timeout=5',
      { user: 'b', serverSettings: { application_name: 'opt', work_mem: '8MB' }, connectTimeout: 1234 },
      ctx(),
    );
    expect(config).toMatchObject({
      user: 'b',
      password: 'pw',
      database: 'db',
      hosts: [{ host: 'h1', port: 5433 }],
      connectTimeout: 1234,
      serverSettings: { application_name: 'opt', search_path: 's', work_mem: '8MB' },
    });
  });

  it('merges an options object with overrides', async () => {
    const config = await resolveConfig(
      { host: 'a', serverSettings: { x: '1' } },
      { port: 7000, serverSettings: { y: '2' }, user: undefined },
      ctx({ PGUSER: 'envuser' }),
    );
    expect(config).toMatchObject({ hosts: [{ host: 'a', port: 7000 }], user: 'envuser', serverSettings: { x: '1', y: '2' } });
  });

  it('falls back to the PG* environment for unset fields', async () => {
    const env = {
      PGHOST: 'envhost,/run/pg',
      PGPORT: '6000',
      PGUSER: 'envuser',
      PGPASSWORD: 'envpw',
      PGDATABASE: 'envdb',
      PGSSLMODE: 'disable',
      PGAPPNAME: 'envapp',
      PGCONNECT_TIMEOUT: '7',
      PGTARGETSESSIONATTRS: 'standby',
    };
    const config = await resolveConfig(undefined, undefined, ctx(env));
    expect(config).toMatchObject({
      hosts: [
        { host: 'envhost', port: 6000 },
        { host: '/run/pg', port: 6000, socketPath: '/run/pg/.s.PGSQL.6000' },
      ],
      user: 'envuser',
      password: 'envpw',
      database: 'envdb',
      connectTimeout: 7000,
      targetSessionAttrs: 'standby',
      serverSettings: { application_name: 'envapp' },
    });
    expect(config.ssl.mode).toBe('disable');
    const dsnWins = await resolveConfig('postgres://u@dsnhost/db?sslmode=require&application_name=d', undefined, ctx(env));
    expect(dsnWins).toMatchObject({ hosts: [{ host: 'dsnhost', port: 6000 }], user: 'u', database: 'db' });
    expect(dsnWins.serverSettings.application_name).toBe('d');
    expect(dsnWins.ssl.mode).toBe('require');
    await expect(resolveConfig(undefined, undefined, ctx({ PGSSLMODE: 'bogus' }))).rejects.toThrow(/PGSSLMODE/);
  });

  it('pairs hosts and ports like libpq', async () => {
    const hosts = (await resolveConfig({ host: ['a', 'b'], port: 6000 }, undefined, ctx())).hosts;
    expect(hosts).toEqual([
      { host: 'a', port: 6000 },
      { host: 'b', port: 6000 },
    ]);
    const mixed = (await resolveConfig('postgres://a:1,b,:3/db', undefined, ctx())).hosts;
    expect(mixed).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 5432 },
      { host: 'localhost', port: 3 },
    ]);
    await expect(resolveConfig({ host: ['a', 'b', 'c'], port: [1, 2] }, undefined, ctx())).rejects.toThrow(
      /could not match 2 port numbers to 3 hosts/,
    );
  });

  it('makes socket paths from directories', async () => {
    const config = await resolveConfig({ host: '/var/run/postgresql/', port: 5433 }, undefined, ctx());
    expect(config.hosts).toEqual([
      { host: '/var/run/postgresql/', port: 5433, socketPath: '/var/run/postgresql/.s.PGSQL.5433' },
    ]);
  });

  it('uses fallback_application_name only when no application name is set', async () => {
    const fb = await resolveConfig('postgres://h?fallback_application_name=fb', undefined, ctx());
    expect(fb.serverSettings.application_name).toBe('fb');
    const env = await resolveConfig('postgres://h?fallback_application_name=fb', undefined, ctx({ PGAPPNAME: 'e' }));
    expect(env.serverSettings.application_name).toBe('e');
  });

  it('validates options', async () => {
    await expect(resolveConfig({ port: 0 }, undefined, ctx())).rejects.toThrow(/port must be an integer from 1 to 65535/);
    await expect(resolveConfig({ statementCacheSize: -1 }, undefined, ctx())).rejects.toThrow(/statementCacheSize/);
    await expect(resolveConfig({ ssl: 'maybe' as never }, undefined, ctx())).rejects.toThrow(/ssl must be one of/);
    await expect(resolveConfig({ host: [] }, undefined, ctx())).rejects.toThrow(InterfaceError);
    await expect(resolveConfig({ cancelTimeout: 0 }, undefined, ctx())).rejects.toThrow(/cancelTimeout must be a number >= 1/);
    await expect(resolveConfig({ maxMessageSize: 4 }, undefined, ctx())).rejects.toThrow(/maxMessageSize must be an integer from 5/);
    expect((await resolveConfig({ cancelTimeout: 250, maxMessageSize: 4096 }, undefined, ctx()))).toMatchObject({ cancelTimeout: 250, maxMessageSize: 4096 });
    await expect(resolveConfig({ serverSettings: { client_encoding: 'LATIN1' } }, undefined, ctx())).rejects.toThrow(/UTF8/);
    await expect(resolveConfig({ serverSettings: { DateStyle: 'German' } }, undefined, ctx())).rejects.toThrow(/ISO/);
    await expect(resolveConfig({ ssl: 'disable', channelBinding: 'require' }, undefined, ctx())).rejects.toThrow(/needs TLS/);
  });

  it('keeps a password function and calls it per connect', async () => {
    let calls = 0;
    const config = await resolveConfig({ password: () => Promise.resolve(`pw${++calls}`) }, undefined, ctx());
    expect(await resolvePassword(config, config.hosts[0])).toBe('pw1');
    expect(await resolvePassword(config, config.hosts[0])).toBe('pw2');
  });

  describe('TLS', () => {
    it('reads sslmode semantics', async () => {
      const verifyCa = await resolveConfig({ ssl: 'verify-ca' }, undefined, ctx());
      expect(verifyCa.ssl.verify).toBe('ca');
      expect(verifyCa.ssl.tlsOptions.rejectUnauthorized).toBe(true);
      expect(verifyCa.ssl.tlsOptions.checkServerIdentity?.('x', {} as never)).toBeUndefined();
      const full = await resolveConfig({ ssl: 'verify-full' }, undefined, ctx());
      expect(full.ssl).toMatchObject({ verify: 'full', tlsOptions: { rejectUnauthorized: true } });
      expect(full.ssl.tlsOptions.checkServerIdentity).toBeUndefined();
    });

    it('treats a tls.ConnectionOptions object as verify-full', async () => {
      const config = await resolveConfig('postgres://h?sslmode=disable', { ssl: { ca: 'PEM', servername: 'x' } }, ctx());
      expect(config.ssl).toMatchObject({ mode: 'verify-full', verify: 'full', tlsOptions: { ca: 'PEM', servername: 'x' } });
      const lax = await resolveConfig({ ssl: { rejectUnauthorized: false } }, undefined, ctx());
      expect(lax.ssl).toMatchObject({ mode: 'require', verify: 'none' });
    });

    it('reads root, client certificate and key files; a root certificate makes require verify the chain', async () => {
      const ca = writeFile('certs/ca.pem', 'CA');
      const cert = writeFile('certs/client.pem', 'CERT');
      const key = writeFile('certs/client.key', 'KEY');
      const config = await resolveConfig(
        `postgres://h?sslmode=require&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}&sslpassword=pp`,
        undefined,
        ctx(),
      );
      expect(config.ssl.verify).toBe('ca');
      expect(String(config.ssl.tlsOptions.ca)).toBe('CA');
      expect(String(config.ssl.tlsOptions.cert)).toBe('CERT');
      expect(String(config.ssl.tlsOptions.key)).toBe('KEY');
      expect(config.ssl.tlsOptions.passphrase).toBe('pp');
      await expect(resolveConfig(`postgres://h?sslmode=require&sslcert=${cert}&sslkey=/nope`, undefined, ctx())).rejects.toThrow(
        /present but its key/,
      );
      await expect(resolveConfig('postgres://h?sslmode=verify-ca&sslrootcert=/nope.pem', undefined, ctx())).rejects.toThrow(
        /does not exist/,
      );
      // For weaker modes a missing explicit root certificate only means "no verification", as in libpq.
      expect((await resolveConfig('postgres://h?sslmode=require&sslrootcert=/nope.pem', undefined, ctx())).ssl.verify).toBe('none');
    });

    it('picks up ~/.postgresql/root.crt by default', async () => {
      const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-home-'));
      try {
        fs.mkdirSync(path.join(otherHome, '.postgresql'));
        fs.writeFileSync(path.join(otherHome, '.postgresql', 'root.crt'), 'HOMECA');
        const config = await resolveConfig({ ssl: 'prefer' }, undefined, { env: {}, homeDir: otherHome, osUser: 'u' });
        expect(config.ssl.verify).toBe('ca');
        expect(String(config.ssl.tlsOptions.ca)).toBe('HOMECA');
      } finally {
        fs.rmSync(otherHome, { recursive: true, force: true });
      }
    });

    it('applies sslrootcert=system and sslnegotiation=direct rules', async () => {
      // The system store: OpenSSL's SSL_CERT_FILE when set (else the distribution bundle), never Node's own list.
      const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
      const bundle = writeFile('system-bundle.pem', `junk\n${pem}\n`);
      const system = await resolveConfig('postgres://h?sslrootcert=system', undefined, ctx({ SSL_CERT_FILE: bundle }));
      expect(system.ssl).toMatchObject({ mode: 'verify-full', verify: 'full', rootSource: 'system' });
      expect(system.ssl.tlsOptions.ca).toEqual([pem]);
      await expect(
        resolveConfig('postgres://h?sslrootcert=system', undefined, ctx({ SSL_CERT_FILE: writeFile('empty.pem', '') })),
      ).rejects.toThrow(/SSL_CERT_FILE .* holds no certificate/);
      const machine = await resolveConfig('postgres://h?sslrootcert=system', undefined, ctx());
      expect((machine.ssl.tlsOptions.ca as string[]).length).toBeGreaterThan(0);
      await expect(resolveConfig('postgres://h?sslrootcert=system&sslmode=require', undefined, ctx())).rejects.toThrow(
        /sslrootcert=system/,
      );
      await expect(resolveConfig('postgres://h?sslnegotiation=direct', undefined, ctx())).rejects.toThrow(
        /sslnegotiation=direct/,
      );
      const direct = await resolveConfig('postgres://h?sslnegotiation=direct&sslmode=require', undefined, ctx());
      expect(direct.ssl.negotiation).toBe('direct');
    });
  });
});
