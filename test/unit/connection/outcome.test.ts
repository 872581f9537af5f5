import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSchemaChangeTag, isStaleStatementError, mayChangeSchema, tagRowCount } from '../../../src/connection/requests/outcome.js';
import { databaseErrorFromFields } from '../../../src/errors/index.js';

describe('tagRowCount', () => {
  it('reads the count of every tag PostgreSQL sends', () => {
    expect(tagRowCount('INSERT 0 1')).toBe(1);
    expect(tagRowCount('INSERT 0 1000')).toBe(1000);
    expect(tagRowCount('SELECT 0')).toBe(0);
    expect(tagRowCount('UPDATE 42')).toBe(42);
    expect(tagRowCount('COPY 10000')).toBe(10000);
    expect(tagRowCount('MERGE 7')).toBe(7);
    expect(tagRowCount('SELECT 18446744073709551615')).toBe(18446744073709551615);
    expect(tagRowCount('CREATE TABLE')).toBe(0);
    expect(tagRowCount('BEGIN')).toBe(0);
    expect(tagRowCount('')).toBe(0);
  });

  it('takes the number after the last space, and 0 when the last word is not a number', () => {
    const word = fc.stringMatching(/^[A-Z0-9]{0,8}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const tag = words.join(' ');
        const last = words[words.length - 1];
        const expected = words.length > 1 && /^[0-9]+$/.test(last) ? Number(last) : 0;
        expect(tagRowCount(tag)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isSchemaChangeTag', () => {
  it('holds for the tags of DDL and of statements that may run it, and for ROLLBACK', () => {
    for (const tag of ['CREATE TABLE', 'CREATE TYPE', 'CREATE EXTENSION', 'DROP TABLE', 'DROP TYPE', 'DROP SCHEMA', 'ALTER TABLE', 'ALTER TYPE', 'ALTER DOMAIN', 'IMPORT FOREIGN SCHEMA', 'DO', 'CALL', 'ROLLBACK']) {
      expect(isSchemaChangeTag(tag), tag).toBe(true);
    }
  });

  it('does not hold for data, transaction or session commands', () => {
    for (const tag of ['SELECT 1', 'INSERT 0 1', 'UPDATE 3', 'DELETE 0', 'MERGE 1', 'COPY 5', 'FETCH 2', 'MOVE 1', 'BEGIN', 'COMMIT', 'SAVEPOINT', 'RELEASE', 'SET', 'SHOW', 'DISCARD ALL', 'DEALLOCATE ALL', 'TRUNCATE TABLE', 'COMMENT', 'GRANT', 'DECLARE CURSOR', 'CLOSE CURSOR', 'ANALYZE', 'CREATED', 'DOING', 'ALTERED', '']) {
      expect(isSchemaChangeTag(tag), tag).toBe(false);
    }
  });

  it('agrees with a plain reading of the tag for any text', () => {
    const reference = (tag: string): boolean =>
      /^(CREATE|DROP|ALTER) /.test(tag) || ['IMPORT FOREIGN SCHEMA', 'DO', 'CALL', 'ROLLBACK'].includes(tag);
    const tag = fc.oneof(fc.string(), fc.constantFrom('CREATE ', 'DROP ', 'ALTER ', 'DO', 'CALL', 'ROLLBACK').chain((p) => fc.string().map((rest) => p + rest)));
    fc.assert(
      fc.property(tag, (t) => {
        expect(isSchemaChangeTag(t)).toBe(reference(t));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isStaleStatementError', () => {
  const error = (code: string, message: string) => databaseErrorFromFields(new Map([[0x43, code], [0x4d, message], [0x53, 'ERROR']]));

  it('recognises the errors of a statement that no longer matches the schema', () => {
    expect(isStaleStatementError(error('0A000', 'cached plan must not change result type'))).toBe(true);
    expect(isStaleStatementError(error('26000', 'prepared statement "pgjet_1" does not exist'))).toBe(true);
    expect(isStaleStatementError(error('XX000', 'cache lookup failed for type 16405'))).toBe(true);
    expect(isStaleStatementError(error('XX000', 'cache lookup failed for relation 16410'))).toBe(true);
  });

  it('leaves other errors of the same codes alone', () => {
    expect(isStaleStatementError(error('0A000', 'cannot copy to view "v"'))).toBe(false);
    expect(isStaleStatementError(error('XX000', 'could not read block 0 in file "base/1/2"'))).toBe(false);
    expect(isStaleStatementError(error('22012', 'division by zero'))).toBe(false);
  });
});

describe('mayChangeSchema', () => {
  it('holds for a statement of a script that starts with a schema command, after blanks and comments', () => {
    for (const sql of ['CREATE TABLE t (a int)', 'drop table t', '  ALTER TYPE e ADD VALUE \'x\'', 'DO $$ BEGIN END $$', 'call p()', 'IMPORT FOREIGN SCHEMA s FROM SERVER f INTO l',
      'SELECT 1; DROP TABLE t', '-- set up\nCREATE TABLE t ()', '/* a */ /* b */ CREATE INDEX i ON t (a)', 'BEGIN;\n  -- x\n  CREATE TABLE t ()']) {
      expect(mayChangeSchema(sql), sql).toBe(true);
    }
  });

  it('does not hold for queries whose words only resemble those commands', () => {
    for (const sql of ['SELECT created_at, dropped, altered FROM t', 'INSERT INTO t VALUES ($1)', 'UPDATE t SET done = true', 'BEGIN', 'COMMIT', 'SELECT 1',
      'SELECT * FROM docall', 'RESET ALL; UNLISTEN *; CLOSE ALL; SELECT pg_advisory_unlock_all()', 'DOMAIN', 'SELECT $1::text AS create']) {
      expect(mayChangeSchema(sql), sql).toBe(false);
    }
  });

  it('finds a schema command after any prefix that ends a statement', () => {
    const keyword = fc.constantFrom('CREATE', 'DROP', 'ALTER', 'DO', 'CALL', 'IMPORT', 'create', 'Drop');
    const blank = fc.constantFrom(' ', '\n', '\t', '-- note\n', '/* c */');
    fc.assert(
      fc.property(fc.string(), fc.array(blank, { maxLength: 3 }), keyword, (prefix, blanks, kw) => {
        expect(mayChangeSchema(`${prefix};${blanks.join('')}${kw} x`)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
