// Builds the package's entry points (one line each in ENTRIES) in two module systems without splitting pgjet:
//
// - pgjet's core is ONE implementation, the CommonJS build in dist/cjs. Its ESM entry is a thin re-export, so
//   `import` and `require` users share the same classes (`instanceof UniqueViolationError` holds either way).
// - A tool integration ('dual') is built twice: CommonJS in dist/cjs, and ESM in dist/esm importing the tool's
//   ESM entry and pgjet's core through that ESM re-export. An ESM application thus gets the tool's ESM classes
//   (drizzle-orm's `TransactionRollbackError`, Kysely's adapters) and a CommonJS one the CommonJS classes, with
//   declarations of the same kind. Integrations import only the core's public index (a lint rule), so the
//   core never gets a second copy; the build checks that too.
//
// The `exports` and `typesVersions` of package.json follow from ENTRIES; the build fails when they differ and
// `node scripts/build.mjs --sync-package` writes them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** [subpath, source file under src/ without extension, 'single' (one CJS implementation) | 'dual' (built twice)]. */
const ENTRIES = [
  ['.', 'index', 'single'],
  ['./kysely', 'integrations/kysely/index', 'dual'],
  ['./drizzle', 'integrations/drizzle/index', 'dual'],
  ['./pg', 'faces/pg/index', 'single'],
];

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const require = createRequire(import.meta.url);

function exportsFor([, source]) {
  return {
    import: { types: `./dist/esm/${source}.d.ts`, default: `./dist/esm/${source}.js` },
    require: { types: `./dist/cjs/${source}.d.ts`, default: `./dist/cjs/${source}.js` },
  };
}

/** What package.json must say for ENTRIES: exports, and typesVersions for `moduleResolution: node10`. */
function packageFields() {
  const exports = Object.fromEntries(ENTRIES.map((e) => [e[0], exportsFor(e)]));
  exports['./package.json'] = './package.json';
  const paths = Object.fromEntries(ENTRIES.filter((e) => e[0] !== '.').map(([sub, source]) => [sub.slice(2), [`dist/cjs/${source}.d.ts`]]));
  return { exports, typesVersions: { '*': paths } };
}

function checkPackageJson() {
  const file = path.join(root, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  const want = packageFields();
  const same = Object.entries(want).every(([k, v]) => JSON.stringify(pkg[k]) === JSON.stringify(v));
  if (same) return;
  if (process.argv.includes('--sync-package')) {
    fs.writeFileSync(file, `${JSON.stringify({ ...pkg, ...want }, null, 2)}\n`);
    console.log('package.json: exports and typesVersions written from ENTRIES');
    return;
  }
  console.error('package.json exports/typesVersions differ from ENTRIES in scripts/build.mjs; run it with --sync-package');
  process.exit(1);
}

/** Relative module specifiers in an emitted .js or .d.ts file. */
function relativeImports(file) {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
}

/** ESM files reachable from the dual entries; fails on an import of the core other than its index. */
function reachableEsmFiles(singles) {
  const esm = path.join(dist, 'esm');
  const keep = new Set();
  const todo = ENTRIES.filter((e) => e[2] === 'dual').map((e) => path.join(esm, `${e[1]}.js`));
  while (todo.length > 0) {
    const file = todo.pop();
    if (keep.has(file)) continue;
    const declarations = file.replace(/\.js$/, '.d.ts');
    keep.add(file);
    keep.add(declarations);
    for (const spec of [...relativeImports(file), ...relativeImports(declarations)]) {
      const target = path.resolve(path.dirname(file), spec);
      const rel = path.relative(esm, target).replace(/\.js$/, '');
      if (singles.has(rel)) continue;
      if (!rel.startsWith('integrations/')) {
        throw new Error(`${path.relative(dist, file)} imports ${spec}: an integration may import pgjet only through src/index.ts`);
      }
      todo.push(target);
    }
  }
  return keep;
}

function removeAllBut(dir, keep) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removeAllBut(full, keep);
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    } else if (!keep.has(full.replace(/\.map$/, ''))) fs.rmSync(full);
  }
}

/** The ESM face of a CommonJS module: named re-exports of the one implementation, and its declarations. */
function writeReexport(source) {
  const file = path.join(dist, 'esm', `${source}.js`);
  const target = path.relative(path.dirname(file), path.join(dist, 'cjs', `${source}.js`)).replaceAll(path.sep, '/');
  const spec = target.startsWith('.') ? target : `./${target}`;
  const mod = require(path.join(dist, 'cjs', `${source}.js`));
  const names = Object.keys(mod).filter((n) => n !== '__esModule' && n !== 'default');
  // A face also has a default export (`import pg from 'pgjet/pg'` is the object `require('pg')` gives).
  const hasDefault = 'default' in mod;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const banner = '// Generated by scripts/build.mjs: re-exports the CommonJS build so both module systems share one implementation.';
  const body = [banner, `import mod from '${spec}';`, ...names.map((n) => `export const ${n} = mod.${n};`)];
  if (hasDefault) body.push('export default mod.default;');
  fs.writeFileSync(file, [...body, ''].join('\n'));
  const declarations = [banner, `export * from '${spec}';`];
  if (hasDefault) declarations.push(`export { default } from '${spec}';`);
  fs.writeFileSync(file.replace(/\.js$/, '.d.ts'), [...declarations, ''].join('\n'));
}

checkPackageJson();
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
fs.writeFileSync(path.join(dist, 'cjs/package.json'), '{ "type": "commonjs" }\n');

const singles = new Set(ENTRIES.filter((e) => e[2] === 'single').map((e) => e[1]));
if (ENTRIES.some((e) => e[2] === 'dual')) {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build-esm.json')], { stdio: 'inherit' });
  removeAllBut(path.join(dist, 'esm'), reachableEsmFiles(singles));
}
fs.mkdirSync(path.join(dist, 'esm'), { recursive: true });
fs.writeFileSync(path.join(dist, 'esm/package.json'), '{ "type": "module" }\n');
for (const source of singles) writeReexport(source);
console.log(`built ${ENTRIES.map(([sub, , kind]) => `${sub} (${kind})`).join(', ')}`);
