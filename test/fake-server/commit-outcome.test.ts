/**
 * A COMMIT whose answer never arrives: the client cannot know whether the server committed, and says so with
 * `CommitOutcomeUnknownError` rather than a bare "closed the connection" that reads like a rollback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CommitOutcomeUnknownError, connect, ConnectionError } from '../../src/index.js';
import { serverSide } from '../../src/protocol/index.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close().catch(() => undefined);
  server = undefined;
});

function dsn(s: FakeServer): string {
  return `postgres://fake:pw@${s.host}:${s.port}/fake?sslmode=disable`;
}

describe('a COMMIT whose answer is lost', () => {
  it('rejects with CommitOutcomeUnknownError, not retryable, the connection error as its cause', async () => {
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      const begin = await s.expect('Query');
      expect(begin.sql).toMatch(/^BEGIN/);
      s.send((w) => serverSide.writeCommandComplete(w, 'BEGIN'), (w) => serverSide.writeReadyForQuery(w, 'T'));
      const commit = await s.expect('Query');
      expect(commit.sql).toBe('COMMIT');
      // The server may have committed: the answer is lost with the connection.
      s.destroy();
    });
    const conn = await connect(dsn(server));
    const err = await conn.transaction(async () => 'done').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as CommitOutcomeUnknownError).message).toContain('may or may not have been committed');
    expect((err as CommitOutcomeUnknownError).safeToRetry).toBe(false);
    expect((err as Error).cause).toBeInstanceOf(ConnectionError);
  });

  it('a COMMIT that never went out says nothing was committed', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = await startFakeServer(async (s) => {
      await s.acceptStartup();
      await s.expect('Query');
      s.send((w) => serverSide.writeCommandComplete(w, 'BEGIN'), (w) => serverSide.writeReadyForQuery(w, 'T'));
      await gate;
      s.destroy();
    });
    const conn = await connect(dsn(server));
    const closed = new Promise((resolve) => conn.once('close', resolve));
    const err = await conn.transaction(async () => {
      release();
      await closed;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(CommitOutcomeUnknownError);
    expect((err as Error).message).toMatch(/COMMIT was not sent .*nothing was committed/);
  });
});
