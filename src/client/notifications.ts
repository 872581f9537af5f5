/**
 * LISTEN/NOTIFY. `listen(channel, cb)` issues LISTEN once per channel (however many callbacks) and returns the
 * function that removes the callback, issuing UNLISTEN when the channel's last one goes. The wire reports each
 * NotificationResponse as it arrives, between or during queries; `dispatchNotification` hands it to the
 * channel's callbacks in registration order. A callback that throws (or rejects) is reported through the
 * connection's `'error'` event when someone listens, else as a process warning, and the others still run.
 */
import type { Session } from '../connection/index.js';
import { InterfaceError, withCallerStack } from '../errors/index.js';
import type { Connection } from './connection.js';
import { execute } from './query.js';
import { quoteIdentifier } from './sql.js';
import { reportCallbackError } from './tracing.js';

/** Called for each notification on a channel: the payload ('' when none), the channel, the sender's pid. */
export type NotificationCallback = (payload: string, channel: string, processId: number) => void | Promise<void>;

/** One `listen()` call's registration (a callback may be registered twice, and removed once per call). */
interface Registration {
  readonly callback: NotificationCallback;
}

/** A channel this session listens on. */
interface ChannelEntry {
  readonly registrations: Set<Registration>;
  /** Settles when the LISTEN has run. */
  readonly listening: Promise<void>;
}

/** Per session (not per facade object, so a pool's proxy and the connection share one registry). */
const registries = new WeakMap<Session, Map<string, ChannelEntry>>();

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes; a longer channel would never match. */
const MAX_CHANNEL_BYTES = 63;

function checkChannel(channel: unknown): string {
  if (typeof channel !== 'string' || channel.length === 0) throw new InterfaceError('the channel must be a non-empty string');
  if (Buffer.byteLength(channel) > MAX_CHANNEL_BYTES) {
    throw new InterfaceError(`the channel name is longer than ${MAX_CHANNEL_BYTES} bytes, PostgreSQL's limit for identifiers`);
  }
  return channel;
}

/**
 * Subscribes `callback` to `channel`; resolves, once the LISTEN has run, with the function that unsubscribes
 * it (idempotent; UNLISTEN follows when no callback is left on the channel).
 */
export async function listen(conn: Connection, channel: string, callback: NotificationCallback): Promise<() => Promise<void>> {
  try {
    const name = checkChannel(channel);
    if (typeof callback !== 'function') throw new InterfaceError('listen() needs a callback function');
    const session = conn.session;
    if (session.config.pgbouncer) {
      throw new InterfaceError(
        'LISTEN does not work behind a transaction-mode pooler (pgbouncer: true): notifications go to whichever server connection ran LISTEN; connect directly to PostgreSQL for listening',
      );
    }
    let channels = registries.get(session);
    if (channels === undefined) {
      channels = new Map();
      registries.set(session, channels);
    }
    const registry = channels;
    let entry = registry.get(name);
    if (entry === undefined) {
      const listening = execute(session, `LISTEN ${quoteIdentifier(name)}`).then(() => undefined);
      const created: ChannelEntry = { registrations: new Set(), listening };
      listening.catch(() => {
        if (registry.get(name) === created) registry.delete(name);
      });
      registry.set(name, created);
      entry = created;
    }
    const registration: Registration = { callback };
    entry.registrations.add(registration);
    const current = entry;
    try {
      await current.listening;
    } catch (err) {
      current.registrations.delete(registration);
      throw err;
    }
    let isActive = true;
    return async (): Promise<void> => {
      if (!isActive) return;
      isActive = false;
      current.registrations.delete(registration);
      // Nothing to do on the server if the channel has other callbacks, or if its registry was cleared
      // (clearListeners: the pool already ran UNLISTEN *, and a later LISTEN may belong to someone else).
      if (current.registrations.size > 0 || registry.get(name) !== current || registries.get(session) !== registry) return;
      registry.delete(name);
      if (!session.wire.isClosed) await execute(session, `UNLISTEN ${quoteIdentifier(name)}`);
    };
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** Hands one notification to its channel's callbacks (called by the connection for every NotificationResponse). */
export function dispatchNotification(conn: Connection, channel: string, payload: string, processId: number): void {
  const entry = registries.get(conn.session)?.get(channel);
  if (entry === undefined) return;
  // A snapshot: callbacks added or removed by a callback take effect from the next notification.
  for (const { callback } of [...entry.registrations]) {
    try {
      const result = callback(payload, channel, processId);
      if (result !== undefined && typeof (result as Partial<Promise<void>>).then === 'function') {
        result.then(undefined, (err: unknown) => reportCallbackError(conn, err, `a listener on channel "${channel}"`));
      }
    } catch (err) {
      reportCallbackError(conn, err, `a listener on channel "${channel}"`);
    }
  }
}

/** The channels this connection listens on (for a pool that re-LISTENs after a reconnect). */
export function listeningChannels(conn: Connection): string[] {
  return [...(registries.get(conn.session)?.keys() ?? [])];
}

/**
 * Forgets every callback of this connection without sending UNLISTEN: for a pool whose reset runs
 * `UNLISTEN *` before lending the connection again (the next borrower's `listen()` then LISTENs afresh, and
 * the previous borrower's callbacks never see its notifications).
 */
export function clearListeners(conn: Connection): void {
  registries.delete(conn.session);
}

/** NOTIFY through `pg_notify`, so the channel and payload travel as parameters, never as SQL text. */
export async function notify(session: Session, channel: string, payload = ''): Promise<void> {
  try {
    const name = checkChannel(channel);
    if (typeof payload !== 'string') throw new InterfaceError('the notification payload must be a string');
    await execute(session, 'SELECT pg_notify($1, $2)', [name, payload]);
  } catch (err) {
    throw withCallerStack(err);
  }
}
