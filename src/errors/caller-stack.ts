/**
 * Gives an error the stack of the code that called pgjet.
 *
 * Most failures are detected far from the caller: a server's ErrorResponse is parsed in the socket's data
 * handler, a timeout fires in a timer, a dead socket reports from its 'close' event. An error built there has
 * a stack of pgjet's internals only. Each public async verb (fetch, execute, a transaction's COMMIT, a
 * cursor, a COPY, a pool's acquire) therefore passes what it rejects with through {@link withCallerStack} in a
 * catch clause: there V8's async stack traces reach through every `await` up to the caller's own frames. The
 * success path pays nothing (no `new Error()` per call, and V8's try/catch is free when nothing is thrown).
 */
import { PgjetError } from './base.js';

/** Errors already re-stamped: the innermost verb sees the longest chain, an outer verb must not shorten it. */
const stamped = new WeakSet<Error>();

/**
 * Replaces the stack of a pgjet error with the current one (its first line, `Name: message`, stays) and
 * returns the error, for `catch (err) { throw withCallerStack(err); }`. Anything that is not a `PgjetError`
 * (a user's callback error, an abort reason) is returned untouched: its stack is its owner's.
 */
export function withCallerStack(err: unknown): unknown {
  if (!(err instanceof PgjetError) || stamped.has(err)) return err;
  stamped.add(err);
  Error.captureStackTrace(err, withCallerStack);
  return err;
}
