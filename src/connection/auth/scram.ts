/**
 * SCRAM-SHA-256 and SCRAM-SHA-256-PLUS client (RFC 5802, RFC 7677; channel binding RFC 5929), sans-IO: it
 * turns server messages into client messages and never touches a socket. The connection wraps the strings in
 * SASLInitialResponse / SASLResponse messages (protocol docs, "SASL Authentication").
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../../errors/index.js';
import { saslprep } from './saslprep.js';

/** The SASL mechanisms pgjet implements. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-256-PLUS';

/** Channel-binding data for SCRAM-SHA-256-PLUS: the `tls-server-end-point` hash of the server certificate. */
export interface ChannelBindingData {
  /** The only binding type PostgreSQL supports. */
  type: 'tls-server-end-point';
  /** The certificate hash, see {@link tlsServerEndPointHash}. */
  data: Buffer;
}

/** Options of {@link createScramClient}. */
export interface ScramClientOptions {
  /** The password, prepared with SASLprep as PostgreSQL does. */
  password: string;
  /** Set to use SCRAM-SHA-256-PLUS (gs2 header `p=tls-server-end-point`). */
  channelBinding?: ChannelBindingData;
  /**
   * True when the client could bind (TLS in use, channel binding not disabled) but the server offered no
   * -PLUS mechanism: the gs2 header becomes `y`, which lets a server that does support binding detect a
   * downgrade by a man in the middle. Ignored when `channelBinding` is set.
   */
  clientSupportsBinding?: boolean;
  /** The SCRAM user name; PostgreSQL ignores it (it uses the startup user), so libpq sends an empty one. */
  username?: string;
  /** A fixed client nonce, for test vectors only; a random one (18 bytes, base64) otherwise. */
  nonce?: string;
}

/** One SCRAM exchange. Call the methods in order; each throws `AuthenticationError` on a bad server message. */
export interface ScramClient {
  /** The mechanism name to put in SASLInitialResponse. */
  readonly mechanism: ScramMechanism;
  /** The client-first-message (gs2 header + `n=user,r=nonce`). */
  clientFirstMessage(): string;
  /**
   * Takes the server-first-message (AuthenticationSASLContinue) and returns the client-final-message with the
   * proof. Runs PBKDF2 synchronously (4 096 iterations by default, a few milliseconds).
   */
  handleServerFirst(message: string): string;
  /** Same as {@link handleServerFirst}, with PBKDF2 on libuv's thread pool so the event loop stays free. */
  handleServerFirstAsync(message: string): Promise<string>;
  /** Checks the server-final-message (AuthenticationSASLFinal): throws unless the server proved it knows the key. */
  verifyServerFinal(message: string): void;
}

const encoder = new TextEncoder();

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/** RFC 5802 `saslname`: `=` and `,` are escaped as `=3D` and `=2C`. */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Splits `a=1,b=2` into attributes; SCRAM attribute names are single letters. */
function parseAttributes(message: string, what: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(',')) {
    if (!/^[A-Za-z]=/.test(part)) throw new AuthenticationError(`malformed SCRAM ${what}`);
    attributes.set(part[0], part.slice(2));
  }
  return attributes;
}

/** Parsed and checked server-first-message. */
interface ServerFirst {
  nonce: string;
  salt: Buffer;
  iterations: number;
}

/** Creates a SCRAM client for one authentication exchange. */
export function createScramClient(options: ScramClientOptions): ScramClient {
  const binding = options.channelBinding;
  const gs2Header = binding ? `p=${binding.type},,` : options.clientSupportsBinding ? 'y,,' : 'n,,';
  const clientNonce = options.nonce ?? randomBytes(18).toString('base64');
  const clientFirstBare = `n=${saslName(options.username ?? '')},r=${clientNonce}`;
  const password = saslprep(options.password);
  let step: 'start' | 'first-sent' | 'final-sent' | 'done' = 'start';
  let authMessage = '';
  let serverSignature: Buffer | undefined;

  const expect = (wanted: typeof step, what: string): void => {
    if (step !== wanted) throw new AuthenticationError(`unexpected SCRAM ${what} (exchange is at "${step}")`);
  };

  const readServerFirst = (message: string): ServerFirst => {
    expect('first-sent', 'server-first-message');
    const attrs = parseAttributes(message, 'server-first-message');
    if (attrs.has('m')) throw new AuthenticationError('SCRAM server requires an unsupported extension');
    const nonce = attrs.get('r') ?? '';
    const saltText = attrs.get('s') ?? '';
    const iterText = attrs.get('i') ?? '';
    // The server must extend our nonce, never replace it: a replayed or forged exchange would not.
    if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length || /[^\x21-\x7e]/.test(nonce)) {
      throw new AuthenticationError('SCRAM server nonce does not extend the client nonce');
    }
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(saltText) || saltText === '') {
      throw new AuthenticationError('malformed SCRAM salt');
    }
    const iterations = /^[1-9]\d{0,9}$/.test(iterText) ? Number(iterText) : NaN;
    if (!(iterations <= 0x7fffffff)) throw new AuthenticationError('malformed SCRAM iteration count');
    authMessage = message;
    return { nonce, salt: Buffer.from(saltText, 'base64'), iterations };
  };

  const finish = (first: ServerFirst, saltedPassword: Buffer): string => {
    const cbindInput = binding ? Buffer.concat([Buffer.from(gs2Header), binding.data]) : Buffer.from(gs2Header);
    const withoutProof = `c=${cbindInput.toString('base64')},r=${first.nonce}`;
    authMessage = `${clientFirstBare},${authMessage},${withoutProof}`;
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i] ^ clientSignature[i];
    serverSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
    step = 'final-sent';
    return `${withoutProof},p=${proof.toString('base64')}`;
  };

  return {
    mechanism: binding ? 'SCRAM-SHA-256-PLUS' : 'SCRAM-SHA-256',
    clientFirstMessage(): string {
      expect('start', 'client-first-message request');
      step = 'first-sent';
      return gs2Header + clientFirstBare;
    },
    handleServerFirst(message: string): string {
      const first = readServerFirst(message);
      return finish(first, pbkdf2Sync(encoder.encode(password), first.salt, first.iterations, 32, 'sha256'));
    },
    async handleServerFirstAsync(message: string): Promise<string> {
      const first = readServerFirst(message);
      const salted = await new Promise<Buffer>((resolve, reject) => {
        pbkdf2(encoder.encode(password), first.salt, first.iterations, 32, 'sha256', (err, key) =>
          err ? reject(err) : resolve(key),
        );
      });
      return finish(first, salted);
    },
    verifyServerFinal(message: string): void {
      expect('final-sent', 'server-final-message');
      const attrs = parseAttributes(message, 'server-final-message');
      const error = attrs.get('e');
      if (error !== undefined) throw new AuthenticationError(`SCRAM authentication failed: server says "${error}"`);
      const verifier = Buffer.from(attrs.get('v') ?? '', 'base64');
      const expected = serverSignature as Buffer;
      if (verifier.length !== expected.length || !timingSafeEqual(verifier, expected)) {
        throw new AuthenticationError('SCRAM server signature is invalid: the server does not know the password');
      }
      step = 'done';
    },
  };
}

/**
 * Picks the SASL mechanism from AuthenticationSASL's list, following libpq's `channel_binding` rules:
 * SCRAM-SHA-256-PLUS whenever the server offers it, TLS is in use with a usable certificate hash, and binding
 * is not disabled; otherwise SCRAM-SHA-256. With `'require'`, anything but -PLUS is an `AuthenticationError`,
 * as is a list with no SCRAM-SHA-256 at all.
 */
export function chooseMechanism(
  offered: readonly string[],
  hasTlsCertHash: boolean,
  channelBinding: 'disable' | 'prefer' | 'require',
): ScramMechanism {
  if (channelBinding !== 'disable' && hasTlsCertHash && offered.includes('SCRAM-SHA-256-PLUS')) {
    return 'SCRAM-SHA-256-PLUS';
  }
  if (channelBinding === 'require') {
    throw new AuthenticationError(
      hasTlsCertHash
        ? 'channel binding is required, but the server did not offer SCRAM-SHA-256-PLUS'
        : 'channel binding is required, but the connection has no TLS server certificate to bind to',
    );
  }
  if (offered.includes('SCRAM-SHA-256')) return 'SCRAM-SHA-256';
  throw new AuthenticationError(`none of the server's SASL mechanisms is supported: ${offered.join(', ') || '(none)'}`);
}

/**
 * Refuses a completed authentication that skipped channel binding when it is required: a server (or a man in
 * the middle) could otherwise dodge the requirement by asking for trust, cleartext or MD5, which libpq also
 * refuses. Call it on AuthenticationOk with whether SCRAM-SHA-256-PLUS was completed.
 */
export function assertChannelBindingMet(channelBinding: 'disable' | 'prefer' | 'require', usedPlus: boolean): void {
  if (channelBinding === 'require' && !usedPlus) {
    throw new AuthenticationError('channel binding is required, but the server authenticated without it');
  }
}
