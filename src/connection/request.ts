import type { Wire } from './wire.js';

/**
 * One unit of work on a connection: everything written up to and including its Sync, and the responses up to
 * its ReadyForQuery. The wire writes requests strictly in call order and routes each response to the oldest
 * request still in flight.
 */
export interface Request {
  /**
   * Writes the request's messages to `wire.writer`. Returns false when it settled without writing anything
   * (e.g. a parameter failed to encode): the wire then forgets it. A request that must see a response before
   * writing the rest (a first-time statement's Describe) calls `wire.hold(this)` and later `wire.release(this)`.
   */
  write(wire: Wire): boolean;
  /** Any response other than ReadyForQuery and the asynchronous messages (notices, notifications, status). */
  handleMessage(code: number, buf: Buffer, start: number, end: number): void;
  /** A ReadyForQuery; returns true when the request is complete and leaves the in-flight queue. */
  handleReadyForQuery(status: 'I' | 'T' | 'E'): boolean;
  /** The connection failed; `written` says whether any of the request reached the socket. */
  fail(err: Error, written: boolean): void;
}
