/**
 * One `'abort'` listener per signal, however many calls wait on it. Node warns (MaxListenersExceededWarning)
 * once an AbortSignal has more than ten listeners, and an application commonly passes one signal (a request's,
 * a shutdown's) to every call it makes; so the calls subscribe here, and the signal sees one listener that
 * runs them all.
 */

/** The signal's one listener and the callbacks it runs. */
interface Subscription {
  readonly listener: () => void;
  readonly callbacks: Set<() => void>;
}

const subscriptions = new WeakMap<AbortSignal, Subscription>();

/**
 * Calls `onAbort` once when `signal` aborts (not if it already has: the caller checks `signal.aborted`).
 * Returns the unsubscribe function; unsubscribing the last callback removes the signal's listener.
 */
export function subscribeAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let sub = subscriptions.get(signal);
  if (sub === undefined) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      subscriptions.delete(signal);
      // A callback may unsubscribe others while this runs: iterate over a snapshot, skipping those removed.
      for (const fn of [...callbacks]) if (callbacks.has(fn)) fn();
      callbacks.clear();
    };
    sub = { listener, callbacks };
    subscriptions.set(signal, sub);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
  const entry = (): void => onAbort();
  const { callbacks, listener } = sub;
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    if (subscriptions.get(signal)?.callbacks === callbacks) subscriptions.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}
