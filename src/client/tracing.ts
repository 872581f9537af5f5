/**
 * Query logging and tracing. The `'query'` event and the `node:diagnostics_channel` TracingChannels
 * `pgjet:query` and `pgjet:connect` let loggers, OpenTelemetry and APM tools observe pgjet without patching
 * it. Both cost nothing unless observed: each call checks `listenerCount('query')` and `hasSubscribers` once
 * and otherwise runs untouched.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { QueryObserver, ResolvedConfig, Session } from '../connection/index.js';
import type { Connection } from './connection.js';

/** What a `'query'` listener receives once a call settles. */
export interface QueryEvent {
  /** The SQL text as sent (a COPY statement for COPY calls). */
  sql: string;
  /** Wall time from the call to its outcome, in milliseconds (queueing behind earlier calls included). */
  durationMs: number;
  /** Rows returned or affected (0 on error). */
  rowCount: number;
  /** The error the call rejected with, if it did. */
  error?: Error;
}

/**
 * The context object of a `pgjet:query` trace. Node sets `result` or `error` on it when the call settles
 * (TracingChannel `asyncEnd` / `error`).
 */
export interface QueryTraceContext {
  /** The SQL text. */
  sql: string;
  /** The database name. */
  database: string;
  /** The login role. */
  user: string;
  /** Server host (or socket directory). */
  host: string;
  /** Server port. */
  port: number;
  /** The backend process id. */
  processId: number;
  /** Set by Node on success. */
  result?: unknown;
  /** Set by Node on failure. */
  error?: unknown;
}

/** The context object of a `pgjet:connect` trace; `result` is the `Connection`. */
export interface ConnectTraceContext {
  /** The database name. */
  database: string;
  /** The login role. */
  user: string;
  /** The hosts to be tried, as `host:port` joined by commas. */
  hosts: string;
  /** Set by Node on success. */
  result?: unknown;
  /** Set by Node on failure. */
  error?: unknown;
}

/** `pgjet:query`: one trace per query call (start, asyncStart/asyncEnd, error). */
export const queryChannel = tracingChannel<QueryTraceContext, QueryTraceContext>('pgjet:query');

/** `pgjet:connect`: one trace per `connect()`. */
export const connectChannel = tracingChannel<ConnectTraceContext, ConnectTraceContext>('pgjet:connect');

/**
 * Reports an error thrown by user code pgjet called (a notification callback, a `'query'` listener): as an
 * `'error'` event when the connection has a listener for it, else as a process warning, never as an
 * `'error'` event nobody listens to (which would crash the process).
 */
export function reportCallbackError(conn: Connection, err: unknown, what: string): void {
  const error = err instanceof Error ? err : new Error(String(err));
  if (conn.listenerCount('error') > 0) {
    conn.emit('error', error);
    return;
  }
  process.emitWarning(`pgjet: ${what} threw: ${error.message}`, { type: 'PgjetWarning', detail: error.stack });
}

function emitQuery(conn: Connection, event: QueryEvent): void {
  try {
    conn.emit('query', event);
  } catch (err) {
    reportCallbackError(conn, err, "a 'query' listener");
  }
}

function traceContext(session: Session, sql: string): QueryTraceContext {
  return {
    sql,
    database: session.config.database,
    user: session.config.user,
    host: session.host.host,
    port: session.host.port,
    processId: session.wire.processId,
  };
}

async function observe<T>(conn: Connection, sql: string, run: () => Promise<T>, countRows: (result: T) => number, isListening: boolean): Promise<T> {
  const started = performance.now();
  try {
    const result = queryChannel.hasSubscribers ? await queryChannel.tracePromise(run, traceContext(conn.session, sql)) : await run();
    if (isListening) emitQuery(conn, { sql, durationMs: performance.now() - started, rowCount: countRows(result) });
    return result;
  } catch (err) {
    if (isListening) {
      emitQuery(conn, { sql, durationMs: performance.now() - started, rowCount: 0, error: err instanceof Error ? err : new Error(String(err)) });
    }
    throw err;
  }
}

/** The observer a connection installs on its session: a pass-through unless someone observes. */
export function queryObserver(conn: Connection): QueryObserver {
  return <T>(sql: string, run: () => Promise<T>, countRows: (result: T) => number): Promise<T> => {
    const isListening = conn.listenerCount('query') > 0;
    if (!isListening && !queryChannel.hasSubscribers) return run();
    return observe(conn, sql, run, countRows, isListening);
  };
}

/** Runs a connect attempt inside a `pgjet:connect` trace when anyone subscribes. */
export function traceConnect<T>(config: ResolvedConfig, run: () => Promise<T>): Promise<T> {
  if (!connectChannel.hasSubscribers) return run();
  return connectChannel.tracePromise(run, {
    database: config.database,
    user: config.user,
    hosts: config.hosts.map((h) => `${h.host}:${h.port}`).join(','),
  });
}

/** Runs `run` through the session's observer (installed by `connect()`), or directly when there is none. */
export function observed<T>(session: Session, sql: string, run: () => Promise<T>, countRows: (result: T) => number): Promise<T> {
  const observer = session.observer;
  return observer === null ? run() : observer(sql, run, countRows);
}
