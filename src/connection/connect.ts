/**
 * Opens a session: tries each host in order (or shuffled with `loadBalanceHosts: 'random'`), each within
 * `connectTimeout`, until one accepts and matches `targetSessionAttrs`. Failures are collected so the final
 * error names every host and why it failed.
 */
import type tls from 'node:tls';
import { CodecRegistry } from '../codecs/index.js';
import { ConnectionError, PgjetError, TimeoutError } from '../errors/index.js';
import type { ResolvedConfig, ResolvedHost } from './config-types.js';
import { Session } from './session.js';
import { runStartup } from './startup.js';
import { matchesTargetSessionAttrs } from './target-session.js';
import { describeTarget, openTransport } from './transport.js';
import { Wire, type WireEvents } from './wire.js';

/** Connects to one host; the session is returned authenticated and idle. */
async function connectHost(config: ResolvedConfig, host: ResolvedHost, events: WireEvents): Promise<Session> {
  const where = describeTarget(host);
  const controller = new AbortController();
  const timer = config.connectTimeout > 0
    ? setTimeout(() => controller.abort(new TimeoutError(`connecting to ${where} timed out after ${config.connectTimeout} ms`, { safeToRetry: true })), config.connectTimeout)
    : undefined;
  let wire: Wire | undefined;
  try {
    const socket = await openTransport(host, config, controller.signal);
    wire = new Wire(socket, events, where);
    const started = runStartup(wire, {
      user: config.user,
      database: config.database,
      password: config.password ?? host.password,
      serverSettings: config.serverSettings,
      channelBinding: config.channelBinding,
      tlsSocket: 'encrypted' in socket ? (socket as tls.TLSSocket) : undefined,
    });
    const w = wire;
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => {
        w.destroy(controller.signal.reason as Error);
        reject(controller.signal.reason);
      }, { once: true });
    });
    await Promise.race([started, aborted]);
    return new Session(wire, new CodecRegistry({ int8: config.int8 }), config, host);
  } catch (err) {
    wire?.destroy(err as Error);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Connects per the configuration, trying hosts in order. */
export async function openSession(config: ResolvedConfig, events: WireEvents): Promise<Session> {
  const hosts = config.loadBalanceHosts === 'random' ? shuffle(config.hosts) : config.hosts;
  const failures: string[] = [];
  let lastError: unknown;
  for (const host of hosts) {
    try {
      const session = await connectHost(config, host, events);
      if (config.targetSessionAttrs !== 'any' && hosts.length > 0) {
        const ok = await matchesTargetSessionAttrs(session, config.targetSessionAttrs);
        if (!ok) {
          await session.wire.close();
          failures.push(`${describeTarget(host)}: not a ${config.targetSessionAttrs} server`);
          continue;
        }
      }
      return session;
    } catch (err) {
      lastError = err;
      failures.push(`${describeTarget(host)}: ${(err as Error).message}`);
      // A server that answered with an authentication or database error would answer every host the same way
      // only if they share credentials; libpq keeps trying, and so do we.
    }
  }
  if (hosts.length === 1 && lastError instanceof PgjetError) throw lastError;
  throw new ConnectionError(`could not connect to any host: ${failures.join('; ')}`, {
    cause: lastError,
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
