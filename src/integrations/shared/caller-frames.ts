/**
 * Appends the current caller's frames to an error's stack. A database error is built where pgjet reads the
 * server's reply, so its own stack ends in socket callbacks; called from the `catch` of the async function
 * the application awaited, `new Error().stack` holds that chain of `await`s (V8's async stack traces). Kysely's
 * own PostgresDriver does the same for node-postgres' errors, and Kysely's tests expect it.
 */
export function withCallerFrames(err: unknown): unknown {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return err;
  const here = new Error().stack;
  if (here === undefined) return err;
  // The first line is this helper's own "Error" message line; the frames follow.
  err.stack += here.slice(here.indexOf('\n'));
  return err;
}
