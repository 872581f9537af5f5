// Checks the built package through its exports map, as `require('pgjet')` users load it.
const assert = require('node:assert');
const pgjet = require('pgjet');
assert.strictEqual(typeof pgjet.connect, 'function');
assert.strictEqual(typeof pgjet.UniqueViolationError, 'function');
assert.ok(new pgjet.UniqueViolationError({ code: '23505', message: 'x', severity: 'ERROR' }) instanceof pgjet.DatabaseError);
console.log('require(pgjet): ok');
