import { describe, expect, it } from 'vitest';
import {
  DatabaseError,
  DataExceptionError,
  DataExceptionStringDataRightTruncationError,
  DeadlockDetectedError,
  errorClassBySqlState,
  IntegrityConstraintViolationError,
  InvalidArgumentForXqueryError,
  PgjetError,
  SerializationError,
  SerializationFailureError,
  SqlState,
  TransactionRollbackError,
  UniqueViolationError,
  type DatabaseErrorFields,
} from '../../../src/errors/index.js';
import * as errors from '../../../src/errors/index.js';

const uniqueViolationFields: DatabaseErrorFields = {
  severity: 'ERROR',
  code: '23505',
  message: 'duplicate key value violates unique constraint "users_pkey"',
};

describe('generated error hierarchy', () => {
  it('chains a specific code to its class, DatabaseError and PgjetError', () => {
    const err = new UniqueViolationError(uniqueViolationFields);
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(err).toBeInstanceOf(IntegrityConstraintViolationError);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toBeInstanceOf(PgjetError);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(DataExceptionError);
  });

  it('reports the class name as err.name and in the stack', () => {
    const err = new UniqueViolationError(uniqueViolationFields);
    expect(err.name).toBe('UniqueViolationError');
    expect(err.stack?.startsWith('UniqueViolationError: duplicate key')).toBe(true);
    expect(new DatabaseError(uniqueViolationFields).name).toBe('DatabaseError');
  });

  it('gives every class its SQLSTATE as a static code', () => {
    expect(UniqueViolationError.code).toBe('23505');
    expect(IntegrityConstraintViolationError.code).toBe('23000');
    expect(DatabaseError.code).toBeUndefined();
    for (const [code, ErrorClass] of errorClassBySqlState) expect(ErrorClass.code).toBe(code);
  });

  it("makes each class's XX000 class the parent of its other codes", () => {
    for (const [code, ErrorClass] of errorClassBySqlState) {
      const parent = Object.getPrototypeOf(ErrorClass) as unknown;
      const generic = errorClassBySqlState.get(`${code.slice(0, 2)}000`);
      expect(parent).toBe(code.endsWith('000') || generic === undefined ? DatabaseError : generic);
    }
    // Class 10 has no 10000, so its one code hangs straight off DatabaseError.
    expect(Object.getPrototypeOf(InvalidArgumentForXqueryError)).toBe(DatabaseError);
  });

  it('prefixes a condition name used in two classes with the class name', () => {
    expect(DataExceptionStringDataRightTruncationError.code).toBe('22001');
    expect(new DataExceptionStringDataRightTruncationError({ ...uniqueViolationFields, code: '22001' })).toBeInstanceOf(
      DataExceptionError,
    );
    expect(SqlState.warningStringDataRightTruncation).toBe('01004');
    expect(SqlState.dataExceptionStringDataRightTruncation).toBe('22001');
    expect('stringDataRightTruncation' in SqlState).toBe(false);
    expect('StringDataRightTruncationError' in errors).toBe(false);
  });

  it('exports SerializationError as an alias of SerializationFailureError', () => {
    expect(SerializationError).toBe(SerializationFailureError);
    const err: SerializationError = new SerializationFailureError({ ...uniqueViolationFields, code: '40001' });
    expect(err).toBeInstanceOf(TransactionRollbackError);
    expect(err.name).toBe('SerializationFailureError');
    expect(DeadlockDetectedError.code).toBe(SqlState.deadlockDetected);
  });

  it('has unique class names that do not shadow the hand-written errors', () => {
    const names = [...errorClassBySqlState.values()].map((ErrorClass) => ErrorClass.name);
    expect(new Set(names).size).toBe(names.length);
    for (const taken of ['PgjetError', 'DatabaseError', 'DataError', 'ProtocolError', 'ConnectionError', 'TimeoutError']) {
      expect(names).not.toContain(taken);
    }
  });

  it('maps every exported generated class, and nothing else', () => {
    const exported = Object.entries(errors).filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof DatabaseError,
    );
    const mapped = new Set(errorClassBySqlState.values());
    // The alias is the one export name that differs from its class's name.
    for (const [name, value] of exported) {
      expect(mapped.has(value as typeof DatabaseError)).toBe(true);
      if (name !== 'SerializationError') expect((value as typeof DatabaseError).name).toBe(name);
    }
    expect(new Set(exported.map(([, value]) => value)).size).toBe(mapped.size);
  });
});

describe('SqlState', () => {
  const classOf = (code: string): string => code.slice(0, 2);

  it('holds the success, warning and no-data codes, which have no error class', () => {
    expect(SqlState.successfulCompletion).toBe('00000');
    expect(SqlState.warning).toBe('01000');
    expect(SqlState.deprecatedFeature).toBe('01P01');
    expect(SqlState.noData).toBe('02000');
    for (const code of Object.values(SqlState)) {
      if (['00', '01', '02'].includes(classOf(code))) expect(errorClassBySqlState.has(code)).toBe(false);
    }
    expect([...errorClassBySqlState.keys()].some((code) => ['00', '01', '02'].includes(classOf(code)))).toBe(false);
  });

  it('has a class for every error code it holds', () => {
    for (const code of Object.values(SqlState)) {
      if (!['00', '01', '02'].includes(classOf(code))) expect(errorClassBySqlState.has(code)).toBe(true);
    }
  });

  it('includes the aliases errcodes.txt lists by C macro only', () => {
    expect(SqlState.undefinedDatabase).toBe(SqlState.invalidCatalogName);
    expect(SqlState.undefinedSchema).toBe(SqlState.invalidSchemaName);
    expect(SqlState.undefinedCursor).toBe(SqlState.invalidCursorName);
    expect(SqlState.arrayElementError).toBe(SqlState.arraySubscriptError);
    expect(SqlState.datetimeValueOutOfRange).toBe(SqlState.datetimeFieldOverflow);
  });

  it('uses camelCase condition names', () => {
    expect(SqlState.uniqueViolation).toBe('23505');
    expect(SqlState.queryCanceled).toBe('57014');
    expect(SqlState.invalidPassword).toBe('28P01');
    for (const key of Object.keys(SqlState)) expect(key).toMatch(/^[a-z][A-Za-z0-9]*$/);
  });
});
