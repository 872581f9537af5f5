/**
 * The startup follows the protocol's state machine: a server that answers the StartupMessage with anything a
 * logged-in session would see (ReadyForQuery, BackendKeyData, ParameterStatus) before AuthenticationOk, asks
 * for authentication again after it, or steps outside the SASL exchange's order, is refused with a
 * `ProtocolError` and the socket closes. libpq refuses the same (fe-connect.c, PQconnectPoll).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationError, connect, ProtocolError } from '../../src/index.js';
import type { ByteWriter } from '../../src/internal/index.js';
import { serverSide } from '../../src/protocol/index.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close().catch(() => undefined);
  server = undefined;
});

type Step = (w: ByteWriter) => void;

const ok: Step = (w) => serverSide.writeAuthenticationOk(w);
const ready: Step = (w) => serverSide.writeReadyForQuery(w, 'I');
const keyData: Step = (w) => serverSide.writeBackendKeyData(w, 42, 7);
const param: Step = (w) => serverSide.writeParameterStatus(w, 'server_version', '18.4');
const cleartext: Step = (w) => serverSide.writeAuthenticationCleartextPassword(w);
const md5: Step = (w) => serverSide.writeAuthenticationMD5Password(w, Buffer.from([1, 2, 3, 4]));
const saslFinal: Step = (w) => serverSide.writeAuthenticationSASLFinal(w, 'v=AAAA');
const saslContinue: Step = (w) => serverSide.writeAuthenticationSASLContinue(w, 'r=x,s=QUJD,i=4096');
const rows: Step = (w) => serverSide.writeCommandComplete(w, 'SELECT 1');
const negotiate: Step = (w) => serverSide.writeNegotiateProtocolVersion(w, 0, []);

/**
 * Starts a server answering the StartupMessage with `steps` in one write; when a step asks for a password,
 * the script waits for it before sending `after` (the rest).
 */
async function serve(steps: Step[], after: Step[] = []): Promise<FakeServer> {
  return startFakeServer(async (s) => {
    await s.expect('Startup');
    s.send(...steps);
    if (after.length === 0) return;
    await s.readMessage();
    s.send(...after);
  });
}

function dsn(s: FakeServer): string {
  return `postgres://fake:pw@${s.host}:${s.port}/fake?sslmode=disable`;
}

/** Connects and returns the rejection, failing the test if the connect resolves. */
async function refusal(s: FakeServer): Promise<Error> {
  const result = await connect(dsn(s), { connectTimeout: 5000 }).then(
    async (conn) => {
      await conn.close();
      return new Error('connect resolved');
    },
    (err: unknown) => err as Error,
  );
  return result;
}

describe('startup state machine', () => {
  const beforeOk: [string, Step[]][] = [
    ['ReadyForQuery', [ready]],
    ['BackendKeyData', [keyData, ready]],
    ['ParameterStatus', [param, ok, ready]],
    ['CommandComplete', [rows, ok, ready]],
  ];
  it.each(beforeOk)('%s before AuthenticationOk is a ProtocolError', async (name, steps) => {
    server = await serve(steps);
    const err = await refusal(server);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toContain(`unexpected ${name} during startup`);
    expect(err.message).toContain('expected an authentication request');
    await server.sessions[0].closed;
  });

  it('ReadyForQuery after a password request but before AuthenticationOk is a ProtocolError', async () => {
    server = await serve([cleartext], [ready]);
    const err = await refusal(server);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toMatch(/unexpected ReadyForQuery during startup .*expected AuthenticationOk/);
  });

  const afterOk: [string, Step[]][] = [
    ['AuthenticationCleartextPassword', [ok, cleartext, ready]],
    ['AuthenticationMD5Password', [ok, param, md5, ready]],
    ['AuthenticationSASLFinal', [ok, saslFinal, ready]],
    ['second AuthenticationOk', [ok, ok, ready]],
    ['NegotiateProtocolVersion', [ok, negotiate, ready]],
  ];
  it.each(afterOk)('%s after AuthenticationOk is a ProtocolError, and no password goes out', async (name, steps) => {
    server = await serve(steps);
    const err = await refusal(server);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toContain(`unexpected ${name} during startup`);
    await server.sessions[0].closed;
    expect(server.sessions[0].received.map((m) => m.type)).toEqual(['Startup']);
  });

  it('SASL messages out of order are ProtocolErrors', async () => {
    for (const steps of [[saslFinal, ok, ready], [saslContinue, ok, ready]]) {
      server = await serve(steps);
      const err = await refusal(server);
      expect(err).toBeInstanceOf(ProtocolError);
      expect(err.message).toMatch(/unexpected AuthenticationSASL(Final|Continue) during startup/);
      await server.close();
      server = undefined;
    }
  });

  it('a second password request after the password was sent is a ProtocolError', async () => {
    server = await serve([cleartext], [md5]);
    const err = await refusal(server);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toMatch(/unexpected AuthenticationMD5Password during startup .*expected AuthenticationOk/);
  });

  it('an MD5 request whose salt is not 4 bytes is a ProtocolError', async () => {
    server = await serve([(w) => serverSide.writeAuthenticationMD5Password(w, Buffer.from([1, 2, 3]))]);
    expect(await refusal(server)).toBeInstanceOf(ProtocolError);
  });

  it('an unsupported method (GSS) is an AuthenticationError naming its code', async () => {
    // AuthenticationGSS: 'R', length 8, subtype 7 (no encoder: pgjet's fake server never offers GSS).
    server = await serve([(w) => w.bytes(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 7]))]);
    const err = await refusal(server);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toContain('code 7');
  });

  it('NegotiateProtocolVersion and notices before authentication, then a normal login, succeed', async () => {
    server = await serve([
      negotiate,
      (w) => serverSide.writeNoticeResponse(w, { severity: 'NOTICE', code: '00000', message: 'hello' }),
      cleartext,
    ], [ok, param, keyData, ready]);
    const conn = await connect(dsn(server));
    expect(conn.processId).toBe(42);
    expect(server.sessions[0].received.map((m) => m.type)).toEqual(['Startup', 'Password']);
    await conn.close();
  });
});
