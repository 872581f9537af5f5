/**
 * The client's extension point for submittables (`client.query(obj)` where `obj.submit` is a function:
 * pg-cursor, pg-query-stream, pg-copy-streams). The module that runs them installs itself here and reaches a
 * client only through {@link SubmittableHost}, so the client's other state stays private.
 */
import type { Connection, QueryOptions } from '../../index.js';
import type { Client } from './client.js';
import type { TypeParserSource } from './types.js';

/**
 * What the submittable module (`client.query(submittable)`: pg-cursor, pg-query-stream, pg-copy-streams)
 * needs from a client, kept to this interface so the client's other state stays private. Obtained through
 * {@link submittableHost}.
 */
export interface SubmittableHost {
  /** The client, for events (`'error'`, `'notice'`) and `processID`. */
  readonly client: Client;
  /** Resolves with the pgjet connection once connected; rejects when the client cannot run queries. */
  connection(): Promise<Connection>;
  /** The client's parsers (its `types` option and `setTypeParser` calls, over `pg.types`). */
  readonly typeParsers: TypeParserSource;
  /** pgjet `types` overrides that give pg's values for `source` (default: the client's parsers). */
  overrides(source?: TypeParserSource): QueryOptions['types'];
  /**
   * Runs `fn` with the connection to itself: calls made on the client after this one wait until the returned
   * promise settles (a cursor's portal or a COPY must not interleave with other queries).
   */
  exclusive<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** pg's error for a query the client cannot run now (closed, broken), or null when it can. */
  unusableError(): Error | null;
}

/** Anything `client.query()` hands to the submittable module: an object with a `submit` method (pg-cursor, …). */
export interface Submittable {
  /** Called by pg with its connection; the face passes it to the submittable module instead. */
  submit: (...args: never[]) => unknown;
}

/** Runs a submittable (an object with `submit()`) on a client; installed by the submittable module. */
export type SubmitHandler = (host: SubmittableHost, submittable: object, values: unknown, callback: unknown) => unknown;

let submitHandler: SubmitHandler | null = null;

/** The installed handler, or null. */
export function currentSubmitHandler(): SubmitHandler | null {
  return submitHandler;
}

/** Installs the function that runs `client.query(submittable)` calls (the submittable module does this). */
export function installSubmitHandler(handler: SubmitHandler): void {
  submitHandler = handler;
}

const hosts = new WeakMap<Client, SubmittableHost>();

/** Called by each client as it is built. */
export function registerHost(client: Client, host: SubmittableHost): void {
  hosts.set(client, host);
}

/** The submittable interface of a client. */
export function submittableHost(client: Client): SubmittableHost {
  const host = hosts.get(client);
  if (host === undefined) throw new TypeError('not a pgjet/pg Client');
  return host;
}

