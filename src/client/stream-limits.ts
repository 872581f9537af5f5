/**
 * Timeouts and aborts for every request: queries (through run.ts), COPY and cursors (README, "Queries" and
 * "Timeouts"). A call not yet written is withdrawn (`safeToRetry`); once written, the request itself decides how
 * to stop, because a CancelRequest is not always what works: COPY FROM STDIN is stopped by pgjet's own
 * CopyFail, a cursor idle between batches has nothing running on the server. When the server must be
 * interrupted, the CancelRequest is sent only while the request is the running call, and later writes are
 * fenced until its ReadyForQuery and the cancel's delivery (docs/ARCHITECTURE.md, "Rules the connection keeps"), so it cannot hit
 * the next query. Whatever happens after that, `cancelTimeout` bounds it (see {@link limitRequest}).
 */
import { CopyOutInterrupted, sendCancelRequest, type Request, type Session } from '../connection/index.js';
import { AbortError, ConnectionError, QueryCanceledError, TimeoutError } from '../errors/index.js';
import { subscribeAbort } from '../internal/index.js';

/** Limits for one call. */
export interface CallLimits {
  /** Milliseconds, or undefined for none. */
  timeout?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** Limits of one step of a longer operation: `totalTimeout` is the caller's figure, quoted in messages. */
export interface StepLimits extends CallLimits {
  /** The whole operation's timeout, when this step only has what is left of it. */
  totalTimeout?: number;
}

/** Makes the error a timeout or abort turns into; `sent` says whether anything reached the server. */
export function interruption(kind: 'timeout' | 'abort', limits: StepLimits, sent: boolean, cause?: unknown): Error {
  if (kind === 'timeout') {
    return new TimeoutError(`query timed out after ${limits.totalTimeout ?? limits.timeout} ms`, { cause, safeToRetry: !sent });
  }
  return new AbortError('query aborted', { cause: cause ?? limits.signal?.reason, safeToRetry: !sent });
}

/** Sends one CancelRequest for `req`, once it is the call the server is running, and fences later writes. */
export function serverCanceller(session: Session, req: Request): () => void {
  let isSent = false;
  return () => {
    if (isSent) return;
    isSent = true;
    const wire = session.wire;
    wire.whenRunning(req, () => {
      wire.fence(req, sendCancelRequest(session, session.config.cancelTimeout).catch(() => undefined));
    });
  };
}

/** Throws the abort error at once when `signal` is already aborted (nothing was sent). */
export function checkNotAborted(limits: CallLimits): void {
  if (limits.signal?.aborted === true) throw interruption('abort', limits, false, limits.signal.reason);
}

/** The default way to stop a written request: a CancelRequest. */
const cancelOnly = (cancelOnServer: () => void): void => cancelOnServer();

/** The error a call's own failure becomes once it was interrupted: the interruption, with the failure as cause. */
function afterInterruption(kind: 'timeout' | 'abort', limits: StepLimits, err: unknown): unknown {
  // 57014 is the cancel taking effect; CopyOutInterrupted is pgjet stopping a COPY TO STDOUT itself.
  if (err instanceof QueryCanceledError) return interruption(kind, limits, true, err);
  if (err instanceof CopyOutInterrupted) return interruption(kind, limits, true);
  return err;
}

/**
 * Applies `limits` to a queued request whose outcome is `promise`, so that the call ends by its timeout (or
 * abort) plus the connection's `cancelTimeout`, whatever the server does:
 *
 * - not written yet: withdrawn, rejected at once (`safeToRetry`);
 * - written: stopped by `interrupt` (by default a CancelRequest; COPY and cursor requests pass their own), and
 *   the rejection waits for the request to end, so the connection stays in step with the server;
 * - still not ended `cancelTimeout` ms later (a stalled stream, a lost cancel): the connection is abandoned;
 *   the call rejects with the interruption whose `cause` is the `ConnectionError` that closed it.
 *
 * Once interrupted the call never resolves: an answer that raced the deadline is dropped and the call rejects
 * (not retryable, the statement ran). Rejections caused by the interruption (the server's 57014) become
 * `TimeoutError` / `AbortError` with the server error as `cause`.
 */
export function limitRequest<T>(
  session: Session,
  limits: StepLimits,
  req: Request,
  promise: Promise<T>,
  interrupt: (cancelOnServer: () => void) => unknown = cancelOnly,
): Promise<T> {
  const { timeout, signal } = limits;
  if (timeout === undefined && signal === undefined) return promise;
  const wire = session.wire;
  return new Promise<T>((resolve, reject) => {
    let interrupted: 'timeout' | 'abort' | null = null;
    let timer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    let isSettled = false;
    const settle = (): boolean => {
      if (isSettled) return false;
      isSettled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      unsubscribe?.();
      wire.forgetRunning(req);
      return true;
    };
    const abandon = (kind: 'timeout' | 'abort'): void => {
      if (!settle()) return;
      const grace = session.config.cancelTimeout;
      const reason = new ConnectionError(
        `connection to ${wire.description} abandoned: a call stopped by its ${kind} got no answer within ${grace} ms (cancelTimeout)`,
      );
      reject(interruption(kind, limits, true, reason));
      wire.destroy(reason);
    };
    const stop = (kind: 'timeout' | 'abort'): void => {
      if (interrupted !== null || isSettled) return;
      interrupted = kind;
      clearTimeout(timer);
      unsubscribe?.();
      if (wire.withdraw(req)) {
        settle();
        reject(interruption(kind, limits, false));
        return;
      }
      graceTimer = setTimeout(() => abandon(kind), session.config.cancelTimeout);
      interrupt(serverCanceller(session, req));
    };
    if (timeout !== undefined) timer = setTimeout(() => stop('timeout'), timeout);
    if (signal?.aborted === true) stop('abort');
    else if (signal !== undefined) unsubscribe = subscribeAbort(signal, () => stop('abort'));
    promise.then(
      (value) => {
        if (!settle()) return;
        if (interrupted === null) resolve(value);
        else reject(interruption(interrupted, limits, true));
      },
      (err: unknown) => {
        if (!settle()) return;
        reject(interrupted === null ? err : afterInterruption(interrupted, limits, err));
      },
    );
  });
}

/**
 * A time budget for an operation made of several round trips (COPY with arguments: prepare, render, COPY):
 * each step gets what is left of the caller's `timeout`.
 */
export class Deadline {
  readonly #limits: CallLimits;
  readonly #end: number | undefined;

  /** @param limits the caller's timeout and signal. */
  constructor(limits: CallLimits) {
    this.#limits = limits;
    this.#end = limits.timeout === undefined ? undefined : Date.now() + limits.timeout;
  }

  /** The original limits, for error messages. */
  get limits(): CallLimits {
    return this.#limits;
  }

  /** Limits for the next step; throws the timeout (or abort) error when nothing is left. */
  next(): StepLimits {
    checkNotAborted(this.#limits);
    if (this.#end === undefined) return this.#limits;
    const left = this.#end - Date.now();
    if (left <= 0) throw interruption('timeout', this.#limits, false);
    return { timeout: left, signal: this.#limits.signal, totalTimeout: this.#limits.timeout };
  }
}
