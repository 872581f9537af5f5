/**
 * CancelRequest (protocol docs, "Canceling Requests in Progress"): a separate connection carrying the target
 * session's process id and secret key. The server answers nothing; it closes the side connection once it has
 * read the request. One deadline covers the whole exchange (connect, TLS, write, the server's close), so a
 * cancel never hangs on a dead network or a server that accepts and then stalls.
 */
import { TimeoutError } from '../errors/index.js';
import { ByteWriter } from '../internal/index.js';
import { writeCancelRequest } from '../protocol/index.js';
import type { Session } from './session.js';
import { describeTarget, openTransport, type TransportOptions, type TransportTarget } from './transport.js';

/** Default limit for one cancel exchange, in milliseconds. */
export const CANCEL_TIMEOUT = 10_000;

/** The backend to cancel, from its BackendKeyData. */
export interface CancelKey {
  /** The backend's process id. */
  processId: number;
  /** Its secret key (4 bytes before protocol 3.2, up to 256 after). */
  secretKey: Uint8Array;
}

/**
 * Sends a CancelRequest for `key` to `target` over a fresh socket (TLS as `opts.ssl` says). Resolves once the
 * server has closed the side connection (it processed the request); rejects with a `TimeoutError` when that
 * has not happened within `timeoutMs`, or with the transport's `ConnectionError`. Settles within `timeoutMs`
 * (plus a tick) in every case, and leaves no socket behind.
 */
export async function sendCancelRequestTo(
  target: TransportTarget,
  opts: TransportOptions,
  key: CancelKey,
  timeoutMs = CANCEL_TIMEOUT,
): Promise<void> {
  const where = describeTarget(target);
  const timedOut = (): TimeoutError =>
    new TimeoutError(`cancel request to ${where} got no answer within ${timeoutMs} ms`, { safeToRetry: true });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timedOut()), timeoutMs);
  try {
    // Cancelling is best effort: keepalives would only matter for a socket that lives longer than the deadline.
    const socket = await openTransport(target, { ...opts, keepAlive: false }, controller.signal);
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        socket.destroy();
        reject(controller.signal.reason);
      };
      if (controller.signal.aborted) {
        onAbort();
        return;
      }
      controller.signal.addEventListener('abort', onAbort, { once: true });
      // A reset after the server read the request still means it was delivered; 'close' follows.
      socket.on('error', () => undefined);
      socket.once('close', () => {
        controller.signal.removeEventListener('abort', onAbort);
        resolve();
      });
      const w = new ByteWriter(16);
      writeCancelRequest(w, key.processId, key.secretKey);
      // Write without half-closing: PgBouncer takes an early FIN for a client that gave up and drops the
      // forwarded cancel. The server closes the socket once it has acted on the request (libpq waits likewise).
      socket.write(w.take());
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Sends a CancelRequest for `session`'s backend to the host it is connected to; see {@link sendCancelRequestTo}. */
export function sendCancelRequest(session: Session, timeoutMs = CANCEL_TIMEOUT): Promise<void> {
  return sendCancelRequestTo(
    session.host,
    session.config,
    { processId: session.wire.processId, secretKey: session.wire.secretKey },
    timeoutMs,
  );
}
