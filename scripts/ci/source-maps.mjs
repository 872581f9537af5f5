#!/usr/bin/env node
// `npm run test:source-maps`: builds the package and checks that, under `node --enable-source-maps`, a stack from
// pgjet names TypeScript files that the published package really contains (package.json "files" ships src/, which
// the maps point at). Exits non-zero when a frame points at a file missing from the tarball.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });

// A bad option throws from inside pgjet, deep enough to cross several modules.
const probe = `
  const { createPool } = require(${JSON.stringify(path.join(root, 'dist/cjs/index.js'))});
  try { createPool({ max: 5 }); } catch (err) { console.log(err.stack); }
`;
const stack = execFileSync(process.execPath, ['--enable-source-maps', '-e', probe], { encoding: 'utf8' });
const frames = [...stack.matchAll(/\((\/[^():]+\.ts):\d+:\d+\)|at (\/[^():]+\.ts):\d+:\d+/g)].map((m) => m[1] ?? m[2]);
if (frames.length === 0) {
  console.error(`source-maps: no TypeScript frame in the stack:\n${stack}`);
  process.exit(1);
}

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
const shipped = new Set(pack.files.map((f) => f.path));
const problems = [];
for (const file of new Set(frames)) {
  const relative = path.relative(root, file);
  if (!fs.existsSync(file)) problems.push(`${relative}: no such file`);
  else if (!shipped.has(relative)) problems.push(`${relative}: not in the package (npm pack)`);
}
if (problems.length > 0) {
  console.error(`source-maps: FAILED\n${problems.join('\n')}\n--- stack ---\n${stack}`);
  process.exit(1);
}
console.log(`source-maps: ${new Set(frames).size} TypeScript files named by the stack, all shipped:\n${[...new Set(frames)].map((f) => `  ${path.relative(root, f)}`).join('\n')}`);
