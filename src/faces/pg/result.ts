/**
 * node-postgres' `Result`: rows, fields, and what the command tag says (`command`, `rowCount`, `oid`), built
 * from a pgjet query result.
 */
import type { ColumnInfo, QueryResult } from '../../index.js';

/** One column of a result, named as pg names them. */
export interface FieldDef {
  /** Column name. */
  name: string;
  /** OID of the source table, or 0. */
  tableID: number;
  /** Attribute number in the source table, or 0. */
  columnID: number;
  /** Type OID. */
  dataTypeID: number;
  /** pg_type.typlen (negative for variable width). */
  dataTypeSize: number;
  /** Type modifier, -1 when none. */
  dataTypeModifier: number;
  /** Always `'text'`: the values are what pg's text parsers make, whatever pgjet read off the wire. */
  format: 'text' | 'binary';
}

/** A row object (@types/pg's name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- column values are untyped unless the caller says
export type QueryResultRow = Record<string, any>;

const TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;

/** What `client.query()` resolves with. */
export class Result<R = Record<string, unknown>> {
  /** The command tag's verb ('SELECT', 'INSERT', …); null (despite the type, as in pg's typings) for the empty query. */
  command: string = null as unknown as string;
  /** Rows returned or affected; null for commands whose tag carries no count (DDL). */
  rowCount: number | null = null;
  /** The OID an INSERT tag carries (0 nowadays); null otherwise (typed as number, as in pg's typings). */
  oid: number = null as unknown as number;
  /** The rows: objects, or arrays with `rowMode: 'array'`. */
  rows: R[] = [];
  /** The columns. */
  fields: FieldDef[] = [];
  /** True for `rowMode: 'array'`. */
  rowAsArray: boolean;

  /** @param rowMode `'array'` for array rows. */
  constructor(rowMode?: string) {
    this.rowAsArray = rowMode === 'array';
  }

  /** Reads `command`, `rowCount` and `oid` off a command tag as pg does. */
  addCommandComplete(tag: string): void {
    const m = TAG.exec(tag);
    if (m === null) return;
    this.command = m[1];
    if (m[3] !== undefined) {
      this.oid = parseInt(m[2], 10);
      this.rowCount = parseInt(m[3], 10);
    } else if (m[2] !== undefined) {
      this.rowCount = parseInt(m[2], 10);
    }
  }

  /** Appends a row (pg's API, used by custom submittables). */
  addRow(row: R): void {
    this.rows.push(row);
  }
}

/** pg's field description of a pgjet column. */
export function fieldOf(col: ColumnInfo): FieldDef {
  return {
    name: col.name,
    tableID: col.tableOid,
    columnID: col.columnAttr,
    dataTypeID: col.typeOid,
    dataTypeSize: col.typeSize,
    dataTypeModifier: col.typeModifier,
    format: 'text',
  };
}

/** Builds pg's result from one of pgjet's. */
export function toResult<R>(res: QueryResult<R>, rowMode: string | undefined): Result<R> {
  const out = new Result<R>(rowMode);
  out.rows = res.rows;
  out.fields = res.columns.map(fieldOf);
  out.addCommandComplete(res.tag);
  return out;
}
