/**
 * Opens a session: tries each host once, in order (or shuffled with `loadBalanceHosts: 'random'`), each within
 * its own `connectTimeout`, until one accepts and matches `targetSessionAttrs`. Every failure is collected, so
 * the final error names each host and why it failed; no host is tried twice per connect (except libpq's one
 * TLS/plaintext fallback of `sslmode` allow and prefer), so a dead cluster costs one attempt per host, not a
 * retry storm.
 */
import type tls from 'node:tls';
import { CodecRegistry } from '../codecs/index.js';
import { ConnectionError, DatabaseError, PgjetError, TimeoutError } from '../errors/index.js';
import type { ResolvedConfig, ResolvedHost, ResolvedSsl } from './config-types.js';
import { Session } from './session.js';
import { runStartup } from './startup.js';
import { describeMismatch, isStandby, matchesTargetSessionAttrs } from './target-session.js';
import { explainTlsFailure, isTlsError } from './tls-errors.js';
import { describeTarget, openTransport } from './transport.js';
import { Wire, type WireEvents } from './wire.js';

/** How a connected server fits `targetSessionAttrs`: use it, keep it as a last resort, or drop it. */
type Verdict = 'match' | 'fallback' | 'mismatch';

/** One attempt over one transport; `usedTls` tells the caller which way a failed attempt went. */
async function attempt(
  config: ResolvedConfig,
  host: ResolvedHost,
  ssl: ResolvedSsl,
  events: WireEvents,
  signal: AbortSignal,
  state: { usedTls: boolean },
): Promise<Session> {
  const socket = await openTransport(host, { ...config, ssl }, signal);
  const tlsSocket = 'encrypted' in socket ? (socket as tls.TLSSocket) : undefined;
  state.usedTls = tlsSocket !== undefined;
  const wire = new Wire(socket, events, describeTarget(host), {
    maxMessageSize: config.maxMessageSize,
    closeTimeout: config.cancelTimeout,
  });
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      wire.destroy(signal.reason as Error);
      reject(signal.reason);
    };
  });
  aborted.catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([
      runStartup(wire, {
        user: config.user,
        database: config.database,
        password: config.password ?? host.password,
        serverSettings: config.serverSettings,
        channelBinding: config.channelBinding,
        tlsSocket,
      }),
      aborted,
    ]);
    wire.isSerial = config.pgbouncer;
    return new Session(wire, new CodecRegistry({ int8: config.int8 }), config, host);
  } catch (err) {
    wire.destroy(err as Error);
    throw explainStartupTlsFailure(err, host, ssl);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A TLS alert read during startup (TLS 1.3 reports a refused client certificate there) explained like a handshake failure. */
function explainStartupTlsFailure(err: unknown, host: ResolvedHost, ssl: ResolvedSsl): unknown {
  if (!(err instanceof ConnectionError) || !isTlsError(err.cause)) return err;
  const reason = explainTlsFailure(err.cause, host.host, ssl);
  return new ConnectionError(`TLS connection to ${describeTarget(host)} failed: ${reason}`, {
    cause: err.cause, host: host.host, port: host.port, safeToRetry: true,
  });
}

/**
 * The other transport libpq tries when the server refused the first during startup (an ErrorResponse, e.g. a
 * pg_hba.conf rule for `hostssl` or `hostnossl` only): `allow` retries with TLS, `prefer` without.
 */
function fallbackSsl(ssl: ResolvedSsl, err: unknown, host: ResolvedHost, usedTls: boolean): ResolvedSsl | undefined {
  if (!(err instanceof DatabaseError) || host.socketPath !== undefined) return undefined;
  if (ssl.mode === 'allow' && !usedTls) return { ...ssl, mode: 'require' };
  if (ssl.mode === 'prefer' && usedTls) return { ...ssl, mode: 'disable' };
  return undefined;
}

async function classify(session: Session, config: ResolvedConfig): Promise<Verdict> {
  const attrs = config.targetSessionAttrs;
  if (attrs === 'prefer-standby') return (await isStandby(session)) ? 'match' : 'fallback';
  return (await matchesTargetSessionAttrs(session, attrs)) ? 'match' : 'mismatch';
}

/** Connects to one host within its `connectTimeout` (startup and the target check included). */
async function connectHost(
  config: ResolvedConfig,
  host: ResolvedHost,
  events: WireEvents,
): Promise<{ session: Session; verdict: Verdict }> {
  const where = describeTarget(host);
  const controller = new AbortController();
  const timer = config.connectTimeout > 0
    ? setTimeout(() => controller.abort(new TimeoutError(`connecting to ${where} timed out after ${config.connectTimeout} ms`, { safeToRetry: true })), config.connectTimeout)
    : undefined;
  try {
    const state = { usedTls: false };
    let session: Session;
    try {
      session = await attempt(config, host, config.ssl, events, controller.signal, state);
    } catch (err) {
      const retry = fallbackSsl(config.ssl, err, host, state.usedTls);
      if (retry === undefined || controller.signal.aborted) throw err;
      session = await attempt(config, host, retry, events, controller.signal, state);
    }
    if (config.targetSessionAttrs === 'any') return { session, verdict: 'match' };
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        session.wire.destroy(controller.signal.reason as Error);
        reject(controller.signal.reason);
      };
    });
    aborted.catch(() => undefined);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    try {
      return { session, verdict: await Promise.race([classify(session, config), aborted]) };
    } catch (err) {
      session.wire.destroy(err as Error);
      throw err;
    } finally {
      controller.signal.removeEventListener('abort', onAbort);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a session that will not be used: Terminate, then the socket, bounded so an unresponsive server cannot
 * hold up the connect. Awaited so the close happens before the caller's connection object exists (its events
 * would otherwise reach the connection that is finally returned).
 */
async function discard(session: Session): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    session.wire.close().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
  ]);
  clearTimeout(timer);
  session.wire.destroy();
}

/** One line per host for the final error: `host:port: reason`. */
function describeFailure(host: ResolvedHost, reason: unknown): string {
  const where = describeTarget(host);
  const text = reason instanceof Error ? reason.message : String(reason);
  // Transport messages already name the host; do not say it twice.
  return text.includes(where) ? text : `${where}: ${text}`;
}

/**
 * Connects per the configuration. Returns the first session matching `targetSessionAttrs`; for
 * `prefer-standby`, the first standby, else the first server that answered (kept open while the remaining
 * hosts are tried). When every host fails: with one host, its own error (e.g. `InvalidPasswordError`); with
 * several, one `ConnectionError` listing each host and its reason, `cause` an `AggregateError` of them all.
 */
export async function openSession(config: ResolvedConfig, events: WireEvents): Promise<Session> {
  const hosts = config.loadBalanceHosts === 'random' ? shuffle(config.hosts) : config.hosts;
  const failures: { host: ResolvedHost; error: unknown }[] = [];
  let fallback: Session | undefined;
  for (const host of hosts) {
    let result: { session: Session; verdict: Verdict };
    try {
      result = await connectHost(config, host, events);
    } catch (err) {
      failures.push({ host, error: err });
      continue;
    }
    if (result.verdict === 'match') {
      if (fallback !== undefined) await discard(fallback);
      return result.session;
    }
    if (result.verdict === 'fallback' && fallback === undefined) {
      fallback = result.session;
      continue;
    }
    await discard(result.session);
    failures.push({
      host,
      error: new ConnectionError(describeMismatch(config.targetSessionAttrs), { host: host.host, port: host.port, safeToRetry: true }),
    });
  }
  if (fallback !== undefined) return fallback;
  if (hosts.length === 1 && failures[0]?.error instanceof PgjetError) throw failures[0].error;
  const list = failures.map((f) => describeFailure(f.host, f.error)).join('; ');
  const what = hosts.length === 1 ? 'the server' : `any of the ${hosts.length} hosts`;
  throw new ConnectionError(`could not connect to ${what}: ${list}`, {
    cause: new AggregateError(failures.map((f) => f.error), 'every host failed'),
    safeToRetry: true,
    host: hosts.length === 1 ? hosts[0].host : undefined,
    port: hosts.length === 1 ? hosts[0].port : undefined,
  });
}

function shuffle<T>(items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
