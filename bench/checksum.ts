/**
 * A checksum over every decoded value of a result, identical for every driver that decodes correctly.
 *
 * Drivers represent the same PostgreSQL value differently (int8: bigint in pgjet, string in pg and postgres.js,
 * int in asyncpg; date: string, Date or datetime.date; jsonb: parsed, or a string in asyncpg), so each value is
 * first reduced to a small integer by a rule that gives the same integer for every representation of the same
 * value. The Python runner (runners/asyncpg_runner.py) implements the same rules; keep the two in step.
 *
 * All arithmetic stays exact in doubles: every cell contributes an integer below M = 2^31 - 1, multiplied by
 * its column position (so swapped columns change the sum), and the running total is reduced modulo M per row.
 */

/** How a column's values are folded into the checksum. */
export type CellKind =
  | 'int' // int2, int4, oid: the number
  | 'int8' // int8: the integer, whatever its representation
  | 'float' // float4, float8: round(v * 1000)
  | 'numeric' // numeric: its decimal digits read as an integer (signed)
  | 'text' // text, varchar, name, "char", bpchar: length + first and last code unit
  | 'bool'
  | 'timestamp' // timestamp, timestamptz: milliseconds since the epoch (UTC)
  | 'date' // date: days since 1970-01-01
  | 'uuid' // first and last 8 hex digits
  | 'json' // a structural fold of the parsed value
  | 'bytes' // length + first, middle and last byte
  | 'array'; // elements folded by their JS type, weighted by position

export const M = 2147483647;
const BIG_M = 2147483647n;
const NULL_VALUE = 7;
const MS_PER_DAY = 86_400_000;

function mod(x: number): number {
  const r = x % M;
  return r < 0 ? r + M : r;
}

export function cellInt(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  return mod(typeof v === 'number' ? v : Number(v));
}

export function cellInt8(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  if (typeof v === 'bigint') {
    const r = v % BIG_M;
    return Number(r < 0n ? r + BIG_M : r);
  }
  if (typeof v === 'number') return mod(v);
  const s = String(v);
  // Up to 15 digits a double is exact; only longer strings need BigInt.
  return s.length < 16 ? mod(Number(s)) : cellInt8(BigInt(s));
}

export function cellFloat(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  const x = typeof v === 'number' ? v : Number(v);
  return mod(Math.floor(x * 1000 + 0.5));
}

export function cellNumeric(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  const s = String(v);
  let r = 0;
  let negative = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) r = (r * 10 + (c - 48)) % M;
    else if (c === 45) negative = true;
  }
  return negative ? mod(-r) : r;
}

export function cellText(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  const s = typeof v === 'string' ? v : String(v);
  const n = s.length;
  return n === 0 ? 1 : n + s.charCodeAt(0) + s.charCodeAt(n - 1);
}

export function cellBool(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  return v ? 2 : 1;
}

export function cellTimestamp(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  if (v instanceof Date) return mod(v.getTime());
  if (typeof v === 'number') return v === Infinity ? 3 : v === -Infinity ? 5 : mod(v);
  return mod(Date.parse(String(v)));
}

export function cellDate(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  // pg and postgres.js return Date objects at midnight of the process time zone; the orchestrator runs every
  // runner with TZ=UTC so that midnight is UTC midnight.
  if (v instanceof Date) return mod(Math.floor(v.getTime() / MS_PER_DAY));
  const s = String(v);
  const days = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / MS_PER_DAY;
  return mod(days);
}

export function cellUuid(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  const s = String(v);
  return mod(parseInt(s.slice(0, 8), 16) + parseInt(s.slice(-8), 16));
}

/** Structural fold of a JSON value: object keys are summed (order-free), array items weighted by position. */
export function cellJson(v: unknown): number {
  if (typeof v === 'string') return foldJson(JSON.parse(v));
  return foldJson(v);
}

function foldJson(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  switch (typeof v) {
    case 'boolean':
      return v ? 2 : 1;
    case 'number':
      return cellFloat(v);
    case 'string':
      return cellText(v);
    case 'object': {
      let r = 11;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) r = (r + (i + 1) * foldJson(v[i])) % M;
      } else {
        for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
          r = (r + cellText(key) + 3 * foldJson(value)) % M;
        }
      }
      return r;
    }
    default:
      throw new Error(`unexpected JSON value of type ${typeof v}`);
  }
}

export function cellBytes(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  const b = v as Uint8Array;
  const n = b.length;
  return n === 0 ? 1 : n + b[0] + 3 * b[n >> 1] + 5 * b[n - 1];
}

/** Arrays: numbers by the int rule, strings by the text rule, nested arrays recursively. */
export function cellArray(v: unknown): number {
  if (v === null || v === undefined) return NULL_VALUE;
  const a = v as unknown[];
  let r = a.length + 13;
  for (let i = 0; i < a.length; i++) {
    const e = a[i];
    const c =
      typeof e === 'number' ? mod(e)
      : typeof e === 'string' ? cellText(e)
      : Array.isArray(e) ? cellArray(e)
      : e === null ? NULL_VALUE
      : cellInt8(e);
    r = (r + (i + 1) * c) % M;
  }
  return r;
}

const CELL: Record<CellKind, (v: unknown) => number> = {
  int: cellInt,
  int8: cellInt8,
  float: cellFloat,
  numeric: cellNumeric,
  text: cellText,
  bool: cellBool,
  timestamp: cellTimestamp,
  date: cellDate,
  uuid: cellUuid,
  json: cellJson,
  bytes: cellBytes,
  array: cellArray,
};

/** A checksum function over a result's rows (objects keyed by column name). */
export type RowsChecksum = (rows: ArrayLike<Record<string, unknown>>) => number;

/**
 * Builds a checksum function specialised to one column list. Generated code reads each column by a literal
 * property name, so the loop has monomorphic property accesses and no per-cell dispatch: the checksum must
 * cost far less than decoding, or it would blur the differences between drivers that it exists to verify.
 */
export function compileChecksum(columns: readonly (readonly [string, CellKind])[]): RowsChecksum {
  const kinds = [...new Set(columns.map(([, kind]) => kind))];
  const body: string[] = ['let total = 0;', 'for (let i = 0; i < rows.length; i++) {', '  const r = rows[i];', '  let s = 0;'];
  columns.forEach(([name, kind], j) => {
    body.push(`  s += ${j + 1} * ${kind}(r[${JSON.stringify(name)}]);`);
  });
  body.push('  total = (total + s) % M;', '}', 'return total;');
  const factory = new Function('M', ...kinds, `return function checksum(rows) {\n${body.join('\n')}\n};`) as (
    ...args: unknown[]
  ) => RowsChecksum;
  return factory(M, ...kinds.map((k) => CELL[k]));
}

/** Throws unless every column of the row is a plain data property (a lazy getter would dodge decode cost). */
export function assertPlainRow(row: unknown, columns: readonly (readonly [string, CellKind])[]): void {
  if (row === null || typeof row !== 'object') throw new Error(`a row is ${row === null ? 'null' : typeof row}, not an object`);
  for (const [name] of columns) {
    let holder: object | null = row;
    let desc: PropertyDescriptor | undefined;
    while (holder !== null && desc === undefined) {
      desc = Object.getOwnPropertyDescriptor(holder, name);
      holder = Object.getPrototypeOf(holder) as object | null;
    }
    if (desc === undefined) throw new Error(`a row has no column ${JSON.stringify(name)}`);
    if (desc.get !== undefined) throw new Error(`column ${JSON.stringify(name)} is a getter, not a decoded value`);
  }
}
