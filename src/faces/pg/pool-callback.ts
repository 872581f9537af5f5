/**
 * pg-pool's dual calling convention: each operation takes an optional Node-style callback and returns a promise
 * only when no callback was given, so callback users never get a promise that could reject unobserved.
 */
import type { PromiseConstructorOption, ReleaseFunction } from './pool-types.js';

/** The Node-style callback an operation completes through; `extra` carries `pool.connect`'s release function. */
export type Completer<T> = (err: Error | undefined, value?: T, extra?: ReleaseFunction) => void;

/** One operation's completion: the callback to call, and the promise to return (undefined with a callback). */
export interface Completion<T> {
  /** Completes the operation. */
  complete: Completer<T>;
  /** What the operation returns to its caller. */
  result: PromiseLike<T> | undefined;
}

/**
 * Wraps the caller's callback, or makes a promise (of the pool's promise class) completed by the returned
 * function. A rejection's stack is recaptured where it is rethrown, because the original one usually starts at
 * the socket read and says nothing about the caller.
 */
export function completion<T>(PromiseClass: PromiseConstructorOption, callback?: Completer<T>): Completion<T> {
  if (callback) return { complete: callback, result: undefined };
  let settle: Completer<T> = () => undefined;
  const promise = new PromiseClass<T>((resolve, reject) => {
    settle = (err, value) => (err ? reject(err) : resolve(value as T));
  });
  const result = promise.then(undefined, (err: unknown) => {
    if (err !== null && typeof err === 'object') Error.captureStackTrace(err);
    throw err;
  });
  return { complete: (err, value) => settle(err, value), result };
}

/** A promise of the pool's class, already rejected with `err`. */
export function rejected<T>(PromiseClass: PromiseConstructorOption, err: Error): PromiseLike<T> {
  return new PromiseClass<T>((_resolve, reject) => reject(err));
}

/** Runs `fn` and turns its result, a thrown error included, into a promise of the pool's class. */
export function promiseTry(PromiseClass: PromiseConstructorOption, fn: () => unknown): PromiseLike<unknown> {
  const withTry = PromiseClass as PromiseConstructorOption & { try?: (f: () => unknown) => PromiseLike<unknown> };
  if (typeof withTry.try === 'function') return withTry.try(fn);
  return new PromiseClass<unknown>((resolve) => resolve(fn()));
}
