/**
 * TLS with libpq's sslmode semantics against the harness server (TLS on, certificate for localhost/127.0.0.1
 * signed by a throwaway CA): what each mode does, that encryption is real (`pg_stat_ssl`), that verification
 * failures and a server without TLS are `ConnectionError`s with the reason (never a plaintext fallback), SNI,
 * and `sslnegotiation=direct`. Certificates needing their own server are in tls-certs.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ConnectionError, DatabaseError, type Connection, type ConnectOptions } from '../../../src/index.js';
import { TestPki, type CertFiles } from '../../support/certs.js';
import { missing, roleDsn, roleInfo, testConfig, testContext } from '../../support/env.js';
import { startFakeServer, type FakeServer } from '../../support/fake-server.js';
import { startTlsFront, type TlsFront } from '../../support/tls-front.js';

/** This session's row of pg_stat_ssl: whether the server sees TLS, and the protocol version. */
async function sslStatus(conn: Connection): Promise<{ ssl: boolean; version: string | null }> {
  const row = await conn.fetchRow<{ ssl: boolean; version: string | null }>(
    'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
  );
  if (row === null) throw new Error('no pg_stat_ssl row for this backend');
  return row;
}

async function statusWith(options: ConnectOptions, dsn?: string): Promise<{ ssl: boolean; version: string | null }> {
  const conn = dsn === undefined ? await connect({ ...testConfig(), ...options }) : await connect(dsn, options);
  try {
    return await sslStatus(conn);
  } finally {
    await conn.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    await (outcome.value as Connection).close();
    throw new Error('expected the connect to fail, but it succeeded');
  }
  return outcome.error as Error;
}

describe.skipIf(missing('tls'))(`sslmode against a TLS server ${missing('tls') ?? ''}`, () => {
  let caFile: string;
  beforeAll(() => {
    caFile = (testContext().tls as { caFile: string }).caFile;
  });

  it('disable speaks plaintext', async () => {
    expect(await statusWith({ ssl: 'disable' })).toMatchObject({ ssl: false });
  });

  it('allow speaks plaintext when the server takes it', async () => {
    expect(await statusWith({ ssl: 'allow' })).toMatchObject({ ssl: false });
  });

  it('allow retries with TLS when pg_hba.conf admits the role only over TLS (hostssl)', async () => {
    expect(await statusWith({ ssl: 'allow' }, roleDsn('pgjet_tls'))).toMatchObject({ ssl: true });
    // The same role with TLS disabled is refused by the server's pg_hba.conf.
    await expect(connect(roleDsn('pgjet_tls', { sslmode: 'disable' }))).rejects.toBeInstanceOf(DatabaseError);
  });

  it('prefer (the default) encrypts when the server offers TLS', async () => {
    expect(await statusWith({})).toMatchObject({ ssl: true });
    expect(await statusWith({ ssl: 'prefer' })).toMatchObject({ ssl: true });
  });

  it('require encrypts, shown by pg_stat_ssl, without verifying the certificate', async () => {
    const status = await statusWith({ ssl: 'require' });
    expect(status.ssl).toBe(true);
    expect(status.version).toMatch(/^TLSv1\.[23]$/);
  });

  it('verify-ca checks the chain (not the name); verify-full checks both, for names and addresses', async () => {
    expect(await statusWith({ host: '127.0.0.1' }, roleDsn('pgjet_tls', { sslmode: 'verify-ca', sslrootcert: caFile }))).toMatchObject({ ssl: true });
    for (const host of ['localhost', '127.0.0.1']) {
      expect(await statusWith({ host, ssl: 'verify-full' }, roleDsn('pgjet_tls', { sslrootcert: caFile }))).toMatchObject({ ssl: true });
    }
  });

  it('a tls.ConnectionOptions object means verify-full with those options', async () => {
    expect(await statusWith({ host: 'localhost', ssl: { ca: fs.readFileSync(caFile) } })).toMatchObject({ ssl: true });
  });

  it('verify-full and verify-ca refuse a certificate from an unknown CA with a ConnectionError saying so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-unknown-ca-'));
    try {
      const stranger = new TestPki(dir).authority('stranger');
      for (const sslmode of ['verify-ca', 'verify-full']) {
        const err = await failure(connect(roleDsn('pgjet_tls', { sslmode, sslrootcert: stranger.certFile })));
        expect(err).toBeInstanceOf(ConnectionError);
        expect(err.message).toMatch(/not signed by a trusted certificate authority/);
        expect(err.message).toMatch(/sslrootcert/);
        expect(err.message).toContain(`${testConfig().host}:${testConfig().port}`);
      }
      // With no root certificate at all, Node's public roots are used, and they do not know the test CA either.
      const err = await failure(connect({ ...testConfig(), ssl: 'verify-full' }));
      expect(err.message).toMatch(/not signed by a trusted certificate authority.*built-in root certificates/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a server without TLS', () => {
  let fake: FakeServer;
  beforeAll(async () => {
    fake = await startFakeServer(async (session) => {
      await session.acceptStartup({ params: { in_hot_standby: 'off', default_transaction_read_only: 'off' } });
      await session.expect('Terminate');
      session.end();
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it.each(['require', 'verify-ca', 'verify-full'] as const)('is a ConnectionError under %s, and nothing is sent in plaintext', async (ssl) => {
    const before = fake.sessions.length;
    const err = await failure(connect({ host: fake.host, port: fake.port, user: 'u', database: 'd', ssl }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(new RegExp(`does not support TLS, but sslmode is ${ssl}`));
    const session = fake.sessions[before];
    await session.closed;
    // Only the SSLRequest: no StartupMessage (which carries the user name) ever went out unencrypted.
    expect(session.received.map((m) => m.type)).toEqual(['SSLRequest']);
  });

  it('is used in plaintext under prefer, as libpq does', async () => {
    const conn = await connect({ host: fake.host, port: fake.port, user: 'u', database: 'd', ssl: 'prefer' });
    expect(conn.getSetting('server_version')).toBe('18.4');
    await conn.close();
  });
});

describe.skipIf(missing('tls'))('SNI and direct TLS negotiation', () => {
  let dir: string;
  let serverCert: CertFiles;
  const fronts: TlsFront[] = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-sni-'));
    const pki = new TestPki(dir);
    const ca = pki.authority('ca');
    serverCert = pki.issue(ca, 'front', { cn: 'localhost', altNames: ['DNS:localhost', 'IP:127.0.0.1'], usage: 'server' });
  });
  afterAll(async () => {
    for (const front of fronts) await front.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function front(negotiation: 'postgres' | 'direct', alpnProtocols?: string[]): Promise<TlsFront> {
    const started = await startTlsFront({
      backendPort: testConfig().port,
      cert: fs.readFileSync(serverCert.certFile),
      key: fs.readFileSync(serverCert.keyFile),
      negotiation,
      alpnProtocols,
    });
    fronts.push(started);
    return started;
  }

  it('sends the host name as SNI, and no SNI for an IP address (RFC 6066)', async () => {
    const f = await front('postgres', ['postgresql']);
    for (const host of ['localhost', '127.0.0.1']) {
      const conn = await connect({ ...testConfig(), host, port: f.port, ssl: 'require' });
      expect(await conn.fetchVal('SELECT 1')).toBe(1);
      await conn.close();
    }
    expect(f.handshakes.map((h) => h.servername)).toEqual(['localhost', false]);
    expect(f.handshakes.every((h) => h.alpnProtocol === 'postgresql')).toBe(true);
  });

  const direct = testContext().serverVersionNum >= 170000;
  it.skipIf(!direct)(`sslnegotiation=direct connects with ALPN "postgresql" ${direct ? '' : '(skipped: the server is older than PostgreSQL 17)'}`, async () => {
    const caFile = (testContext().tls as { caFile: string }).caFile;
    for (const sslmode of ['require', 'verify-full']) {
      const dsn = roleDsn('pgjet_tls', { sslmode, sslnegotiation: 'direct', sslrootcert: caFile });
      expect(await statusWith({ host: 'localhost' }, dsn)).toMatchObject({ ssl: true });
    }
    expect(roleInfo('pgjet_tls').tlsOnly).toBe(true);
  });

  it('sslnegotiation=direct refuses a TLS peer that does not agree to ALPN "postgresql"', async () => {
    const f = await front('direct');
    const dsn = `postgres://${testConfig().user}@127.0.0.1:${f.port}/x?sslmode=require&sslnegotiation=direct`;
    const refused = await failure(connect(dsn, { password: testConfig().password }));
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused.message).toMatch(/did not agree to ALPN protocol "postgresql"/);
  });
});
