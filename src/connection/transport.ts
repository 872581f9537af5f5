/**
 * The only module that touches `node:net` and `node:tls`: opens the socket to one host, negotiates TLS with
 * SSLRequest (protocol docs, "SSL Session Encryption"), and applies keepalives and the connect timeout.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ConnectionError } from '../errors/index.js';
import { ByteWriter } from '../internal/index.js';
import { writeSSLRequest } from '../protocol/index.js';
import type { ResolvedSsl } from './config-types.js';

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

/** Opens a plain socket, resolving once connected. */
function openSocket(target: TransportTarget, opts: TransportOptions, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      target.socketPath !== undefined
        ? net.connect({ path: target.socketPath })
        : net.connect({ host: target.host, port: target.port, noDelay: true });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (err: Error): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new ConnectionError(`could not connect to ${describeTarget(target)}: ${err.message}`, {
        cause: err, host: target.host, port: target.port, safeToRetry: true,
      }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (target.socketPath === undefined && opts.keepAlive) socket.setKeepAlive(true, opts.keepAliveInitialDelay);
      resolve(socket);
    });
  });
}

/** Sends SSLRequest and reads the one-byte answer ('S' or 'N'). */
function askForTls(socket: net.Socket, target: TransportTarget): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      cleanup();
      if (chunk.length !== 1) {
        // Extra bytes after the answer would be unencrypted data injected before the TLS handshake (CVE-2021-23222).
        socket.destroy();
        reject(new ConnectionError(`unexpected data after SSLRequest answer from ${describeTarget(target)}`, {
          host: target.host, port: target.port,
        }));
        return;
      }
      if (chunk[0] === 0x53) resolve(true);
      else if (chunk[0] === 0x4e) resolve(false);
      else if (chunk[0] === 0x45) {
        socket.destroy();
        reject(new ConnectionError(`server at ${describeTarget(target)} rejected SSLRequest (server too old?)`, {
          host: target.host, port: target.port,
        }));
      } else {
        socket.destroy();
        reject(new ConnectionError(`invalid answer to SSLRequest from ${describeTarget(target)}`, {
          host: target.host, port: target.port,
        }));
      }
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new ConnectionError(`connection to ${describeTarget(target)} failed during SSLRequest: ${err.message}`, {
        cause: err, host: target.host, port: target.port,
      }));
    };
    const onClose = (): void => {
      cleanup();
      reject(new ConnectionError(`server at ${describeTarget(target)} closed the connection during SSLRequest`, {
        host: target.host, port: target.port,
      }));
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    const w = new ByteWriter(8);
    writeSSLRequest(w);
    socket.write(w.take());
  });
}

/** Wraps a connected socket in TLS, verifying as the resolved settings say. */
function upgradeToTls(socket: net.Socket, target: TransportTarget, opts: TransportOptions): Promise<tls.TLSSocket> {
  const options: tls.ConnectionOptions = {
    ...opts.ssl.tlsOptions,
    socket,
    // SNI carries host names only (RFC 6066 section 3).
    servername: net.isIP(target.host) === 0 ? target.host : undefined,
  };
  return new Promise((resolve, reject) => {
    const tlsSocket = tls.connect(options);
    const onError = (err: Error): void => {
      tlsSocket.destroy();
      reject(new ConnectionError(`TLS handshake with ${describeTarget(target)} failed: ${err.message}`, {
        cause: err, host: target.host, port: target.port,
      }));
    };
    tlsSocket.once('error', onError);
    tlsSocket.once('secureConnect', () => {
      tlsSocket.off('error', onError);
      resolve(tlsSocket);
    });
  });
}

/**
 * Opens a connection to `target` ready for the StartupMessage: TCP or Unix socket, then TLS as `sslMode` asks.
 * Under `require` and stricter, a server without TLS is an error, never a silent plaintext fallback.
 */
export async function openTransport(
  target: TransportTarget,
  opts: TransportOptions,
  signal: AbortSignal,
): Promise<net.Socket> {
  const socket = await openSocket(target, opts, signal);
  const mode = opts.ssl.mode;
  if (mode === 'disable' || mode === 'allow' || target.socketPath !== undefined) return socket;
  try {
    // sslnegotiation=direct (PostgreSQL 17+): TLS from the first byte, no SSLRequest round trip.
    if (opts.ssl.negotiation === 'direct') return await upgradeToTls(socket, target, opts);
    const accepted = await askForTls(socket, target);
    if (!accepted) {
      if (mode === 'prefer') return socket;
      socket.destroy();
      throw new ConnectionError(`server at ${describeTarget(target)} does not support TLS, but sslmode is ${mode}`, {
        host: target.host, port: target.port,
      });
    }
    return await upgradeToTls(socket, target, opts);
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
