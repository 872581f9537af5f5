/**
 * TLS cases that need a server of their own, with certificates made at test time (test/support/certs.ts):
 * a certificate for `localhost` only (verify-full against 127.0.0.1 must fail), an expired certificate, client
 * certificates with `cert` authentication, `sslrootcert=system`, and `prefer` falling back to plaintext for a
 * role pg_hba.conf admits only without TLS. The server certificate is switched with ALTER SYSTEM and a reload
 * (PostgreSQL re-reads its TLS files on SIGHUP), so one server serves every case.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ConnectionError, DatabaseError, InterfaceError, type Connection } from '../../../src/index.js';
import { TestPki, type CertFiles } from '../../support/certs.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../support/embedded-server.js';

let dir: string;
let server: EmbeddedServer;
let ca: CertFiles;
let localhostOnly: CertFiles;
let expired: CertFiles;
let client: CertFiles;
let strangerClient: CertFiles;
const NOSSL_PASSWORD = 'nossl-password';

function dsn(user: string, host: string, params: Record<string, string>, password?: string): string {
  const auth = password === undefined ? user : `${user}:${encodeURIComponent(password)}`;
  return `postgres://${auth}@${host}:${server.port}/postgres?${new URLSearchParams(params).toString()}`;
}

function superDsn(host: string, params: Record<string, string>): string {
  return dsn(server.user, host, params, server.password);
}

async function failure(promise: Promise<Connection>): Promise<Error> {
  try {
    const conn = await promise;
    await conn.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the connect to fail, but it succeeded');
}

async function sslRow(conn: Connection): Promise<{ ssl: boolean; client_dn: string | null; who: string }> {
  const row = await conn.fetchRow<{ ssl: boolean; client_dn: string | null; who: string }>(
    'SELECT ssl, client_dn, current_user AS who FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
  );
  await conn.close();
  return row as { ssl: boolean; client_dn: string | null; who: string };
}

/** Switches the server's certificate and waits until new sessions get it (the reload is asynchronous). */
async function useServerCertificate(files: CertFiles): Promise<void> {
  const admin = await connect(superDsn('127.0.0.1', { sslmode: 'disable' }));
  try {
    await admin.execute(`ALTER SYSTEM SET ssl_cert_file = '${files.certFile}'`);
    await admin.execute(`ALTER SYSTEM SET ssl_key_file = '${files.keyFile}'`);
    await admin.fetchVal('SELECT pg_reload_conf()');
  } finally {
    await admin.close();
  }
  for (let i = 0; i < 100; i++) {
    const probe = await connect(superDsn('127.0.0.1', { sslmode: 'disable' }));
    const current = await probe.fetchVal<string>('SHOW ssl_cert_file');
    await probe.close();
    if (current === files.certFile) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not reload its certificate');
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-tls-certs-'));
  const pki = new TestPki(dir);
  ca = pki.authority('ca');
  const clientCa = pki.authority('client-ca');
  const strangerCa = pki.authority('stranger-ca');
  localhostOnly = pki.forServer(pki.issue(ca, 'localhost-only', { cn: 'localhost', altNames: ['DNS:localhost'], usage: 'server' }));
  expired = pki.forServer(pki.issue(ca, 'expired', {
    cn: 'localhost', altNames: ['DNS:localhost', 'IP:127.0.0.1'], usage: 'server',
    notBefore: '20200101000000Z', notAfter: '20200102000000Z',
  }));
  client = pki.issue(clientCa, 'client', { cn: 'pgjet_cert', usage: 'client' });
  strangerClient = pki.issue(strangerCa, 'stranger-client', { cn: 'pgjet_cert', usage: 'client' });
  // TLS is switched on by ALTER SYSTEM (not command-line flags, which would outrank it) so tests can swap certificates.
  server = await startEmbeddedServer({
    hbaLines: [
      'hostssl all pgjet_cert 127.0.0.1/32 cert', 'hostssl all pgjet_cert ::1/128 cert', 'host all pgjet_cert all reject',
      'hostnossl all pgjet_nossl 127.0.0.1/32 scram-sha-256', 'hostnossl all pgjet_nossl ::1/128 scram-sha-256',
      'host all pgjet_nossl all reject',
    ],
  });
  const admin = await connect(superDsn('127.0.0.1', { sslmode: 'disable' }));
  await admin.execute(`ALTER SYSTEM SET ssl_ca_file = '${clientCa.certFile}'`);
  await admin.execute('ALTER SYSTEM SET ssl = on');
  await useServerCertificate(localhostOnly);
  await admin.execute('CREATE ROLE pgjet_cert LOGIN');
  await admin.execute(`CREATE ROLE pgjet_nossl LOGIN PASSWORD '${NOSSL_PASSWORD}'`);
  await admin.close();
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('host name verification', () => {
  it('verify-full refuses 127.0.0.1 when the certificate names only localhost, with the reason', async () => {
    const err = await failure(connect(superDsn('127.0.0.1', { sslmode: 'verify-full', sslrootcert: ca.certFile })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/does not match the host name "127\.0\.0\.1"/);
    expect((err as ConnectionError).host).toBe('127.0.0.1');
  });

  it('verify-ca accepts it (chain only), and verify-full accepts the name the certificate carries', async () => {
    expect(await sslRow(await connect(superDsn('127.0.0.1', { sslmode: 'verify-ca', sslrootcert: ca.certFile })))).toMatchObject({ ssl: true });
    expect(await sslRow(await connect(superDsn('localhost', { sslmode: 'verify-full', sslrootcert: ca.certFile })))).toMatchObject({ ssl: true });
  });
});

describe('an expired server certificate', () => {
  beforeAll(async () => {
    await useServerCertificate(expired);
  });
  afterAll(async () => {
    await useServerCertificate(localhostOnly);
  });

  it.each(['verify-ca', 'verify-full'])('is a ConnectionError under %s', async (sslmode) => {
    const err = await failure(connect(superDsn('localhost', { sslmode, sslrootcert: ca.certFile })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/server certificate has expired/);
  });

  it('is accepted by require without a root certificate, which encrypts but verifies nothing (libpq semantics)', async () => {
    expect(await sslRow(await connect(superDsn('localhost', { sslmode: 'require' })))).toMatchObject({ ssl: true });
  });
});

describe('client certificates', () => {
  it('log in with cert authentication (sslcert/sslkey), the role taken from the certificate CN', async () => {
    const row = await sslRow(await connect(dsn('pgjet_cert', 'localhost', {
      sslmode: 'verify-full', sslrootcert: ca.certFile, sslcert: client.certFile, sslkey: client.keyFile,
    })));
    expect(row).toEqual({ ssl: true, client_dn: '/CN=pgjet_cert', who: 'pgjet_cert' });
  });

  it('work as a tls.ConnectionOptions object too', async () => {
    const conn = await connect({
      host: 'localhost', port: server.port, user: 'pgjet_cert', database: 'postgres',
      ssl: { ca: ca.pem, cert: client.pem, key: fs.readFileSync(client.keyFile) },
    });
    expect((await sslRow(conn)).who).toBe('pgjet_cert');
  });

  it('without one, cert authentication is refused by the server', async () => {
    const err = await failure(connect(dsn('pgjet_cert', 'localhost', { sslmode: 'verify-full', sslrootcert: ca.certFile })));
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err.message).toMatch(/certificate/);
  });

  it('one from a CA the server does not trust fails the handshake with a ConnectionError', async () => {
    const err = await failure(connect(dsn('pgjet_cert', 'localhost', {
      sslmode: 'verify-full', sslrootcert: ca.certFile, sslcert: strangerClient.certFile, sslkey: strangerClient.keyFile,
    })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/TLS connection to localhost:\d+ failed: the server refused .*client certificate.*unknown ca/);
  });
});

describe('sslrootcert=system', () => {
  const saved = process.env.SSL_CERT_FILE;
  afterAll(() => {
    if (saved === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved;
  });

  it('verifies against the system store (SSL_CERT_FILE, as OpenSSL reads it) and implies verify-full', async () => {
    process.env.SSL_CERT_FILE = ca.certFile;
    expect(await sslRow(await connect(superDsn('localhost', { sslrootcert: 'system' })))).toMatchObject({ ssl: true });
    const err = await failure(connect(superDsn('127.0.0.1', { sslrootcert: 'system' })));
    expect(err.message).toMatch(/does not match the host name/);
  });

  it("refuses the test CA when it is not in the machine's store, naming the store", async () => {
    delete process.env.SSL_CERT_FILE;
    const err = await failure(connect(superDsn('localhost', { sslrootcert: 'system' })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/not signed by a trusted certificate authority.*system certificate store/);
  });

  it('with a weaker explicit sslmode is an InterfaceError (libpq 16 rule)', async () => {
    await expect(connect(superDsn('localhost', { sslrootcert: 'system', sslmode: 'require' }))).rejects.toBeInstanceOf(InterfaceError);
  });
});

describe('prefer and allow fall back like libpq', () => {
  it('prefer retries without TLS when pg_hba.conf admits the role only without it (hostnossl)', async () => {
    const row = await sslRow(await connect(dsn('pgjet_nossl', '127.0.0.1', { sslmode: 'prefer' }, NOSSL_PASSWORD)));
    expect(row).toMatchObject({ ssl: false, who: 'pgjet_nossl' });
  });

  it('require does not: the server refuses the role over TLS', async () => {
    const err = await failure(connect(dsn('pgjet_nossl', '127.0.0.1', { sslmode: 'require' }, NOSSL_PASSWORD)));
    expect(err).toBeInstanceOf(DatabaseError);
  });
});
