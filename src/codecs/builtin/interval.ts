/**
 * interval ↔ {@link Interval}. Binary (`interval_send` in utils/adt/timestamp.c): int64 microseconds of time,
 * int32 days, int32 months, in that order. PostgreSQL 17 added infinite intervals: every field at its
 * maximum (INTERVAL_NOEND) or minimum (INTERVAL_NOBEGIN).
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, badText, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { readInt64Number, writeInt64Number } from '../wire.js';
import { parseIntervalText } from './interval-text.js';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const USECS_PER_HOUR = 3600000000;
const USECS_PER_MINUTE = 60000000;

/** The three independent parts of a PostgreSQL interval, as numbers. */
export interface IntervalFields {
  months: number;
  days: number;
  microseconds: number;
}

/**
 * A PostgreSQL interval: months, days and microseconds are kept apart because their lengths vary (a month is
 * 28–31 days, a day 23–25 hours across DST). Infinite intervals (PostgreSQL 17+) have every field ±Infinity.
 */
export class Interval implements IntervalFields {
  /**
   * @param months whole months (years are 12 months)
   * @param days whole days
   * @param microseconds the time part; beyond ±Number.MAX_SAFE_INTEGER it cannot be decoded exactly
   */
  constructor(
    readonly months: number,
    readonly days: number,
    readonly microseconds: number,
  ) {}

  /** True unless this is an infinite interval. */
  get isFinite(): boolean {
    return Number.isFinite(this.months);
  }

  /**
   * ISO 8601 duration as PostgreSQL's `IntervalStyle = iso_8601` writes it (`EncodeInterval`, utils/adt/
   * datetime.c): `'P1Y2M3DT4H5M6.5S'`, zero parts omitted, `'PT0S'` for zero, negative parts signed
   * (`'P-1Y-2M3DT-4H'`); `'infinity'` / `'-infinity'` for infinite intervals.
   */
  toString(): string {
    if (!this.isFinite) return this.months > 0 ? 'infinity' : '-infinity';
    const years = Math.trunc(this.months / 12);
    const months = this.months % 12;
    const usecs = this.microseconds;
    const hours = Math.trunc(usecs / USECS_PER_HOUR);
    const minutes = Math.trunc((usecs % USECS_PER_HOUR) / USECS_PER_MINUTE);
    const secUsecs = usecs % USECS_PER_MINUTE;
    if (this.months === 0 && this.days === 0 && usecs === 0) return 'PT0S';
    let out = 'P';
    if (years !== 0) out += years + 'Y';
    if (months !== 0) out += months + 'M';
    if (this.days !== 0) out += this.days + 'D';
    if (usecs !== 0) out += 'T';
    if (hours !== 0) out += hours + 'H';
    if (minutes !== 0) out += minutes + 'M';
    if (secUsecs !== 0) out += (secUsecs < 0 ? '-' : '') + formatSeconds(Math.abs(secUsecs)) + 'S';
    return out;
  }
}

/** Seconds from microseconds with the fraction's trailing zeros removed (`AppendSeconds`). */
function formatSeconds(usecs: number): string {
  const whole = Math.floor(usecs / 1000000);
  const fraction = usecs - whole * 1000000;
  return fraction === 0 ? String(whole) : `${whole}.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
}

/** The interval +infinity. */
export const INTERVAL_INFINITY = new Interval(Infinity, Infinity, Infinity);
/** The interval -infinity. */
export const INTERVAL_NEGATIVE_INFINITY = new Interval(-Infinity, -Infinity, -Infinity);

function checkMicroseconds(usecs: number): number {
  if (!Number.isSafeInteger(usecs)) {
    throw new CodecError(`interval time part ${usecs} µs is beyond ±Number.MAX_SAFE_INTEGER`);
  }
  return usecs;
}

/** Decodes binary interval. */
export function decodeIntervalBinary(buf: Buffer, offset: number, length: number): Interval {
  if (length !== 16) throw badLength('interval', length, 16);
  const days = buf.readInt32BE(offset + 8);
  const months = buf.readInt32BE(offset + 12);
  const hi = buf.readInt32BE(offset);
  const lo = buf.readUInt32BE(offset + 4);
  if (months === INT32_MAX && days === INT32_MAX && hi === 0x7fffffff && lo === 0xffffffff) return INTERVAL_INFINITY;
  if (months === INT32_MIN && days === INT32_MIN && hi === -0x80000000 && lo === 0) return INTERVAL_NEGATIVE_INFINITY;
  return new Interval(months, days, checkMicroseconds(readInt64Number(buf, offset)));
}

function fromParsed(p: IntervalFields): Interval {
  if (p.months === Infinity) return INTERVAL_INFINITY;
  if (p.months === -Infinity) return INTERVAL_NEGATIVE_INFINITY;
  return new Interval(p.months, p.days, p.microseconds);
}

function field(value: unknown, name: string, min: number, max: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'bigint' && value >= BigInt(min) && value <= BigInt(max)) return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw expected(`an integer ${name}`, value);
  if (value < min || value > max) throw new CodecError(`interval ${name} ${value} is out of range`);
  return value;
}

/**
 * An interval parameter: an {@link Interval} or any object with integer `months`, `days`, `microseconds`
 * (missing ones are 0; microseconds may be a bigint within the safe range), an object with every field
 * ±Infinity for an infinite interval, or a string in a form the server prints (postgres, postgres_verbose,
 * sql_standard or iso_8601 IntervalStyle).
 */
export function toInterval(value: unknown): Interval {
  if (typeof value === 'string') {
    const parsed = parseIntervalText(value);
    if (parsed === undefined) throw expected("an interval string such as '1 day 02:00:00' or 'P1DT2H'", value);
    return fromParsed(parsed);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    throw expected('an interval object { months, days, microseconds }', value);
  }
  const { months, days, microseconds } = value as Partial<Record<keyof IntervalFields, unknown>>;
  if (months === Infinity && days === Infinity && microseconds === Infinity) return INTERVAL_INFINITY;
  if (months === -Infinity && days === -Infinity && microseconds === -Infinity) return INTERVAL_NEGATIVE_INFINITY;
  return new Interval(
    field(months, 'months', INT32_MIN, INT32_MAX),
    field(days, 'days', INT32_MIN, INT32_MAX),
    field(microseconds, 'microseconds', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  );
}

function encodeIntervalBinary(value: unknown, w: ByteWriter): void {
  const iv = toInterval(value);
  if (!iv.isFinite) {
    const isPositive = iv.months > 0;
    w.i64(isPositive ? 2n ** 63n - 1n : -(2n ** 63n));
    w.i32(isPositive ? INT32_MAX : INT32_MIN);
    w.i32(isPositive ? INT32_MAX : INT32_MIN);
    return;
  }
  writeInt64Number(w, iv.microseconds);
  w.i32(iv.days);
  w.i32(iv.months);
}

/** interval ↔ {@link Interval}; text in any IntervalStyle the server may use. */
export const intervalCodec: Codec<Interval> = {
  name: 'interval',
  oid: Oid.interval,
  decodeBinary: decodeIntervalBinary,
  encodeBinary: encodeIntervalBinary,
  decodeText(text) {
    const parsed = parseIntervalText(text);
    if (parsed === undefined) throw badText('interval', text);
    return fromParsed(parsed);
  },
  // ISO 8601 is accepted by interval_in whatever the session's IntervalStyle.
  encodeText: (value) => toInterval(value).toString(),
};
