/**
 * A TLS terminator in front of a plaintext PostgreSQL endpoint (a real server, or the fake server): it answers
 * SSLRequest with 'S' (or expects TLS from the first byte, for `sslnegotiation=direct`), completes the handshake
 * with a given certificate, records what the client sent in the handshake (SNI server name, ALPN), and then
 * relays the decrypted bytes to the backend. It plays the man in the middle of the channel-binding tests and
 * the observer of the SNI tests; the backend sees a plaintext connection.
 */
import net from 'node:net';
import tls from 'node:tls';

/** What one client handshake carried. */
export interface HandshakeSeen {
  /** SNI server name, or false when the client sent none. */
  servername: string | false;
  /** The ALPN protocol agreed, or false. */
  alpnProtocol: string | false;
}

/** Options of {@link startTlsFront}. */
export interface TlsFrontOptions {
  /** The plaintext endpoint to relay to. */
  backendPort: number;
  /** Server certificate and key (PEM). */
  cert: string | Buffer;
  /** Server private key (PEM). */
  key: string | Buffer;
  /** 'postgres' (SSLRequest first; default) or 'direct' (TLS from the first byte). */
  negotiation?: 'postgres' | 'direct';
  /** ALPN protocols the front accepts; none (no ALPN agreed) when omitted. */
  alpnProtocols?: string[];
  /**
   * Speak TLS to the backend too (SSLRequest, then a handshake that verifies nothing): a man in the middle
   * holding its own certificate on each side, which SCRAM channel binding exists to detect.
   */
  backendTls?: boolean;
}

/** A running front. */
export interface TlsFront {
  /** The port clients connect to, on 127.0.0.1. */
  port: number;
  /** One entry per completed handshake, in order. */
  handshakes: HandshakeSeen[];
  /** Stops listening and cuts every relayed connection. */
  close(): Promise<void>;
}

const SSL_REQUEST_CODE = 80877103;

/** Starts a front on 127.0.0.1 and an OS-chosen port; see the module comment. */
export async function startTlsFront(options: TlsFrontOptions): Promise<TlsFront> {
  const handshakes: HandshakeSeen[] = [];
  const open = new Set<net.Socket>();
  const context = tls.createSecureContext({ cert: options.cert, key: options.key });

  const secure = (raw: net.Socket): void => {
    const tlsSocket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: context,
      ALPNProtocols: options.alpnProtocols,
      // SNICallback runs only when the client sent a server name; 'secure' then reports it on the socket.
      SNICallback: (_name, done) => done(null, context),
    });
    tlsSocket.on('error', () => raw.destroy());
    tlsSocket.once('secure', () => {
      const seen = tlsSocket as tls.TLSSocket & { servername?: string | false };
      handshakes.push({ servername: seen.servername ?? false, alpnProtocol: tlsSocket.alpnProtocol ?? false });
      connectBackend(options).then(
        (backend) => {
          open.add(backend);
          backend.on('error', () => tlsSocket.destroy());
          tlsSocket.on('close', () => backend.destroy());
          backend.on('close', () => tlsSocket.destroy());
          tlsSocket.pipe(backend);
          backend.pipe(tlsSocket);
        },
        () => tlsSocket.destroy(),
      );
    });
  };

  const server = net.createServer((raw) => {
    open.add(raw);
    raw.on('close', () => open.delete(raw));
    raw.on('error', () => undefined);
    if (options.negotiation === 'direct') {
      secure(raw);
      return;
    }
    raw.once('data', (chunk: Buffer) => {
      if (chunk.length < 8 || chunk.readInt32BE(4) !== SSL_REQUEST_CODE) {
        raw.destroy();
        return;
      }
      if (chunk.length > 8) raw.unshift(chunk.subarray(8));
      raw.write('S');
      secure(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A plaintext socket to the backend, or (with `backendTls`) a TLS one negotiated with SSLRequest. */
async function connectBackend(options: TlsFrontOptions): Promise<net.Socket> {
  const plain = net.connect({ host: '127.0.0.1', port: options.backendPort });
  await new Promise<void>((resolve, reject) => {
    plain.once('connect', resolve);
    plain.once('error', reject);
  });
  if (!options.backendTls) return plain;
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(SSL_REQUEST_CODE, 4);
  plain.write(request);
  const answer = await new Promise<Buffer>((resolve) => plain.once('data', resolve));
  if (answer.toString() !== 'S') throw new Error('the backend does not speak TLS');
  const secure = tls.connect({ socket: plain, rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  return secure;
}
