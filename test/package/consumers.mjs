#!/usr/bin/env node
// The packed package as applications get it. `npm pack`s the built package (run `npm run build` first) and
// installs the tarball, with kysely, drizzle-orm and @types/node linked from this repository's node_modules
// (`npm install --offline`: no registry needed), into throwaway consumer projects in a temp directory:
//
//   cjs      "type": "commonjs", module node16       tsc, then node: require() gives the tools' CJS classes
//   node10   the same files, moduleResolution node10 tsc only (subpaths through typesVersions)
//   esm      "type": "module", module nodenext       tsc, then node: import gives the tools' ESM classes
//   bundler  "type": "module", moduleResolution bundler, module preserve   tsc only
//
// Each project type-checks the README's Kysely and Drizzle samples (its first ts block under each heading;
// in CommonJS wrapped in an async function, as top-level await is ESM-only) and a file of type assertions.
// The runtime checks need no server: they test class identity, which is what a dual-package split breaks.
// Usage: node test/package/consumers.mjs [--keep] [--only esm,bundler]
//   --keep  keep the temp directory for inspection; --only  check just these projects.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const keep = process.argv.includes('--keep');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1].split(',') : null;
const started = Date.now();
const log = (msg) => console.log(`[consumers ${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}`);

const execFileAsync = promisify(execFile);

async function run(cmd, args, cwd) {
  try {
    return (await execFileAsync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    throw new Error(`${path.basename(cwd)}: ${cmd} ${args.join(' ')} failed\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/** The first ```ts block after the heading line that starts with `heading`. */
function readmeSample(heading) {
  const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const at = text.split('\n').findIndex((line) => line.startsWith(heading));
  if (at < 0) throw new Error(`README.md has no heading ${heading}`);
  const m = /```ts\n([\s\S]*?)```/.exec(text.split('\n').slice(at).join('\n'));
  if (m === null) throw new Error(`README.md has no ts sample under ${heading}`);
  return m[1];
}

/** A sample as a CommonJS module: imports stay on top, the rest runs inside `main()`, exports dropped. */
function asCommonJs(sample) {
  const lines = sample.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import ')).map((l) => l.replace(/^export /, ''));
  return [...imports, 'export async function main(): Promise<void> {', ...body, '}', ''].join('\n');
}

/** Types the issue saw break in ESM projects; each line fails to compile when the tool's types are split. */
const TYPE_CHECKS = `import { Kysely, type Dialect } from 'kysely';
import { drizzle, PgjetDatabase } from 'pgjet/drizzle';
import { PgjetDialect } from 'pgjet/kysely';
import { createPool, type Pool } from 'pgjet';
import { pgTable, serial, text, type PgDatabase } from 'drizzle-orm/pg-core';

declare const pool: Pool;
const users = pgTable('users', { id: serial('id').primaryKey(), name: text('name').notNull() });
export const dialect: Dialect = new PgjetDialect({ pool });
export const kdb = new Kysely<{ users: { id: number; name: string } }>({ dialect });
export const db = drizzle(pool, { schema: { users } });
export const found: Promise<{ id: number; name: string } | undefined> = db.query.users.findFirst();
export const asDrizzle: PgDatabase<never, { users: typeof users }> = db as unknown as PgDatabase<never, { users: typeof users }>;
export const made: PgjetDatabase<{ users: typeof users }> = db;
export const lazy = createPool;
// skipLibCheck hides a declaration that failed to resolve (it becomes any): these must stay errors.
// @ts-expect-error a PgjetDialect is not a number
export const notANumber: number = new PgjetDialect({ pool });
// @ts-expect-error the schema has no table "posts"
export const noSuchTable = db.query.posts;
// @ts-expect-error a Drizzle database is not a string
export const notAString: string = db;
`;

/** Runtime identity checks, written once for both module systems (`load` is require or import). */
const RUNTIME_CHECKS = (load, exportsLine) => `${load.header}
const pool = pgjet.createPool('postgres://nobody@127.0.0.1:1/none', { minSize: 0 });
try {
  // The integration's classes extend the application's copy of each tool.
  assert.ok(drz.drizzle(pool) instanceof pgCore.PgDatabase, 'drizzle(pool) is a PgDatabase of the app\\'s drizzle-orm');
  const dialect = new pgCore.PgDialect();
  const session = new drz.PgjetSession(pool, dialect, undefined);
  const tx = new drz.PgjetTransaction(dialect, session, undefined);
  assert.throws(() => tx.rollback(), (err) => err instanceof orm.TransactionRollbackError, 'tx.rollback() throws the app\\'s TransactionRollbackError');
  const kd = new ksl.PgjetDialect({ pool });
  assert.ok(kd.createAdapter() instanceof kysely.PostgresAdapter, 'Kysely adapter is the app\\'s PostgresAdapter');
  assert.ok(kd.createQueryCompiler() instanceof kysely.PostgresQueryCompiler, 'compiler is the app\\'s PostgresQueryCompiler');
  // pgjet itself is one implementation, whichever way it is loaded.
  assert.strictEqual(pgjet.UniqueViolationError, other.UniqueViolationError, 'one pgjet core for import and require');
  assert.strictEqual(pgjet.Pool, other.Pool);
} finally {
  await pool.close();
}
console.log('${exportsLine}: ok');
`;

const ESM_HEADER = `import assert from 'node:assert';
import { createRequire } from 'node:module';
import * as pgjet from 'pgjet';
import * as drz from 'pgjet/drizzle';
import * as ksl from 'pgjet/kysely';
import * as orm from 'drizzle-orm';
import * as pgCore from 'drizzle-orm/pg-core';
import * as kysely from 'kysely';
const other = createRequire(import.meta.url)('pgjet');`;

const CJS_HEADER = `(async () => {
const assert = require('node:assert');
const pgjet = require('pgjet');
const drz = require('pgjet/drizzle');
const ksl = require('pgjet/kysely');
const orm = require('drizzle-orm');
const pgCore = require('drizzle-orm/pg-core');
const kysely = require('kysely');
const other = await import('pgjet');`;

const PROJECTS = [
  { name: 'cjs', type: 'commonjs', compiler: { module: 'node16', moduleResolution: 'node16' }, runtime: 'cjs' },
  { name: 'node10', type: 'commonjs', compiler: { module: 'commonjs', moduleResolution: 'node10' } },
  { name: 'esm', type: 'module', compiler: { module: 'nodenext', moduleResolution: 'nodenext' }, runtime: 'esm' },
  { name: 'bundler', type: 'module', compiler: { module: 'preserve', moduleResolution: 'bundler' } },
];

/** Installs, type-checks and (for cjs and esm) runs one consumer project. */
async function checkProject(project, { tmp, tarball, linked, tsc, kyselySample, drizzleSample }) {
  const dir = path.join(tmp, project.name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${project.name}`, private: true, type: project.type }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball, ...linked], dir);
  const compilerOptions = { target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], ...project.compiler };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  const cjs = project.type === 'commonjs';
  fs.writeFileSync(path.join(dir, 'src/kysely-sample.ts'), cjs ? asCommonJs(kyselySample) : kyselySample);
  fs.writeFileSync(path.join(dir, 'src/drizzle-sample.ts'), cjs ? asCommonJs(drizzleSample) : drizzleSample);
  fs.writeFileSync(path.join(dir, 'src/type-checks.ts'), TYPE_CHECKS);
  await run(process.execPath, [tsc, '-p', dir], dir);
  log(`${project.name}: tsc clean (${JSON.stringify(project.compiler)})`);
  if (project.runtime === 'esm') {
    fs.writeFileSync(path.join(dir, 'check.mjs'), RUNTIME_CHECKS({ header: ESM_HEADER }, 'import (ESM)'));
    log(`${project.name}: ${(await run(process.execPath, ['check.mjs'], dir)).trim()}`);
  } else if (project.runtime === 'cjs') {
    const close = '})().catch((err) => { console.error(err); process.exit(1); });';
    fs.writeFileSync(path.join(dir, 'check.cjs'), `${RUNTIME_CHECKS({ header: CJS_HEADER }, 'require (CJS)')}${close}\n`);
    log(`${project.name}: ${(await run(process.execPath, ['check.cjs'], dir)).trim()}`);
  }
}

if (!fs.existsSync(path.join(root, 'dist/esm/integrations/drizzle/index.js'))) {
  throw new Error('dist/ is missing or stale: run `npm run build` first');
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-consumers-'));
try {
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', tmp], root);
  const tarball = path.join(tmp, packed.trim().split('\n').pop());
  log(`packed ${path.basename(tarball)}`);
  const context = {
    tmp,
    tarball,
    linked: ['kysely', 'drizzle-orm', '@types/node'].map((p) => `file:${path.join(root, 'node_modules', p)}`),
    tsc: path.join(root, 'node_modules/typescript/bin/tsc'),
    kyselySample: readmeSample('### Kysely'),
    drizzleSample: readmeSample('### Drizzle ORM'),
  };
  // The projects are independent: checked side by side (npm install waits on the disk, tsc on the CPU).
  const chosen = PROJECTS.filter((p) => only === null || only.includes(p.name));
  if (chosen.length === 0) throw new Error(`--only matches none of ${PROJECTS.map((p) => p.name).join(', ')}`);
  await Promise.all(chosen.map((project) => checkProject(project, context)));
  log('all consumer projects passed');
} finally {
  if (keep) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
