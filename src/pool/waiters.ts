/**
 * The acquire queue: callers waiting for a connection, served first in, first out. A doubly linked list,
 * because waiters leave from the middle (timeout, abort) and must leave at once: a queue that only skipped
 * dead entries lazily would grow without bound while the pool stays exhausted.
 */
import { AbortError } from '../errors/index.js';
import { subscribeAbort } from '../internal/index.js';

/** The two ways out of the queue for a waiter that is served or failed by the pool. */
export interface Waiter<T> {
  /** Hands the waiter what it waited for. */
  resolve(value: T): void;
  /** Fails the wait (the pool is closing, a connection could not be opened). */
  reject(reason: unknown): void;
}

interface WaiterNode<T> extends Waiter<T> {
  prev: WaiterNode<T> | null;
  next: WaiterNode<T> | null;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Ends the abort subscription (one listener per signal however many waiters share it; internal/abort.ts). */
  unsubscribe?: () => void;
}

/** A FIFO of waiters with O(1) removal from anywhere. */
export class WaiterQueue<T> {
  #head: WaiterNode<T> | null = null;
  #tail: WaiterNode<T> | null = null;
  #length = 0;

  /** Waiters currently queued (timed-out and aborted ones are gone already). */
  get length(): number {
    return this.#length;
  }

  /**
   * Queues a waiter. After `timeoutMs` (unless `Infinity`) it leaves the queue and rejects with
   * `timeoutError()`; when `signal` aborts, with an `AbortError` whose cause is the signal's reason.
   */
  wait(timeoutMs: number, signal: AbortSignal | undefined, timeoutError: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const node: WaiterNode<T> = { resolve, reject, prev: this.#tail, next: null, timer: undefined, signal, onAbort: undefined };
      if (this.#tail === null) this.#head = node;
      else this.#tail.next = node;
      this.#tail = node;
      this.#length++;
      if (Number.isFinite(timeoutMs)) {
        node.timer = setTimeout(() => {
          this.#unlink(node);
          reject(timeoutError());
        }, timeoutMs);
      }
      if (signal !== undefined) {
        node.onAbort = () => {
          this.#unlink(node);
          reject(new AbortError('acquire() was aborted', { cause: signal.reason, safeToRetry: true }));
        };
        node.unsubscribe = subscribeAbort(signal, node.onAbort);
      }
    });
  }

  /** Removes and returns the oldest waiter, or undefined. */
  shift(): Waiter<T> | undefined {
    const node = this.#head;
    if (node === null) return undefined;
    this.#unlink(node);
    return node;
  }

  /** Fails every waiter with `reason` (the pool is closing). */
  rejectAll(reason: unknown): void {
    for (let w = this.shift(); w !== undefined; w = this.shift()) w.reject(reason);
  }

  #unlink(node: WaiterNode<T>): void {
    clearTimeout(node.timer);
    node.unsubscribe?.();
    node.unsubscribe = undefined;
    node.timer = undefined;
    node.onAbort = undefined;
    // A node already unlinked (served, then its timer raced in) has both links null and is not the head.
    if (node.prev === null && this.#head !== node) return;
    if (node.prev === null) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    this.#length--;
  }
}
