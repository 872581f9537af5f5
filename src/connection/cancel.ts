/**
 * CancelRequest (protocol docs, "Canceling Requests in Progress"): a separate connection carrying the target
 * session's process id and secret key. It has its own timeout, so a cancel never hangs on a dead network.
 */
import { ByteWriter } from '../internal/index.js';
import { writeCancelRequest } from '../protocol/index.js';
import type { Session } from './session.js';
import { openTransport } from './transport.js';

/** Sends a CancelRequest for `session`; resolves when the server closed the side socket or the timeout passed. */
export async function sendCancelRequest(session: Session, timeoutMs = 10_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const socket = await openTransport(session.host, session.config, signal);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
    const w = new ByteWriter(16);
    writeCancelRequest(w, session.wire.processId, session.wire.secretKey);
    socket.end(w.take());
  });
}
