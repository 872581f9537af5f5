/**
 * LISTEN/NOTIFY: delivery while queries run, unlisten, several callbacks per channel, and a callback that
 * throws (reported through 'error' or a process warning; the other callbacks still run).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearListeners, connect, InterfaceError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;
let sender: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
  sender = await connect(testDsn());
});

afterAll(async () => {
  await conn.close();
  await sender.close();
});

/** Resolves with the first `n` values pushed, or rejects after `ms`. */
function waitFor<T>(list: T[], n: number, ms = 5000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (list.length >= n) resolve(list.slice(0, n));
      else if (Date.now() - started > ms) reject(new Error(`only ${list.length} of ${n} arrived`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('listen / notify', () => {
  it('delivers payload, channel and sender pid, also while queries run', async () => {
    const got: [string, string, number][] = [];
    const stop = await conn.listen('events', (payload, channel, pid) => {
      got.push([payload, channel, pid]);
    });
    expect(await conn.fetch('SELECT pg_listening_channels() AS c')).toEqual([{ c: 'events' }]);
    const busy = conn.fetchVal('SELECT pg_sleep(0.3)::text || $1', ['done']);
    await sender.notify('events', "it's here");
    await sender.execute("NOTIFY events, 'second'");
    // Queries keep running on the listening connection while notifications arrive.
    const rows = await Promise.all([busy, conn.fetchVal('SELECT 1'), conn.fetchVal('SELECT 2')]);
    expect(rows).toEqual(['done', 1, 2]);
    const arrived = await waitFor(got, 2);
    expect(arrived).toEqual([["it's here", 'events', sender.processId], ['second', 'events', sender.processId]]);
    await stop();
  });

  it('the unlisten function issues UNLISTEN once the last callback is gone, and is idempotent', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const stopA = await conn.listen('Mixed Case "chan"', (p) => {
      a.push(p);
    });
    const stopB = await conn.listen('Mixed Case "chan"', (p) => {
      b.push(p);
    });
    expect(await conn.fetchVal('SELECT array_agg(c) FROM pg_listening_channels() c')).toEqual(['Mixed Case "chan"']);
    await sender.notify('Mixed Case "chan"', 'one');
    await waitFor(b, 1);
    await stopA();
    await stopA();
    expect(await conn.fetchVal('SELECT count(*) FROM pg_listening_channels()')).toBe(1n);
    await sender.notify('Mixed Case "chan"', 'two');
    await waitFor(b, 2);
    expect(a).toEqual(['one']);
    await stopB();
    expect(await conn.fetchVal('SELECT count(*) FROM pg_listening_channels()')).toBe(0n);
    await sender.notify('Mixed Case "chan"', 'three');
    await conn.fetchVal('SELECT pg_sleep(0.1)');
    expect(b).toEqual(['one', 'two']);
  });

  it('a callback that throws is reported through the error event; the others still get the notification', async () => {
    const errors: Error[] = [];
    const onError = (err: Error): void => {
      errors.push(err);
    };
    conn.on('error', onError);
    const got: string[] = [];
    const stop1 = await conn.listen('faulty', () => {
      throw new Error('callback broke');
    });
    const stop2 = await conn.listen('faulty', async () => {
      throw new Error('async callback broke');
    });
    const stop3 = await conn.listen('faulty', (p) => {
      got.push(p);
    });
    await sender.notify('faulty', 'x');
    await waitFor(got, 1);
    await waitFor(errors, 2);
    expect(errors.map((e) => e.message).sort()).toEqual(['async callback broke', 'callback broke']);
    conn.off('error', onError);
    await Promise.all([stop1(), stop2(), stop3()]);
  });

  it('without an error listener, a throwing callback becomes a process warning (never a crash)', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const got: string[] = [];
      const stop1 = await conn.listen('faulty2', () => {
        throw new Error('nobody listens');
      });
      const stop2 = await conn.listen('faulty2', (p) => {
        got.push(p);
      });
      await sender.notify('faulty2', 'y');
      await waitFor(got, 1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('nobody listens'), expect.anything());
      await stop1();
      await stop2();
    } finally {
      warn.mockRestore();
    }
  });

  it("the 'notification' event still fires for every notification", async () => {
    const seen: string[] = [];
    const onNotification = (channel: string, payload: string): void => {
      seen.push(`${channel}:${payload}`);
    };
    conn.on('notification', onNotification);
    const stop = await conn.listen('evt2', () => undefined);
    await sender.notify('evt2', 'p');
    await waitFor(seen, 1);
    expect(seen).toEqual(['evt2:p']);
    conn.off('notification', onNotification);
    await stop();
  });

  it('clearListeners (a pool reset that ran UNLISTEN *) forgets callbacks; a new listen() LISTENs again', async () => {
    const before: string[] = [];
    const after: string[] = [];
    const stopOld = await conn.listen('handover', (p) => {
      before.push(p);
    });
    await conn.execute('UNLISTEN *');
    clearListeners(conn);
    const stopNew = await conn.listen('handover', (p) => {
      after.push(p);
    });
    await stopOld();
    expect(await conn.fetchVal('SELECT count(*) FROM pg_listening_channels()')).toBe(1n);
    await sender.notify('handover', 'z');
    await waitFor(after, 1);
    expect(before).toEqual([]);
    await stopNew();
    expect(await conn.fetchVal('SELECT count(*) FROM pg_listening_channels()')).toBe(0n);
  });

  it('rejects bad channels and refuses LISTEN with pgbouncer: true', async () => {
    await expect(conn.listen('', () => undefined)).rejects.toBeInstanceOf(InterfaceError);
    await expect(conn.listen('x'.repeat(64), () => undefined)).rejects.toBeInstanceOf(InterfaceError);
    await expect(conn.notify('', 'p')).rejects.toBeInstanceOf(InterfaceError);
    const bouncer = await connect(testDsn(), { pgbouncer: true });
    try {
      const err = await bouncer.listen('events', () => undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      expect((err as Error).message).toMatch(/pgbouncer/);
      await bouncer.notify('events', 'notify still works');
    } finally {
      await bouncer.close();
    }
  });
});
