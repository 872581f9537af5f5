/**
 * SCRAM-SHA-256-PLUS (tls-server-end-point channel binding). PostgreSQL has no view showing which mechanism a
 * session used, so binding is shown by its effects:
 * - `channelBinding: 'require'` succeeds over TLS and fails (AuthenticationError) where no binding is possible:
 *   plaintext, trust and MD5 roles;
 * - a man in the middle terminating TLS with its own certificate (test/support/tls-front.ts) is caught: relaying
 *   to a server over TLS, the server rejects the client's binding (it bound to the middle's certificate); relaying
 *   in plaintext, the server cannot offer -PLUS and `require` refuses the downgrade;
 * - the fake server, behind the same front, offers only SCRAM-SHA-256: `require` sends nothing, `prefer` says
 *   with the gs2 flag `y` that it could have bound (so a real server offering -PLUS would detect the downgrade).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, connect, DatabaseError, InterfaceError, type Connection } from '../../../src/index.js';
import { serverSide } from '../../../src/protocol/index.js';
import { TestPki } from '../../support/certs.js';
import { missing, roleDsn, testConfig, testContext } from '../../support/env.js';
import { parseSASLInitialResponse, startFakeServer, type FakeServer } from '../../support/fake-server.js';
import { startTlsFront, type TlsFront } from '../../support/tls-front.js';

async function failure(promise: Promise<Connection>): Promise<Error> {
  try {
    const conn = await promise;
    await conn.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the connect to fail, but it succeeded');
}

let dir: string;
let cert: { cert: Buffer; key: Buffer };
const fronts: TlsFront[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-cb-'));
  const pki = new TestPki(dir);
  const files = pki.issue(pki.authority('mitm-ca'), 'mitm', { cn: 'localhost', altNames: ['IP:127.0.0.1'], usage: 'server' });
  cert = { cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile) };
});
afterAll(async () => {
  for (const front of fronts) await front.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function front(backendPort: number, backendTls: boolean): Promise<TlsFront> {
  const started = await startTlsFront({ backendPort, ...cert, backendTls, alpnProtocols: ['postgresql'] });
  fronts.push(started);
  return started;
}

describe.skipIf(missing('tls') ?? missing('roles'))(`channel binding against the server ${missing('tls') ?? missing('roles') ?? ''}`, () => {
  it("'require' logs in over TLS with SCRAM-SHA-256-PLUS", async () => {
    for (const role of ['pgjet_scram', 'pgjet_tls']) {
      const conn = await connect(roleDsn(role, { sslmode: 'require', channel_binding: 'require' }));
      expect(await conn.fetchVal('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).toBe(true);
      await conn.close();
    }
    const conn = await connect({ ...testConfig(), ssl: 'verify-full', host: 'localhost', channelBinding: 'require' }, {
      ssl: { ca: (testContext().tls as { ca: string }).ca },
    });
    await conn.close();
  });

  it("'require' without TLS is refused: before connecting (sslmode=disable) or by the client (no certificate to bind to)", async () => {
    await expect(connect(roleDsn('pgjet_scram', { sslmode: 'disable', channel_binding: 'require' }))).rejects.toBeInstanceOf(InterfaceError);
    const err = await failure(connect(roleDsn('pgjet_scram', { sslmode: 'allow', channel_binding: 'require' })));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/no TLS server certificate to bind to/);
  });

  it("'require' refuses roles whose method cannot bind (trust, MD5, cleartext) even over TLS", async () => {
    for (const role of ['pgjet_trust', 'pgjet_md5', 'pgjet_clear']) {
      const err = await failure(connect(roleDsn(role, { sslmode: 'require', channel_binding: 'require' })));
      expect(err, role).toBeInstanceOf(AuthenticationError);
      expect(err.message).toMatch(/channel binding is required/);
    }
  });

  it("'prefer' and 'disable' log in over TLS as usual", async () => {
    for (const channel_binding of ['prefer', 'disable']) {
      const conn = await connect(roleDsn('pgjet_scram', { sslmode: 'require', channel_binding }));
      await conn.close();
    }
  });

  it('a TLS-terminating man in the middle relaying over TLS is caught by the server when the client binds', async () => {
    const mitm = await front(testConfig().port, true);
    const through = (channel_binding: string): Promise<Connection> =>
      connect(roleDsn('pgjet_scram', { sslmode: 'require', channel_binding }), { port: mitm.port });
    for (const mode of ['require', 'prefer']) {
      // The client signed the middle's certificate hash; the server compares it with its own certificate's.
      const err = await failure(through(mode));
      expect(err, mode).toBeInstanceOf(DatabaseError);
      expect(err.message).toMatch(/channel binding/i);
    }
    // Without binding nothing ties the SCRAM proof to the TLS session, so the relay goes unnoticed.
    await (await through('disable')).close();
  });

  it('a man in the middle relaying in plaintext cannot offer -PLUS, which require refuses as a downgrade', async () => {
    const mitm = await front(testConfig().port, false);
    const err = await failure(connect(roleDsn('pgjet_scram', { sslmode: 'require', channel_binding: 'require' }), { port: mitm.port }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/did not offer SCRAM-SHA-256-PLUS/);
  });
});

describe('a server that offers no channel binding (fake server behind TLS)', () => {
  let fake: FakeServer;
  let mitm: TlsFront;
  beforeAll(async () => {
    fake = await startFakeServer(async (session) => {
      const startup = await session.expect('Startup');
      if (startup.params.user === 'clear') session.send((w) => serverSide.writeAuthenticationCleartextPassword(w));
      else session.send((w) => serverSide.writeAuthenticationSASL(w, ['SCRAM-SHA-256']));
      await session.readMessage();
      // The client's first SASL message is all these tests look at; the exchange is cut there.
      session.sendErrorResponse({ severity: 'FATAL', code: '28P01', message: 'stop here' });
      session.end();
    });
    mitm = await front(fake.port, false);
  });
  afterAll(async () => {
    await fake.close();
  });

  const opts = (user: string, channelBinding: 'require' | 'prefer') => ({
    host: '127.0.0.1', port: mitm.port, user, password: 'pw', database: 'd', ssl: 'require' as const, channelBinding,
  });

  it("under 'require' the downgrade is refused before any SASL message is sent", async () => {
    const before = fake.sessions.length;
    const err = await failure(connect(opts('scram', 'require')));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/did not offer SCRAM-SHA-256-PLUS/);
    await fake.sessions[before].closed;
    expect(fake.sessions[before].received.map((m) => m.type)).toEqual(['Startup']);
  });

  it("under 'require' a cleartext password request gets no password", async () => {
    const before = fake.sessions.length;
    const err = await failure(connect(opts('clear', 'require')));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/asked for a cleartext password.*nothing was sent/);
    await fake.sessions[before].closed;
    expect(fake.sessions[before].received.map((m) => m.type)).toEqual(['Startup']);
  });

  it("under 'prefer' it falls back to SCRAM-SHA-256 flagged 'y' (client could bind, server did not offer)", async () => {
    const before = fake.sessions.length;
    await failure(connect(opts('scram', 'prefer')));
    await fake.sessions[before].closed;
    const initial = fake.sessions[before].received[1];
    expect(initial.type).toBe('Password');
    const sasl = parseSASLInitialResponse((initial as { data: Buffer }).data);
    expect(sasl.mechanism).toBe('SCRAM-SHA-256');
    expect(sasl.data?.toString('utf8')).toMatch(/^y,,n=,r=/);
  });
});

describe('a server that skips the SCRAM proof', () => {
  it('is refused when it sends AuthenticationOk (and ReadyForQuery, in the same chunk) without SASLFinal', async () => {
    const impostor = await startFakeServer(async (session) => {
      for (;;) {
        const message = await session.readMessage();
        if (message.type === 'SSLRequest') session.sendRaw('N');
        if (message.type === 'Startup') session.send((w) => serverSide.writeAuthenticationSASL(w, ['SCRAM-SHA-256']));
        if (message.type === 'Password') {
          session.sendStartupOk();
          return;
        }
      }
    });
    try {
      const err = await failure(connect({ host: impostor.host, port: impostor.port, user: 'u', password: 'pw', database: 'd' }));
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.message).toMatch(/without proving it knows the password/);
    } finally {
      await impostor.close();
    }
  });
});
