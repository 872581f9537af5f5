/**
 * The embedded server's preparation fails with a message that says what to do, before anything is spawned (a
 * spawn failure would otherwise surface as a child process's unheard 'error' event).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../support/embedded-server.js';
import { EmbeddedServerSetupError, serverBinDir, serverOwner } from '../../support/server-binaries.js';

describe('embedded server preparation', () => {
  it('names the setting to fix when the binary directory has no postgres', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-nobin-'));
    try {
      const err = await serverBinDir(empty, serverOwner(), os.tmpdir()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddedServerSetupError);
      expect((err as Error).message).toContain(path.join(empty, 'postgres'));
      expect((err as Error).message).toContain('PGJET_TEST_PG_BINDIR');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('rejects startEmbeddedServer with that error (a rejection, not a crash)', async () => {
    await expect(startEmbeddedServer({ binDir: '/nonexistent/pgjet/bin' })).rejects.toThrow(/PGJET_TEST_PG_BINDIR/);
  });
});
