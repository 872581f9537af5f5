import { describe, expect, it } from 'vitest';
import { InterfaceError } from '../../../src/index.js';
import { parseArrayLiteral } from '../../../src/integrations/drizzle/params.js';
import { int8ArrayFromText } from '../../../src/integrations/drizzle/types.js';
import { hasSeveralStatements } from '../../../src/integrations/shared/multi-statement.js';
import { transactionMode } from '../../../src/integrations/shared/transaction-mode.js';

describe('hasSeveralStatements', () => {
  it.each([
    ['SELECT 1', false],
    ['SELECT 1;', false],
    ['SELECT 1 ;  \n ', false],
    ['SELECT 1; -- the end', false],
    ['SELECT 1; /* done */', false],
    ['SELECT 1;;', false],
    ["SELECT 'a;b'", false],
    ["SELECT E'it\\'s; fine'", false],
    ["SELECT 'it''s; fine'", false],
    ['SELECT "semi;colon" FROM t', false],
    ['SELECT $$;$$', false],
    ['SELECT $fn$ BEGIN; RETURN 1; END $fn$', false],
    ['SELECT 1 -- comment; SELECT 2', false],
    ['SELECT /* a /* nested; */ comment; */ 1', false],
    ['SELECT $1; ', false],
    ['CREATE TABLE a (x int); CREATE TABLE b (y int)', true],
    ['SELECT 1;SELECT 2', true],
    ["SELECT 'a;b'; SELECT 2", true],
    ['SELECT $$x$$; SELECT 2', true],
    ['SELECT 1; /* c */ SELECT 2', true],
    ["SELECT 1; 'literal'", true],
  ])('%j → %s', (sql, expected) => {
    expect(hasSeveralStatements(sql)).toBe(expected);
  });
});

describe('transactionMode', () => {
  it('maps the tools’ spellings to pgjet options', () => {
    expect(transactionMode(undefined)).toEqual({ options: {}, setTransaction: null });
    expect(transactionMode({ isolationLevel: 'repeatable read', accessMode: 'read only', deferrable: true })).toEqual({
      options: { isolation: 'repeatable_read', readOnly: true, deferrable: true },
      setTransaction: null,
    });
  });

  it('spells out READ WRITE and NOT DEFERRABLE, which BEGIN leaves to the server defaults', () => {
    expect(transactionMode({ accessMode: 'read write', deferrable: false })).toEqual({
      options: {},
      setTransaction: 'SET TRANSACTION READ WRITE NOT DEFERRABLE',
    });
  });

  it('refuses what PostgreSQL does not have', () => {
    expect(() => transactionMode({ isolationLevel: 'snapshot' })).toThrow(InterfaceError);
    expect(() => transactionMode({ accessMode: 'read sometimes' })).toThrow(InterfaceError);
  });
});

describe('Drizzle literals', () => {
  it('parses array literals as makePgArray writes them', () => {
    expect(parseArrayLiteral('{}')).toEqual([]);
    expect(parseArrayLiteral('{1,2,3}')).toEqual(['1', '2', '3']);
    expect(parseArrayLiteral('{"a","b,c","d\\"e","NULL",null,NULL}')).toEqual(['a', 'b,c', 'd"e', 'NULL', null, null]);
    expect(parseArrayLiteral('{{1,2},{3,null}}')).toEqual([['1', '2'], ['3', null]]);
    expect(parseArrayLiteral('{"back\\\\slash"}')).toEqual(['back\\slash']);
  });

  it('returns null for what is not an array literal', () => {
    for (const text of ['', 'abc', '{1,2', '{"open}', '{1,2}x', '{1}{2}']) expect(parseArrayLiteral(text)).toBeNull();
  });

  it('int8 arrays decode to strings, as pg-types gives them', () => {
    expect(int8ArrayFromText('{1,-9223372036854775808,NULL}')).toEqual(['1', '-9223372036854775808', null]);
    expect(int8ArrayFromText('{{1,2},{3,4}}')).toEqual([['1', '2'], ['3', '4']]);
    expect(int8ArrayFromText('[0:1]={5,6}')).toEqual(['5', '6']);
    expect(int8ArrayFromText('{}')).toEqual([]);
  });
});
