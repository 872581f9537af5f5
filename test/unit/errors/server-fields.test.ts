import { describe, expect, it } from 'vitest';
import {
  DatabaseError,
  databaseErrorFromFields,
  errorClassForSqlState,
  IntegrityConstraintViolationError,
  noticeFromFields,
  PgjetError,
  UniqueViolationError,
} from '../../../src/errors/index.js';

/** Builds the protocol layer's field map from letters, e.g. { C: '23505' }. */
function fieldMap(fields: Record<string, string>): Map<number, string> {
  return new Map(Object.entries(fields).map(([letter, value]) => [letter.charCodeAt(0), value]));
}

const uniqueViolation = {
  S: 'ERREUR',
  V: 'ERROR',
  C: '23505',
  M: 'duplicate key value violates unique constraint "users_email_key"',
  D: 'Key (email)=(a@example.com) already exists.',
  s: 'public',
  t: 'users',
  n: 'users_email_key',
  F: 'nbtinsert.c',
  L: '666',
  R: '_bt_check_unique',
};

describe('databaseErrorFromFields', () => {
  it('maps every protocol field to its property', () => {
    const err = databaseErrorFromFields(
      fieldMap({
        S: 'ERROR', V: 'ERROR', C: '42P01', M: 'relation "nope" does not exist', D: 'detail', H: 'hint', P: '15',
        p: '3', q: 'SELECT 1 FROM nope', W: 'PL/pgSQL function f() line 3', s: 'public', t: 'nope', c: 'id',
        d: 'int4', n: 'nope_pkey', F: 'parse_relation.c', L: '1452', R: 'parserOpenTable',
      }),
      'SELECT * FROM nope',
    );
    expect(err).toMatchObject({
      severity: 'ERROR', localizedSeverity: 'ERROR', code: '42P01', message: 'relation "nope" does not exist',
      detail: 'detail', hint: 'hint', position: 15, internalPosition: 3, internalQuery: 'SELECT 1 FROM nope',
      where: 'PL/pgSQL function f() line 3', schema: 'public', table: 'nope', column: 'id', dataType: 'int4',
      constraint: 'nope_pkey', file: 'parse_relation.c', line: 1452, routine: 'parserOpenTable',
      query: 'SELECT * FROM nope',
    });
    expect(err.name).toBe('UndefinedTableError');
  });

  it('builds the most specific class for a known code', () => {
    const err = databaseErrorFromFields(fieldMap(uniqueViolation));
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(err).toBeInstanceOf(PgjetError);
    expect(err.message).toBe(uniqueViolation.M);
    expect(err.constraint).toBe('users_email_key');
    expect(err.line).toBe(666);
    expect(err.query).toBeUndefined();
    expect(err.safeToRetry).toBe(false);
  });

  it("falls back to the class's generic class for an unknown code in a known class", () => {
    const err = databaseErrorFromFields(fieldMap({ ...uniqueViolation, C: '23999' }));
    expect(err.constructor).toBe(IntegrityConstraintViolationError);
    expect(err.code).toBe('23999');
    expect(errorClassForSqlState('23999')).toBe(IntegrityConstraintViolationError);
  });

  it('falls back to DatabaseError for a wholly unknown code', () => {
    const err = databaseErrorFromFields(fieldMap({ ...uniqueViolation, C: 'ZZ123' }));
    expect(err.constructor).toBe(DatabaseError);
    expect(err.name).toBe('DatabaseError');
    // Class 10 has codes but no 10000, and 01 is a warning class: neither has a generic error class.
    expect(errorClassForSqlState('10999')).toBe(DatabaseError);
    expect(errorClassForSqlState('01004')).toBe(DatabaseError);
  });

  it('prefers the untranslated V severity, and falls back to S for servers before 9.6', () => {
    expect(databaseErrorFromFields(fieldMap(uniqueViolation)).severity).toBe('ERROR');
    expect(databaseErrorFromFields(fieldMap(uniqueViolation)).localizedSeverity).toBe('ERREUR');
    const { V: _unused, ...withoutV } = uniqueViolation;
    expect(databaseErrorFromFields(fieldMap(withoutV)).severity).toBe('ERREUR');
  });

  it('drops a position or line that is not a decimal integer instead of making NaN', () => {
    const err = databaseErrorFromFields(fieldMap({ ...uniqueViolation, P: 'x1', p: '', L: '12.5' }));
    expect(err.position).toBeUndefined();
    expect(err.internalPosition).toBeUndefined();
    expect(err.line).toBeUndefined();
  });

  it('ignores field codes it does not know, as the protocol asks', () => {
    const err = databaseErrorFromFields(fieldMap({ ...uniqueViolation, Z: 'from a future server' }));
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(Object.values(err)).not.toContain('from a future server');
  });

  it('still builds an error when the server omits the mandatory fields', () => {
    const err = databaseErrorFromFields(new Map());
    expect(err.constructor).toBe(DatabaseError);
    expect(err).toMatchObject({ severity: '', code: '', message: '' });
  });
});

describe('noticeFromFields', () => {
  it('returns the same fields as a plain object, not an Error', () => {
    const notice = noticeFromFields(
      fieldMap({ S: 'NOTICE', V: 'NOTICE', C: '00000', M: 'table "t" does not exist, skipping', P: '7', L: '88' }),
    );
    expect(notice).not.toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(notice)).toBe(Object.prototype);
    expect(notice).toEqual({
      severity: 'NOTICE', localizedSeverity: 'NOTICE', code: '00000', message: 'table "t" does not exist, skipping',
      position: 7, line: 88,
    });
  });

  it('reads warnings the same way', () => {
    const notice = noticeFromFields(fieldMap({ S: 'WARNING', C: '01000', M: 'careful', H: 'look twice' }));
    expect(notice).toMatchObject({ severity: 'WARNING', code: '01000', message: 'careful', hint: 'look twice' });
  });
});
