// Checks the built package through its exports map, as `require('pgjet')` users load it.
const assert = require('node:assert');
const pgjet = require('pgjet');
assert.strictEqual(typeof pgjet.connect, 'function');
assert.strictEqual(typeof pgjet.UniqueViolationError, 'function');
assert.ok(new pgjet.UniqueViolationError({ code: '23505', message: 'x', severity: 'ERROR' }) instanceof pgjet.DatabaseError);
console.log('require(pgjet): ok');

// The pg face, as `require('pg')` code loads it: named exports and the default object.
const pg = require('pgjet/pg');
assert.strictEqual(typeof pg.Client, 'function');
assert.strictEqual(pg.default.Client, pg.Client);
assert.strictEqual(typeof pg.types.setTypeParser, 'function');
assert.ok(new pgjet.UniqueViolationError({ code: '23505', message: 'x', severity: 'ERROR' }) instanceof pg.DatabaseError);
console.log('require(pgjet/pg): ok');
