// Checks the built package through its exports map, as `import` users load it, and that both module systems
// share one implementation (no dual-package hazard).
import assert from 'node:assert';
import { createRequire } from 'node:module';
import { connect, UniqueViolationError, DatabaseError } from 'pgjet';

const require = createRequire(import.meta.url);
const cjs = require('pgjet');
assert.strictEqual(typeof connect, 'function');
assert.strictEqual(UniqueViolationError, cjs.UniqueViolationError, 'ESM and CJS must export the same class');
assert.ok(new cjs.UniqueViolationError({ code: '23505', message: 'x', severity: 'ERROR' }) instanceof DatabaseError);
console.log('import pgjet: ok');

// The pg face: default and named imports, the same classes as through require().
const { default: pg, Client } = await import('pgjet/pg');
assert.strictEqual(pg.Client, Client);
assert.strictEqual(Client, require('pgjet/pg').Client, 'ESM and CJS must export the same Client');
console.log('import pgjet/pg: ok');
