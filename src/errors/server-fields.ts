/**
 * Turns the fields of an ErrorResponse or NoticeResponse (field code byte → text, as the protocol layer
 * reads them) into a typed `DatabaseError` subclass or a plain `NoticeMessage`.
 */
import { DatabaseError, type DatabaseErrorFields } from './database-error.js';
import { errorClassBySqlState } from './sqlstate.generated.js';

/** How one field code is stored: the property it fills and whether its text is an integer. */
interface FieldSpec {
  readonly name: keyof DatabaseErrorFields;
  readonly isInteger: boolean;
}

/**
 * The field codes of PostgreSQL's protocol docs, "Error and Notice Message Fields", keyed by the code's
 * byte. One table serves errors and notices alike, since the server sends both with the same fields.
 */
const fieldSpecByCode: ReadonlyMap<number, FieldSpec> = new Map(
  (
    [
      ['S', 'localizedSeverity', false],
      ['V', 'severity', false],
      ['C', 'code', false],
      ['M', 'message', false],
      ['D', 'detail', false],
      ['H', 'hint', false],
      ['P', 'position', true],
      ['p', 'internalPosition', true],
      ['q', 'internalQuery', false],
      ['W', 'where', false],
      ['s', 'schema', false],
      ['t', 'table', false],
      ['c', 'column', false],
      ['d', 'dataType', false],
      ['n', 'constraint', false],
      ['F', 'file', false],
      ['L', 'line', true],
      ['R', 'routine', false],
    ] as const
  ).map(([code, name, isInteger]) => [code.charCodeAt(0), { name, isInteger }]),
);

/** Positions and line numbers are decimal text on the wire; anything else is dropped, not NaN. */
function parseInteger(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Names the raw fields. Unknown field codes are skipped, as the protocol docs ask of clients so that
 * servers can add fields. The protocol promises S, C and M on every message; should a server omit one, the
 * property is '' rather than a thrown error, so the server's report still reaches the user.
 */
function nameFields(fields: ReadonlyMap<number, string>): DatabaseErrorFields {
  const named: Record<string, string | number | undefined> = {};
  for (const [code, text] of fields) {
    const spec = fieldSpecByCode.get(code);
    if (spec !== undefined) named[spec.name] = spec.isInteger ? parseInteger(text) : text;
  }
  const result = named as Partial<DatabaseErrorFields>;
  return {
    ...result,
    // 'V' (9.6+) is never translated, so code can compare it; 'S' is the fallback for older servers.
    severity: result.severity ?? result.localizedSeverity ?? '',
    code: result.code ?? '',
    message: result.message ?? '',
  };
}

/**
 * The error class for a SQLSTATE: the generated class of the code itself; else, for a code this version of
 * PostgreSQL did not define, the class of its class's generic code (first two characters + '000'), so that
 * `instanceof IntegrityConstraintViolationError` still holds; else `DatabaseError`.
 */
export function errorClassForSqlState(code: string): typeof DatabaseError {
  return errorClassBySqlState.get(code) ?? errorClassBySqlState.get(`${code.slice(0, 2)}000`) ?? DatabaseError;
}

/**
 * Builds the error for an ErrorResponse.
 * @param fields the message's fields, keyed by the field code's char code (e.g. `'C'.charCodeAt(0)`).
 * @param query the SQL text that failed, when known.
 * @returns an instance of the most specific class for the SQLSTATE (see {@link errorClassForSqlState}).
 */
export function databaseErrorFromFields(fields: ReadonlyMap<number, string>, query?: string): DatabaseError {
  const named = nameFields(fields);
  const ErrorClass = errorClassForSqlState(named.code);
  return new ErrorClass(named, { query });
}

/**
 * A NoticeResponse (a NOTICE, WARNING, INFO, … the server sends without failing the query): the same
 * fields as a {@link DatabaseError}, as a plain object since nothing failed.
 */
export type NoticeMessage = DatabaseErrorFields;

/**
 * Builds the notice for a NoticeResponse.
 * @param fields the message's fields, keyed by the field code's char code (e.g. `'M'.charCodeAt(0)`).
 */
export function noticeFromFields(fields: ReadonlyMap<number, string>): NoticeMessage {
  return nameFields(fields);
}
