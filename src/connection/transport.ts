/**
 * The only module that touches `node:net` and `node:tls`: opens the socket to one host, negotiates TLS with
 * SSLRequest (protocol docs, "SSL Session Encryption") or directly (PostgreSQL 17+, `sslnegotiation=direct`),
 * and applies keepalives. The caller's AbortSignal (the per-host connect timeout) covers every step, so a
 * server that accepts the TCP connection and then says nothing can never hang a connect.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ConnectionError } from '../errors/index.js';
import { ByteWriter } from '../internal/index.js';
import { writeSSLRequest } from '../protocol/index.js';
import type { ResolvedSsl } from './config-types.js';
import { explainTlsFailure } from './tls-errors.js';

/** How to reach one server. */
export interface TransportTarget {
  /** Host name or address (for messages and TLS SNI); a Unix socket directory when `socketPath` is set. */
  host: string;
  /** TCP port (also names the Unix socket file). */
  port: number;
  /** Full path of the Unix socket, when connecting through one. */
  socketPath?: string;
}

/** Socket-level options: the resolved TLS settings and keepalives. */
export interface TransportOptions {
  /** TLS mode, negotiation and `tls.connect` options (verification already set by the config). */
  ssl: ResolvedSsl;
  /** TCP keepalives on. */
  keepAlive: boolean;
  /** Delay before the first keepalive probe, in ms. */
  keepAliveInitialDelay: number;
}

/** Describes a target for error messages: `host:port` or the socket path. */
export function describeTarget(t: TransportTarget): string {
  return t.socketPath ?? `${t.host}:${t.port}`;
}

/** The ALPN protocol PostgreSQL 17+ registers and requires for direct TLS (IANA "postgresql"). */
const ALPN_POSTGRESQL = 'postgresql';

function connectionError(target: TransportTarget, message: string, cause?: unknown): ConnectionError {
  // Nothing of any query has reached the server while the transport is being opened.
  return new ConnectionError(message, { cause, host: target.host, port: target.port, safeToRetry: true });
}

/** Applies keepalives (TCP only: they mean nothing on a Unix socket). Exported for the tests. */
export function applyKeepAlive(socket: net.Socket, target: TransportTarget, opts: TransportOptions): void {
  if (target.socketPath !== undefined) return;
  // Always call it: an explicit `false` must override whatever the platform default is.
  socket.setKeepAlive(opts.keepAlive, opts.keepAlive ? opts.keepAliveInitialDelay : 0);
}

/**
 * Bytes per read of a plain (non-TLS) socket. The buffer is allocated once per connection and reused for every
 * read: Node's default allocates a fresh buffer per read, and at the rate a busy connection reads (hundreds of
 * MB/s for wide results) those allocations drive V8 into frequent full collections, which cost more CPU than
 * decoding the rows did. 128 KiB takes a typical result in one or two reads.
 */
const READ_BUFFER_SIZE = 128 * 1024;

/** Receives one chunk read from the server; the bytes are only valid during the call. */
export type ChunkHandler = (chunk: Buffer) => void;

/** Where a reused-buffer socket's reads go (set by {@link readChunks}); chunks read before that are kept. */
interface ReadRoute {
  handler: ChunkHandler | null;
  early: Buffer[];
}

const readRoutes = new WeakMap<net.Socket, ReadRoute>();

/** Connect options that make Node read into one reused buffer and call us instead of emitting 'data'. */
function reusedBufferReads(): { onread: net.OnReadOpts; route: ReadRoute } {
  const route: ReadRoute = { handler: null, early: [] };
  const buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  const callback = (nread: number, buf: Uint8Array): boolean => {
    const chunk = (buf as Buffer).subarray(0, nread);
    if (route.handler !== null) route.handler(chunk);
    else route.early.push(Buffer.from(chunk)); // nobody reads yet: keep a copy, the buffer is about to be reused
    return true;
  };
  return { onread: { buffer, callback }, route };
}

/**
 * Subscribes `handler` to everything read from `socket` from now on (and what arrived unread before); returns
 * the unsubscribe function. Chunks of a plain socket are views of its reused read buffer, so a handler must
 * copy any bytes it keeps past the call: the framer and every decoder already do.
 */
export function readChunks(socket: net.Socket, handler: ChunkHandler): () => void {
  const route = readRoutes.get(socket);
  if (route === undefined) {
    socket.on('data', handler);
    return () => socket.off('data', handler);
  }
  route.handler = handler;
  for (const chunk of route.early.splice(0)) handler(chunk);
  return () => {
    if (route.handler === handler) route.handler = null;
  };
}

/**
 * Whether the reused read buffer (`net.connect`'s `onread`) can be used. Node and Bun honour it for plain and
 * TLS-upgraded sockets alike. Deno 2 honours it on a plain socket, but a socket that `tls.connect` later wraps
 * (every SSLRequest that the server accepts) then delivers nothing, and whether the server will accept is
 * known only after the socket exists: under Deno, sockets are read through `'data'` events.
 */
const hasOnread = process.versions.deno === undefined;

/** Opens the TCP or Unix socket, reading into a reused buffer (see {@link READ_BUFFER_SIZE}) where supported. */
function openSocket(target: TransportTarget): net.Socket {
  if (!hasOnread) {
    return target.socketPath !== undefined
      ? net.connect({ path: target.socketPath })
      : net.connect({ host: target.host, port: target.port, noDelay: true });
  }
  const { onread, route } = reusedBufferReads();
  const socket = target.socketPath !== undefined
    ? net.connect({ path: target.socketPath, onread })
    : net.connect({ host: target.host, port: target.port, noDelay: true, onread });
  readRoutes.set(socket, route);
  return socket;
}

/** Resolves once the socket is connected; rejects with a ConnectionError naming the target otherwise. */
function whenConnected(socket: net.Socket, target: TransportTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(connectionError(target, `could not connect to ${describeTarget(target)}: ${err.message}`, err));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** Sends SSLRequest and reads the one-byte answer ('S' or 'N'). */
function askForTls(socket: net.Socket, target: TransportTarget): Promise<boolean> {
  const where = describeTarget(target);
  return new Promise((resolve, reject) => {
    // Assigned below; a chunk that arrived early is handled inside readChunks, before it returns.
    let stopReading = (): void => undefined;
    let done = false;
    const cleanup = (): void => {
      done = true;
      stopReading();
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      cleanup();
      if (chunk.length !== 1) {
        // Extra bytes after the answer would be unencrypted data injected before the TLS handshake (CVE-2021-23222).
        reject(connectionError(target, `unexpected data after the SSLRequest answer from ${where}`));
      } else if (chunk[0] === 0x53) resolve(true);
      else if (chunk[0] === 0x4e) resolve(false);
      else if (chunk[0] === 0x45) {
        reject(connectionError(target, `server at ${where} rejected SSLRequest (is it PostgreSQL 7.0 or older, or not PostgreSQL?)`));
      } else reject(connectionError(target, `invalid answer to SSLRequest from ${where} (is it a PostgreSQL server?)`));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(connectionError(target, `connection to ${where} failed during SSLRequest: ${err.message}`, err));
    };
    const onClose = (): void => {
      cleanup();
      reject(connectionError(target, `server at ${where} closed the connection during SSLRequest`));
    };
    stopReading = readChunks(socket, onData);
    if (done) stopReading();
    socket.on('error', onError);
    socket.on('close', onClose);
    const w = new ByteWriter(8);
    writeSSLRequest(w);
    socket.write(w.take());
  });
}

/**
 * Wraps a connected socket in TLS, verifying as the resolved settings say. `host` is passed so Node checks the
 * certificate against the name the user gave (not an internal field of the socket); `servername` (SNI) is set
 * only for host names, since RFC 6066 section 3 forbids IP addresses there and libpq sends none for them.
 */
function upgradeToTls(socket: net.Socket, target: TransportTarget, opts: TransportOptions): tls.TLSSocket {
  const given = opts.ssl.tlsOptions;
  return tls.connect({
    ...given,
    socket,
    // A `tls.ConnectionOptions` object given as `ssl` may name the host to verify and send itself.
    host: given.host ?? target.host,
    servername: given.servername ?? (net.isIP(target.host) === 0 ? target.host : undefined),
  });
}

/** Resolves once the handshake is done and, for direct TLS, ALPN `postgresql` was agreed. */
function whenSecure(tlsSocket: tls.TLSSocket, target: TransportTarget, opts: TransportOptions): Promise<void> {
  const where = describeTarget(target);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      tlsSocket.off('secureConnect', onSecure);
      reject(connectionError(target, `TLS connection to ${where} failed: ${explainTlsFailure(err, target.host, opts.ssl)}`, err));
    };
    const onSecure = (): void => {
      tlsSocket.off('error', onError);
      // libpq refuses a direct TLS session without ALPN: the peer may be some other TLS service on that port.
      if (opts.ssl.negotiation === 'direct' && tlsSocket.alpnProtocol !== ALPN_POSTGRESQL) {
        reject(connectionError(target,
          `TLS connection to ${where} failed: the server did not agree to ALPN protocol "postgresql" (sslnegotiation=direct needs PostgreSQL 17 or later)`));
        return;
      }
      resolve();
    };
    tlsSocket.once('error', onError);
    tlsSocket.once('secureConnect', onSecure);
  });
}

/**
 * Opens a connection to `target` ready for the StartupMessage: TCP or Unix socket, then TLS as `ssl.mode` asks.
 * Under `require` and stricter, a server without TLS is a `ConnectionError`, never a silent plaintext fallback;
 * `allow` is plaintext here (the connector retries with TLS if the server refuses plaintext). Aborting `signal`
 * at any step destroys the socket and rejects with `signal.reason`.
 */
export async function openTransport(
  target: TransportTarget,
  opts: TransportOptions,
  signal: AbortSignal,
): Promise<net.Socket> {
  signal.throwIfAborted();
  const sockets: net.Socket[] = [];
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      for (const s of sockets.slice().reverse()) s.destroy();
      reject(signal.reason);
    };
  });
  // Observed here so an abort after success does not become an unhandled rejection.
  aborted.catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);
  try {
    const socket = openSocket(target);
    sockets.push(socket);
    await step(whenConnected(socket, target));
    applyKeepAlive(socket, target, opts);
    const mode = opts.ssl.mode;
    // TLS is never attempted on a Unix socket (libpq neither): the kernel already keeps it local.
    if (mode === 'disable' || mode === 'allow' || target.socketPath !== undefined) return socket;
    if (opts.ssl.negotiation !== 'direct') {
      const accepted = await step(askForTls(socket, target));
      if (!accepted) {
        if (mode === 'prefer') return socket;
        throw connectionError(target, `server at ${describeTarget(target)} does not support TLS, but sslmode is ${mode}`);
      }
    }
    // sslnegotiation=direct (PostgreSQL 17+): TLS from the first byte, no SSLRequest round trip.
    const secure = upgradeToTls(socket, target, opts);
    sockets.push(secure);
    await step(whenSecure(secure, target, opts));
    return secure;
  } catch (err) {
    // Outermost first: the TLS layer must go before the socket it wraps (the reverse order can crash Node 20).
    for (const s of sockets.reverse()) s.destroy();
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
