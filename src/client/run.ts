/**
 * Timeouts and aborts for any request (README, "Queries" and "Timeouts"): a call not yet written is withdrawn
 * (`safeToRetry`); a written one is cancelled on the server only while it is the running call, with later
 * writes fenced until its ReadyForQuery and the cancel's delivery, so the cancel cannot hit the next query;
 * and a call the server does not end within `cancelTimeout` after that is abandoned with its connection.
 * The machine itself is {@link limitRequest}, shared with COPY and cursors.
 */
import type { Request, Session } from '../connection/index.js';
import { interruption, limitRequest, type CallLimits, type StepLimits } from './stream-limits.js';

export type { CallLimits };

/** A queued request and the promise of its result. */
export interface Running<T> {
  /** The request as queued on the wire. */
  readonly request: Request;
  /** Its own outcome. */
  readonly promise: Promise<T>;
}

/**
 * Queues a request via `start` and applies the limits. Without limits this adds nothing to the hot path; with
 * an already aborted signal nothing is queued.
 */
export function runLimited<T>(session: Session, limits: StepLimits, start: () => Running<T>): Promise<T> {
  const { timeout, signal } = limits;
  if (timeout === undefined && signal === undefined) return start().promise;
  if (signal?.aborted === true) return Promise.reject(interruption('abort', limits, false, signal.reason));
  const running = start();
  return limitRequest(session, limits, running.request, running.promise);
}
