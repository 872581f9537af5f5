/**
 * vitest global setup: runs once per `vitest run`, in the main process, before any test file. Starts the test
 * server (see server.ts), provides its context to the tests as `inject('pgjet')` (typed in env.ts), and returns
 * the teardown that stops it and removes its directory. Interrupted runs are cleaned up by the exit and signal
 * hooks of embedded-server.ts. `PGJET_TEST_PG_BINDIR` runs the same server from another directory of PostgreSQL
 * binaries (the version matrix, scripts/test-matrix.mjs, sets it per major version).
 */
import type { TestProject } from 'vitest/node';
import { startTestServer } from './server.js';

/** Starts the server and returns its teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer();
  project.provide('pgjet', server.context);
  return async () => {
    await server.stop();
  };
}
