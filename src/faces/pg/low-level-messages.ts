/**
 * Backend messages in the shapes node-postgres' parser (pg-protocol) gives them to a submittable's handlers
 * and to listeners on `client.connection`: plain objects with `name` and `length` (the message's length
 * field, which counts itself) and the fields pg-protocol names. Values in DataRows stay text, as the server
 * sends them in text format: the submittable's own `Result` parses them with the client's type parsers.
 */
import type { ColumnInfo } from '../../index.js';
import type { FieldDef } from './result.js';

/** A column of a RowDescription (pg-protocol's `Field`): the result's field shape, always in text. */
export interface PgField extends FieldDef {
  /** Always 'text': submittables get text values, parsed by their own type parsers. */
  format: 'text';
}

/** Any message: its protocol name (camel-cased, as pg-protocol names it) and length field. */
export interface PgMessage {
  /** `'rowDescription'`, `'dataRow'`, `'commandComplete'`, `'readyForQuery'`, `'noData'`, … */
  name: string;
  /** The message's length field (it counts itself, not the type byte). */
  length: number;
}

/** RowDescription. */
export interface RowDescriptionMessage extends PgMessage {
  name: 'rowDescription';
  /** Number of columns. */
  fieldCount: number;
  /** The columns. */
  fields: PgField[];
}

/** DataRow: each value as the server's text, or null for SQL NULL. */
export interface DataRowMessage extends PgMessage {
  name: 'dataRow';
  /** Number of values. */
  fieldCount: number;
  /** The values. */
  fields: (string | null)[];
}

/** CommandComplete: the command tag (`'SELECT 5'`, `'INSERT 0 1'`). */
export interface CommandCompleteMessage extends PgMessage {
  name: 'commandComplete';
  /** The command tag. */
  text: string;
}

/** ReadyForQuery: the transaction status. */
export interface ReadyForQueryMessage extends PgMessage {
  name: 'readyForQuery';
  /** `'I'` idle, `'T'` in a transaction, `'E'` in a failed transaction. */
  status: 'I' | 'T' | 'E';
}

/** pg_type.typlen of the fixed-size built-in types, by OID; any other type reports -1 (varlena). */
const FIXED_SIZES = new Map<number, number>([
  [16, 1], [18, 1], [20, 8], [21, 2], [23, 4], [24, 4], [26, 4], [27, 6], [28, 4], [29, 4], [700, 4], [701, 8],
  [790, 8], [829, 6], [774, 8], [1082, 4], [1083, 8], [1114, 8], [1184, 8], [1266, 12], [1186, 16], [2950, 16],
  [600, 16], [601, 32], [603, 32], [628, 24], [718, 24], [3220, 8], [5069, 8], [2206, 4], [2205, 4], [2202, 4],
  [2203, 4], [2204, 4], [3734, 4], [3769, 4], [4089, 4], [4096, 4], [19, 64],
]);

/**
 * Column metadata beyond name and type, read when pgjet's `ColumnInfo` carries it (the RowDescription's
 * table OID, attribute number, type size and modifier).
 */
type DescribedColumn = ColumnInfo & { tableOid?: number; columnAttr?: number; typeSize?: number; typeModifier?: number };

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A message that carries nothing but its name (ParseComplete, NoData, PortalSuspended, EmptyQueryResponse, …). */
export function bareMessage(name: string): PgMessage {
  return { name, length: 4 };
}

/**
 * RowDescription for pgjet's column info. Where the column info lacks the source table, attribute number,
 * size or type modifier, they read 0, 0, the built-in type's size (else -1) and -1.
 */
export function rowDescription(columns: readonly ColumnInfo[]): RowDescriptionMessage {
  let length = 6;
  const fields = columns.map((col: DescribedColumn): PgField => {
    length += utf8Length(col.name) + 19;
    return {
      name: col.name,
      tableID: col.tableOid ?? 0,
      columnID: col.columnAttr ?? 0,
      dataTypeID: col.typeOid,
      dataTypeSize: col.typeSize ?? FIXED_SIZES.get(col.typeOid) ?? -1,
      dataTypeModifier: col.typeModifier ?? -1,
      format: 'text',
    };
  });
  return { name: 'rowDescription', length, fieldCount: fields.length, fields };
}

/** DataRow for one row of text values. */
export function dataRow(values: (string | null)[]): DataRowMessage {
  let length = 6;
  for (const v of values) length += v === null ? 4 : 4 + utf8Length(v);
  return { name: 'dataRow', length, fieldCount: values.length, fields: values };
}

/** CommandComplete for a tag. */
export function commandComplete(tag: string): CommandCompleteMessage {
  return { name: 'commandComplete', length: 5 + utf8Length(tag), text: tag };
}

/** ReadyForQuery for a transaction status. */
export function readyForQuery(status: 'I' | 'T' | 'E'): ReadyForQueryMessage {
  return { name: 'readyForQuery', length: 5, status };
}
