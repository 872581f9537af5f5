/**
 * Timeouts and aborts for any request (API.md, "Timeouts and aborts"): a call not yet written is withdrawn
 * (`safeToRetry`); a written one is cancelled on the server only while it is the running call, with later
 * writes fenced until its ReadyForQuery and the cancel's delivery, so the cancel cannot hit the next query.
 */
import { sendCancelRequest, type Request, type Session } from '../connection/index.js';
import { AbortError, QueryCanceledError, TimeoutError } from '../errors/index.js';

/** A queued request and the promise of its result. */
export interface Running<T> {
  /** The request as queued on the wire. */
  readonly request: Request;
  /** Its own outcome. */
  readonly promise: Promise<T>;
}

/** Limits for one call. */
export interface CallLimits {
  /** Milliseconds, or undefined for none. */
  timeout?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** Makes the error a timeout or abort turns into. */
function interruption(kind: 'timeout' | 'abort', limits: CallLimits, sent: boolean, cause?: unknown): Error {
  if (kind === 'timeout') {
    return new TimeoutError(`query timed out after ${limits.timeout} ms`, { cause, safeToRetry: !sent });
  }
  return new AbortError('query aborted', { cause: cause ?? limits.signal?.reason, safeToRetry: !sent });
}

/**
 * Queues a request via `start` and applies the limits. Without limits this adds nothing to the hot path.
 */
export function runLimited<T>(session: Session, limits: CallLimits, start: () => Running<T>): Promise<T> {
  const { timeout, signal } = limits;
  if (timeout === undefined && signal === undefined) return start().promise;
  if (signal?.aborted === true) return Promise.reject(interruption('abort', limits, false, signal.reason));
  const running = start();
  const wire = session.wire;
  return new Promise<T>((resolve, reject) => {
    let interrupted: 'timeout' | 'abort' | null = null;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      wire.forgetRunning(running.request);
    };
    const interrupt = (kind: 'timeout' | 'abort'): void => {
      if (interrupted !== null) return;
      interrupted = kind;
      if (wire.withdraw(running.request)) {
        cleanup();
        reject(interruption(kind, limits, false));
        return;
      }
      wire.whenRunning(running.request, () => {
        // Later writes wait for this call's ReadyForQuery and for the cancel's delivery (see Wire.fence).
        wire.fence(running.request, sendCancelRequest(session).catch(() => undefined));
      });
    };
    const onAbort = (): void => interrupt('abort');
    if (timeout !== undefined) timer = setTimeout(() => interrupt('timeout'), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    running.promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        if (interrupted !== null && err instanceof QueryCanceledError) reject(interruption(interrupted, limits, true, err));
        else reject(err);
      },
    );
  });
}
