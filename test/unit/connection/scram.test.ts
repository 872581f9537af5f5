import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertChannelBindingMet,
  chooseMechanism,
  createScramClient,
  md5Password,
  saslprep,
  tlsServerEndPointHash,
} from '../../../src/connection/auth/index.js';
import { AuthenticationError } from '../../../src/errors/base.js';

// RFC 7677 section 3.
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const vectorClient = () => createScramClient({ password: 'pencil', username: 'user', nonce: CLIENT_NONCE });

describe('SCRAM-SHA-256 client', () => {
  it('reproduces the RFC 7677 test vector', () => {
    const client = vectorClient();
    expect(client.mechanism).toBe('SCRAM-SHA-256');
    expect(client.clientFirstMessage()).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(client.handleServerFirst(SERVER_FIRST)).toBe(CLIENT_FINAL);
    expect(() => client.verifyServerFinal(SERVER_FINAL)).not.toThrow();
  });

  it('gives the same answer with PBKDF2 off the event loop', async () => {
    const client = vectorClient();
    client.clientFirstMessage();
    expect(await client.handleServerFirstAsync(SERVER_FIRST)).toBe(CLIENT_FINAL);
    client.verifyServerFinal(SERVER_FINAL);
  });

  it('rejects a tampered server signature', () => {
    const client = vectorClient();
    client.clientFirstMessage();
    client.handleServerFirst(SERVER_FIRST);
    const tampered = SERVER_FINAL.replace('6rri', '6rrj');
    expect(() => client.verifyServerFinal(tampered)).toThrow(AuthenticationError);
    expect(() => vectorClientAtFinal().verifyServerFinal('v=')).toThrow(/server signature is invalid/);
  });

  it('reports a server error attribute', () => {
    expect(() => vectorClientAtFinal().verifyServerFinal('e=invalid-proof')).toThrow(/invalid-proof/);
  });

  it('refuses a server nonce that does not extend the client nonce, and malformed messages', () => {
    const attempt = (message: string) => {
      const client = vectorClient();
      client.clientFirstMessage();
      return () => client.handleServerFirst(message);
    };
    expect(attempt('r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')).toThrow(/nonce/);
    expect(attempt(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)).toThrow(/nonce/);
    expect(attempt(`r=${CLIENT_NONCE}x,s=***,i=4096`)).toThrow(/salt/);
    expect(attempt(`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`)).toThrow(/iteration/);
    expect(attempt(`m=ext,r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`)).toThrow(/extension/);
    expect(attempt('garbage')).toThrow(AuthenticationError);
  });

  it('enforces the message order', () => {
    const client = vectorClient();
    expect(() => client.handleServerFirst(SERVER_FIRST)).toThrow(AuthenticationError);
    client.clientFirstMessage();
    expect(() => client.verifyServerFinal(SERVER_FINAL)).toThrow(AuthenticationError);
    expect(() => client.clientFirstMessage()).toThrow(AuthenticationError);
  });

  it('uses a random base64 nonce and an empty user name by default (PostgreSQL ignores it)', () => {
    const a = createScramClient({ password: 'x' }).clientFirstMessage();
    const b = createScramClient({ password: 'x' }).clientFirstMessage();
    expect(a).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/);
    expect(a).not.toBe(b);
    expect(createScramClient({ password: 'x', username: 'a=b,c', nonce: 'N' }).clientFirstMessage()).toBe('n,,n=a=3Db=2Cc,r=N');
  });

  it('writes the gs2 header for each channel-binding case', () => {
    const data = Buffer.from('cert-hash');
    const plus = createScramClient({ password: 'x', nonce: 'N', channelBinding: { type: 'tls-server-end-point', data } });
    expect(plus.mechanism).toBe('SCRAM-SHA-256-PLUS');
    expect(plus.clientFirstMessage()).toBe('p=tls-server-end-point,,n=,r=N');
    const final = plus.handleServerFirst('r=NX,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1');
    const cbind = Buffer.concat([Buffer.from('p=tls-server-end-point,,'), data]).toString('base64');
    expect(final.startsWith(`c=${cbind},r=NX,p=`)).toBe(true);

    const y = createScramClient({ password: 'x', nonce: 'N', clientSupportsBinding: true });
    expect(y.clientFirstMessage()).toBe('y,,n=,r=N');
    expect(y.handleServerFirst('r=NX,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1').startsWith('c=eSws,')).toBe(true);
  });
});

function vectorClientAtFinal() {
  const client = vectorClient();
  client.clientFirstMessage();
  client.handleServerFirst(SERVER_FIRST);
  return client;
}

describe('chooseMechanism', () => {
  const both = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'];
  it('prefers -PLUS when TLS gives a certificate hash and binding is not disabled', () => {
    expect(chooseMechanism(both, true, 'prefer')).toBe('SCRAM-SHA-256-PLUS');
    expect(chooseMechanism(both, true, 'require')).toBe('SCRAM-SHA-256-PLUS');
    expect(chooseMechanism(both, true, 'disable')).toBe('SCRAM-SHA-256');
    expect(chooseMechanism(both, false, 'prefer')).toBe('SCRAM-SHA-256');
    expect(chooseMechanism(['SCRAM-SHA-256'], true, 'prefer')).toBe('SCRAM-SHA-256');
  });

  it('throws when require cannot be met or nothing is supported', () => {
    expect(() => chooseMechanism(['SCRAM-SHA-256'], true, 'require')).toThrow(/did not offer SCRAM-SHA-256-PLUS/);
    expect(() => chooseMechanism(both, false, 'require')).toThrow(/no TLS server certificate/);
    expect(() => chooseMechanism(['OAUTHBEARER'], false, 'prefer')).toThrow(/OAUTHBEARER/);
  });

  it('refuses a login that skipped required channel binding', () => {
    expect(() => assertChannelBindingMet('require', false)).toThrow(AuthenticationError);
    expect(() => assertChannelBindingMet('require', true)).not.toThrow();
    expect(() => assertChannelBindingMet('prefer', false)).not.toThrow();
  });
});

describe('saslprep', () => {
  it('leaves ASCII alone, control characters included (as PostgreSQL does)', () => {
    expect(saslprep('pencil')).toBe('pencil');
    expect(saslprep('a\tb\u0007')).toBe('a\tb\u0007');
    expect(saslprep('')).toBe('');
  });

  it('maps non-ASCII spaces to a space and drops commonly-mapped-to-nothing characters', () => {
    expect(saslprep('I\u00ADX')).toBe('IX'); // RFC 4013 example: soft hyphen
    expect(saslprep('a\u00a0b\u3000c\u2003d')).toBe('a b c d');
    expect(saslprep('pa\u200Bss')).toBe('pa ss'); // ZERO WIDTH SPACE is in C.1.2 too; the space mapping wins
    expect(saslprep('pä\u200Dss\uFEFF')).toBe('päss');
  });

  it('normalises with NFKC', () => {
    expect(saslprep('\u00AA')).toBe('a'); // RFC 4013 example: feminine ordinal
    expect(saslprep('\u2168')).toBe('IX'); // ROMAN NUMERAL NINE
    expect(saslprep('a\u0308')).toBe('ä');
    expect(saslprep('\uFB01')).toBe('fi');
  });

  it('uses the raw password when the output would be prohibited or empty', () => {
    expect(saslprep('ä\u0007')).toBe('ä\u0007'); // RFC 4013 example: control character
    expect(saslprep('ä\uE000')).toBe('ä\uE000'); // private use
    expect(saslprep('ä\u200E')).toBe('ä\u200E'); // C.8 direction mark
    expect(saslprep('\u00AD')).toBe('\u00AD'); // maps to nothing at all
    expect(saslprep('ä\uD800')).toBe('ä\uD800'); // lone surrogate
  });

  it('applies the bidi rules', () => {
    expect(saslprep('\u05D0\u00A0\u05D1')).toBe('\u05D0 \u05D1'); // all right-to-left
    expect(saslprep('\u0627\u0031')).toBe('\u0627\u0031'); // RFC 4013 example: must end with RandALCat → raw
    expect(saslprep('\u05D0a\u05D1\u00A0')).toBe('\u05D0a\u05D1\u00A0'); // mixes LCat and RandALCat → raw
  });
});

describe('md5Password', () => {
  it('computes md5 + hex(md5(hex(md5(password + user)) + salt))', () => {
    const salt = Buffer.from([0x01, 0x02, 0x03, 0x04]);
    const inner = createHash('md5').update('secretalice').digest('hex');
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
    expect(md5Password('alice', 'secret', salt)).toBe(expected);
    // Fixed value, computed independently with md5sum: md5(md5hex('secretalice') + 01 02 03 04).
    expect(md5Password('alice', 'secret', salt)).toBe('md598a0412b9c31436fc53776e863350083');
  });
});

// A self-signed ecdsa-with-SHA384 certificate made with openssl for this test; its expected binding data is
// `openssl x509 -outform der | sha384sum`.
const ECDSA_SHA384_CERT = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIUT2Ypch9XwaJ3vKo1m5XFLr3EHYAwCgYIKoZIzj0EAwMw
GDEWMBQGA1UEAwwNcGdqZXQtZml4dHVyZTAeFw0yNjExMjUwMjE4MDZaFw0zNjEx
MjIwMjE4MDZaMBgxFjAUBgNVBAMMDXBnamV0LWZpeHR1cmUwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAS42KZ9D5TcmbeYaAt2U4MZHOpea+qzdf29febKhZAAQ8yB
JEm+/63/ik4oxst61bKKOgRRVBm3ttXRBgYmngP3o1MwUTAdBgNVHQ4EFgQUK9wL
Fw5GGrazWDAvGMjuJDDJv8IwHwYDVR0jBBgwFoAUK9wLFw5GGrazWDAvGMjuJDDJ
v8IwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAwNIADBFAiBJRzAkGolCJjAn
DYU60+etfHscPu+Dip7sbPkhNu6c7wIhALCnRSo45dAvRh5DVkmLCo4KLifUkaLH
t4ezkJB7V21T
-----END CERTIFICATE-----`;

describe('tlsServerEndPointHash', () => {
  it('hashes a real certificate with its signature hash', () => {
    const der = new X509Certificate(ECDSA_SHA384_CERT).raw;
    expect(tlsServerEndPointHash(der)?.toString('hex')).toBe(
      '8d604286fdcdfbb13c26244f57673bedcef312f8936eb54978c43023e263371d5681906f13bf52961b6d17ab55a1720b',
    );
  });

  it('uses SHA-256 for SHA-1/MD5 signatures and gives up on RSA-PSS or malformed input', () => {
    // Minimal DER with only the fields the parser reads: SEQUENCE { tbs SEQUENCE, SEQUENCE { OID }, BIT STRING }.
    const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag, body.length]), body]);
    const der = (oidHex: string): Buffer =>
      tlv(0x30, Buffer.concat([tlv(0x30, Buffer.from([0x02, 0x01, 0x01])), tlv(0x30, tlv(0x06, Buffer.from(oidHex, 'hex'))), tlv(0x03, Buffer.from([0, 1]))]));
    const sha1 = der('2a864886f70d010105');
    expect(tlsServerEndPointHash(sha1)).toEqual(createHash('sha256').update(sha1).digest());
    const md5 = der('2a864886f70d010104');
    expect(tlsServerEndPointHash(md5)).toEqual(createHash('sha256').update(md5).digest());
    const sha512 = der('2a864886f70d01010d');
    expect(tlsServerEndPointHash(sha512)).toEqual(createHash('sha512').update(sha512).digest());
    expect(tlsServerEndPointHash(der('2a864886f70d01010a'))).toBeUndefined(); // RSASSA-PSS
    expect(tlsServerEndPointHash(der('2b6570'))).toBeUndefined(); // Ed25519
    expect(tlsServerEndPointHash(Buffer.from([0x30, 0x05]))).toBeUndefined();
  });
});
