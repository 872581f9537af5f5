/**
 * `pool.query`: pg-pool's one-statement borrowing, kept apart from the pool's bookkeeping because it uses only
 * the pool's public surface (`connect`, `Promise`, `log`).
 */
import { completion, type Completer } from './pool-callback.js';
import type { Pool } from './pool.js';
import type { PoolableClient, ReleaseFunction } from './pool-types.js';

type QueryCallback = Completer<unknown>;

/** `pool.query`: borrows a client, runs the statement, releases the client with the statement's error if any. */
export function runPoolQuery(pool: Pool, text: unknown, values: unknown, callback: unknown): unknown {
  if (typeof text === 'function') {
    const { complete, result } = completion(pool.Promise, text as QueryCallback);
    setImmediate(() => complete(new Error('Passing a function as the first parameter to pool.query is not supported')));
    return result;
  }
  if (typeof values === 'function') {
    callback = values;
    values = undefined;
  }
  const { complete, result } = completion(pool.Promise, callback as QueryCallback | undefined);
  pool.connect((connectError, borrowed) => {
    if (connectError || !borrowed) return complete(connectError);
    const client = borrowed as unknown as PoolableClient & { release: ReleaseFunction };
    let isSettled = false;
    // A client that fails mid-statement may report it only as an event, never through the callback.
    const onError = (err: Error): void => {
      if (isSettled) return;
      isSettled = true;
      client.release(err);
      complete(err);
    };
    client.once?.('error', onError);
    pool.log('dispatching query');
    try {
      client.query?.(text, values, (err, res) => {
        pool.log('query dispatched');
        client.removeListener?.('error', onError);
        if (isSettled) return;
        isSettled = true;
        client.release(err);
        if (err) return complete(err);
        complete(undefined, res);
      });
    } catch (err) {
      client.removeListener?.('error', onError);
      isSettled = true;
      client.release(err as Error);
      complete(err as Error);
    }
  });
  return result;
}
