/**
 * A prepared statement's execution plan: parameter encoders and column decoders resolved once from the
 * described OIDs, so executing it costs no per-value lookups (docs/ARCHITECTURE.md, "One query, start to finish").
 */
import type { Codec } from '../codecs/index.js';
import { FormatCode } from '../codecs/index.js';
import type { FieldDescription } from '../protocol/index.js';

/** Decodes one field from the receive buffer. */
export type ColumnDecoder = (buf: Buffer, offset: number, length: number) => unknown;

/** Decodes one whole DataRow payload (`buf[start, end)`) into a row. */
export type RowDecoder = (buf: Buffer, start: number, end: number) => unknown;

/** What a plan needs from the type system. */
export interface CodecLookup {
  /** The codec for a type OID, or undefined when pgjet has none (the value then travels as text). */
  get(oid: number): Codec | undefined;
  /** PostgreSQL's name for a type OID, when known. */
  typeName(oid: number): string | undefined;
  /** True when the user registered the codec of `oid` (their codec then sees strings too). */
  isCustom(oid: number): boolean;
}

/** Column metadata exposed in query results. */
export interface ColumnInfo {
  /** Column name. */
  name: string;
  /** Type OID. */
  typeOid: number;
  /** PostgreSQL's type name (`'int4'`), or the OID as text when unknown. */
  typeName: string;
  /** OID of the table the column comes from, or 0 (RowDescription). */
  tableOid: number;
  /** The column's attribute number in that table, or 0. */
  columnAttr: number;
  /** pg_type.typlen: the type's size in bytes, negative for variable width. */
  typeSize: number;
  /** The type modifier (e.g. a varchar's length + 4), -1 when none. */
  typeModifier: number;
}

/** Result-side plan: how to turn DataRow fields into values. */
export interface ResultPlan {
  /** Described fields. */
  fields: FieldDescription[];
  /** Column names, in order. */
  names: string[];
  /** One decoder per column. */
  decoders: ColumnDecoder[];
  /** Format code requested for each column in Bind. */
  formats: number[];
  /** True when every column is binary (lets Bind send a single format code). */
  allBinary: boolean;
  /** Public column metadata. */
  columns: ColumnInfo[];
  /** What Bind carries for the result formats: one code for all when they agree. */
  bindFormats: number | number[];
  /** The same columns decoded from text (built on first use by text-mode queries). */
  textPlan?: ResultPlan;
  /** Every column set to null: rows start as a copy of it, so all rows of the plan share one shape. */
  rowTemplate?: Record<string, unknown>;
  /**
   * Row decoders generated for this plan (requests/row-compiler.ts) once it has decoded enough rows to be worth
   * it; null when generation is not possible. Bound to `decoders`: a derived plan must not inherit them.
   */
  objectRow?: RowDecoder | null;
  /** The array-row counterpart of `objectRow`. */
  arrayRow?: RowDecoder | null;
  /** Rows decoded through the generic loop so far (counts towards compiling). */
  genericRows?: number;
}

/**
 * A plan with some fields replaced (other decoders or formats): the row template survives (same names), the
 * text variant and anything generated from the old decoders do not.
 */
export function derivePlan(plan: ResultPlan, changes: Partial<ResultPlan>): ResultPlan {
  return { ...plan, textPlan: undefined, objectRow: undefined, arrayRow: undefined, genericRows: 0, ...changes };
}

/** A statement prepared on the server (named, or the unnamed statement). */
export interface Statement {
  /** Server-side name; '' for the unnamed statement. */
  name: string;
  /** SQL text. */
  sql: string;
  /** Parameter type OIDs from ParameterDescription. */
  paramOids: number[];
  /** One codec per parameter (undefined: sent as text). */
  paramCodecs: (Codec | undefined)[];
  /** Parameter format codes. */
  paramFormats: number[];
  /** What Bind carries for the parameter formats: one code for all when they agree (shorter message). */
  bindParamFormats: number | number[];
  /** Result plan; null when the statement returns no rows (NoData). */
  result: ResultPlan | null;
  /** When it was prepared (ms since epoch), for `maxCachedStatementLifetime`. */
  preparedAt: number;
  /** Set once the statement is invalid (evicted, closed or stale). */
  isClosed: boolean;
  /** The connection's schema epoch when it was prepared (see QueryContext.schemaEpoch). */
  schemaEpoch: number;
  /** The SQL may change the schema: calls behind an execution wait for its answer (requests/outcome.ts). */
  mayChangeSchema: boolean;
  /** Per-parameter flags for encoding values (params.ts), computed on first use. */
  paramTraits?: Uint8Array;
}

const utf8Decoder: ColumnDecoder = (buf, offset, length) => buf.toString('utf8', offset, offset + length);

/** Builds the decoder for one column in the given format. */
export function columnDecoder(codec: Codec | undefined, format: number): ColumnDecoder {
  if (codec === undefined) return utf8Decoder;
  if (format === FormatCode.binary && codec.decodeBinary !== undefined) {
    return codec.decodeBinary.bind(codec) as ColumnDecoder;
  }
  const decodeText = codec.decodeText.bind(codec);
  return (buf, offset, length) => decodeText(buf.toString('utf8', offset, offset + length));
}

/** Builds the result plan for described fields: binary for every column whose codec decodes binary. */
export function buildResultPlan(fields: FieldDescription[], codecs: CodecLookup): ResultPlan {
  const n = fields.length;
  const names = new Array<string>(n);
  const decoders = new Array<ColumnDecoder>(n);
  const formats = new Array<number>(n);
  const columns = new Array<ColumnInfo>(n);
  let allBinary = true;
  for (let i = 0; i < n; i++) {
    const f = fields[i];
    const codec = codecs.get(f.typeOid);
    const format = codec?.decodeBinary !== undefined ? FormatCode.binary : FormatCode.text;
    if (format !== FormatCode.binary) allBinary = false;
    names[i] = f.name;
    formats[i] = format;
    decoders[i] = columnDecoder(codec, format);
    columns[i] = {
      name: f.name,
      typeOid: f.typeOid,
      typeName: codecs.typeName(f.typeOid) ?? String(f.typeOid),
      tableOid: f.tableOid,
      columnAttr: f.columnAttr,
      typeSize: f.typeSize,
      typeModifier: f.typeModifier,
    };
  }
  return {
    fields,
    names,
    decoders,
    formats,
    allBinary,
    columns,
    bindFormats: n === 0 ? [] : allBinary ? FormatCode.binary : formats,
    // Declared up front so every plan has one shape for the per-row reads of the decoding path.
    textPlan: undefined,
    rowTemplate: undefined,
    objectRow: undefined,
    arrayRow: undefined,
    genericRows: 0,
  };
}

/** The text-format variant of a plan: every column requested as text and decoded by its text decoder. */
export function textResultPlan(plan: ResultPlan, codecs: CodecLookup): ResultPlan {
  if (plan.textPlan !== undefined) return plan.textPlan;
  const decoders = plan.fields.map((f) => columnDecoder(codecs.get(f.typeOid), FormatCode.text));
  const formats = plan.fields.map(() => FormatCode.text as number);
  plan.textPlan = derivePlan(plan, { decoders, formats, allBinary: false, bindFormats: FormatCode.text });
  return plan.textPlan;
}

/** Builds a statement from its Describe answers. */
export function buildStatement(
  name: string,
  sql: string,
  paramOids: number[],
  fields: FieldDescription[] | null,
  codecs: CodecLookup,
  schemaEpoch = 0,
): Statement {
  const paramCodecs = paramOids.map((oid) => codecs.get(oid));
  const paramFormats = paramCodecs.map((c) => (c?.encodeBinary !== undefined ? FormatCode.binary : FormatCode.text));
  const uniform = paramFormats.length > 0 && paramFormats.every((f) => f === paramFormats[0]);
  return {
    name,
    sql,
    paramOids,
    paramCodecs,
    paramFormats,
    bindParamFormats: paramFormats.length === 0 ? [] : uniform ? paramFormats[0] : paramFormats,
    result: fields === null ? null : buildResultPlan(fields, codecs),
    preparedAt: Date.now(),
    isClosed: false,
    schemaEpoch,
    mayChangeSchema: false,
    paramTraits: undefined,
  };
}
