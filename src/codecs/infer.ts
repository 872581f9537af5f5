/**
 * A parameter's type guessed from its JS value, used only when the server could not infer it (`$1 IS NULL`,
 * SQLSTATE 42P18) and the statement is prepared again with the guessed OIDs (README, "Queries").
 */
import { Interval } from './builtin/interval.js';
import { Oid } from './oids.generated.js';
import { Range } from './range.js';

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

/**
 * The narrowest numeric type for a number: int4 for integers in its range, int8 for other safe integers,
 * float8 for everything else (fractions, -0, NaN, ±Infinity, integers beyond 2^53 that may be rounded).
 */
function numberOid(n: number): number {
  if (Number.isInteger(n) && !Object.is(n, -0)) {
    if (n >= INT4_MIN && n <= INT4_MAX) return Oid.int4;
    if (Number.isSafeInteger(n)) return Oid.int8;
  }
  return Oid.float8;
}

/** Array OIDs of the scalar types inference can produce. */
const arrayOf: Record<number, number> = {
  [Oid.int4]: Oid._int4,
  [Oid.int8]: Oid._int8,
  [Oid.float8]: Oid._float8,
  [Oid.text]: Oid._text,
  [Oid.bool]: Oid._bool,
  [Oid.bytea]: Oid._bytea,
  [Oid.timestamptz]: Oid._timestamptz,
  [Oid.jsonb]: Oid._jsonb,
  [Oid.interval]: Oid._interval,
};

/** Every non-null leaf of a nested array, depth first. */
function* leaves(value: readonly unknown[]): Generator<unknown> {
  for (const item of value) {
    if (Array.isArray(item)) yield* leaves(item);
    else if (item !== null && item !== undefined) yield item;
  }
}

/**
 * An array's type from its first non-null element, except that numbers look at every number so that
 * `[1, 2.5]` becomes float8[] rather than failing as int4[].
 */
function arrayOid(value: readonly unknown[]): number | undefined {
  let numberType: number | undefined;
  for (const leaf of leaves(value)) {
    if (typeof leaf !== 'number') {
      if (numberType !== undefined) return arrayOf[numberType];
      const elem = inferTypeOid(leaf);
      return elem === undefined ? undefined : arrayOf[elem];
    }
    const oid = numberOid(leaf);
    // Widen: int4 < int8 < float8.
    if (numberType === undefined || oid === Oid.float8 || (oid === Oid.int8 && numberType === Oid.int4)) numberType = oid;
  }
  return numberType === undefined ? undefined : arrayOf[numberType];
}

/**
 * The type OID to prepare a parameter with when the server cannot tell: bigint → int8, Date → timestamptz,
 * Buffer/Uint8Array → bytea, boolean → bool, number → int4 / int8 / float8 (see {@link numberOid}), string →
 * text, Interval → interval, arrays → the array of their elements' type (`undefined` when empty or all NULL),
 * plain objects → jsonb. `undefined` when nothing fits (null, a Range: its range type cannot be guessed).
 */
export function inferTypeOid(value: unknown): number | undefined {
  switch (typeof value) {
    case 'bigint':
      return Oid.int8;
    case 'boolean':
      return Oid.bool;
    case 'number':
      return numberOid(value);
    case 'string':
      return Oid.text;
    case 'object':
      if (value === null || value instanceof Range) return undefined;
      if (value instanceof Date) return Oid.timestamptz;
      if (value instanceof Uint8Array) return Oid.bytea;
      if (value instanceof Interval) return Oid.interval;
      if (Array.isArray(value)) return arrayOid(value);
      return Oid.jsonb;
    default:
      return undefined;
  }
}
