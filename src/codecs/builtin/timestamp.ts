/**
 * timestamp and timestamptz ↔ Date (README, "Types"): both are an int64 of microseconds since 2000-01-01 00:00 UTC,
 * with INT64_MIN / INT64_MAX for -infinity / infinity (`timestamp_send` in utils/adt/timestamp.c,
 * DT_NOBEGIN / DT_NOEND). timestamp (without time zone) is read and written as UTC wall-clock time.
 *
 * Microseconds are floored to the millisecond (also before 1970 and 2000, where truncation would round up);
 * ±infinity become the numbers ±Infinity; a value outside Date's ±8.64e15 ms is a CodecError.
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, badText, describeValue, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { int32At, writeInt64Times1000 } from '../wire.js';
import {
  civilFromDays,
  civilFromParts,
  daysFromCivil,
  formatCivil,
  formatOffset,
  formatTimeOfDay,
  fractionToMicros,
  parseOffset,
  PG_EPOCH_MS,
  USECS_PER_DAY,
} from './calendar.js';

/** What timestamp columns decode to: a Date, or ±Infinity for PostgreSQL's infinite timestamps. */
export type TimestampValue = Date | number;

/** The largest time value a JS Date holds, in ms from 1970 (ECMA-262 TimeClip). */
const DATE_LIMIT_MS = 8.64e15;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
/**
 * The range timestamp_recv and timestamp_in accept, in µs from 2000-01-01 UTC: [4714-11-24 00:00 BC,
 * 294277-01-01 00:00) (MIN_TIMESTAMP / END_TIMESTAMP, IS_VALID_TIMESTAMP in datatype/timestamp.h). Checked
 * here so that a value outside it is a DataError before anything is sent, never the server's error.
 */
const MIN_TIMESTAMP = -211813488000000000n;
const END_TIMESTAMP = 9223371331200000000n;
const MIN_TIMESTAMP_MS = -211813488000000;
const END_TIMESTAMP_MS = 9223371331200000;

function dateFromMs(ms: number): Date {
  if (ms > DATE_LIMIT_MS || ms < -DATE_LIMIT_MS) {
    throw new CodecError(`timestamp is outside the range of a JS Date (year 275760 at most): ${ms} ms from 1970`);
  }
  return new Date(ms);
}

/** Decodes the binary timestamp/timestamptz layout into a Date or ±Infinity. */
export function decodeTimestampBinary(buf: Buffer, offset: number, length: number): TimestampValue {
  if (length !== 8) throw badLength('timestamp', length, 8);
  const hi = int32At(buf, offset);
  const lo = int32At(buf, offset + 4) >>> 0;
  if (hi === 0x7fffffff && lo === 0xffffffff) return Infinity;
  if (hi === -0x80000000 && lo === 0) return -Infinity;
  // µs = hi·2^32 + lo can exceed 2^53, so divide by 1000 in parts: 2^32 = 1000·4294967 + 296, hence
  // µs = 1000·(hi·4294967) + (hi·296 + lo), where both terms are exact doubles.
  const rest = hi * 296 + lo;
  return dateFromMs(hi * 4294967 + Math.floor(rest / 1000) + PG_EPOCH_MS);
}

/** A timestamp written in ISO form, split into calendar day, time of day and optional offset. */
interface TimestampParts {
  days: number;
  usecs: number;
  /** Seconds east of UTC, when the text carries an offset. */
  offset: number | undefined;
}

// ISO DateStyle output (`EncodeDateTime`): 'YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]][ BC]'. Parameters may
// also use 'T', 'Z', '+HHMM', omit seconds or the whole time part.
const timestampInput =
  /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2}){0,2})?(?:\s+(BC|AD))?\s*$/i;

/** Parses an ISO timestamp; `undefined` when the text is not one (infinity is handled by callers). */
export function parseTimestampParts(text: string): TimestampParts | undefined {
  const m = timestampInput.exec(text);
  if (m === null) return undefined;
  const civil = civilFromParts(m[1], m[2], m[3], m[9] !== undefined && m[9].toUpperCase() === 'BC');
  const hours = m[4] === undefined ? 0 : Number(m[4]);
  const minutes = m[5] === undefined ? 0 : Number(m[5]);
  const seconds = m[6] === undefined ? 0 : Number(m[6]);
  if (hours > 24 || minutes > 59 || seconds > 60) throw new CodecError(`time of ${describeValue(text)} is out of range`);
  return {
    days: daysFromCivil(civil.year, civil.month, civil.day),
    usecs: ((hours * 60 + minutes) * 60 + seconds) * 1000000 + fractionToMicros(m[7]),
    offset: m[8] === undefined ? undefined : parseOffset(m[8].toUpperCase()),
  };
}

function infinityWord(text: string): number | undefined {
  const word = text.trim().toLowerCase();
  if (word === 'infinity' || word === '+infinity') return Infinity;
  if (word === '-infinity') return -Infinity;
  return undefined;
}

/** Decodes the server's ISO text for timestamp (`withZone` false, read as UTC) or timestamptz. */
function decodeTimestampText(text: string): TimestampValue {
  const special = infinityWord(text);
  if (special !== undefined) return special;
  const parts = parseTimestampParts(text);
  if (parts === undefined) throw badText('timestamp', text);
  // The time of day is never negative, so cutting the fraction to milliseconds floors the whole value.
  const ms = parts.days * 86400000 + Math.floor(parts.usecs / 1000) - (parts.offset ?? 0) * 1000;
  return dateFromMs(ms + PG_EPOCH_MS);
}

/**
 * A timestamp parameter as microseconds since 2000-01-01 (bigint), or ±Infinity. Strings: a timestamptz
 * without an offset is taken as UTC (pgjet cannot know the session's TimeZone when encoding binary); a
 * timestamp ignores any offset, as timestamp_in does.
 */
function stringToMicros(text: string, withZone: boolean): bigint | number {
  const special = infinityWord(text);
  if (special !== undefined) return special;
  const parts = parseTimestampParts(text);
  if (parts === undefined) throw expected('a Date, ±Infinity or an ISO 8601 timestamp string', text);
  const offset = withZone ? (parts.offset ?? 0) : 0;
  const usecs = BigInt(parts.days) * BigInt(USECS_PER_DAY) + BigInt(parts.usecs - offset * 1000000);
  if (usecs < MIN_TIMESTAMP || usecs >= END_TIMESTAMP) {
    throw new CodecError(`'${text}' is out of range for ${withZone ? 'timestamptz' : 'timestamp'} (4714-11-24 BC to 294276 AD)`);
  }
  return usecs;
}

function validDateMs(value: Date): number {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw expected('a valid Date', value);
  return ms;
}

/** A Date parameter's ms since 2000-01-01, refused when PostgreSQL's timestamps cannot hold it. */
function dateParamMs(value: Date, withZone: boolean): number {
  const ms = validDateMs(value) - PG_EPOCH_MS;
  if (ms < MIN_TIMESTAMP_MS || ms >= END_TIMESTAMP_MS) {
    throw new CodecError(`${value.toISOString()} is out of range for ${withZone ? 'timestamptz' : 'timestamp'} (4714-11-24 BC to 294276 AD)`);
  }
  return ms;
}

function encodeTimestampBinary(value: unknown, w: ByteWriter, withZone: boolean): void {
  if (value instanceof Date) writeInt64Times1000(w, dateParamMs(value, withZone));
  else if (value === Infinity) w.i64(INT64_MAX);
  else if (value === -Infinity) w.i64(INT64_MIN);
  else if (typeof value === 'string') {
    const usecs = stringToMicros(value, withZone);
    w.i64(typeof usecs === 'bigint' ? usecs : usecs > 0 ? INT64_MAX : INT64_MIN);
  } else throw expected('a Date, ±Infinity or an ISO 8601 timestamp string', value);
}

/** Formats days and time of day since 2000-01-01 in ISO DateStyle, UTC. */
function formatParts(days: number, usecs: number, withZone: boolean): string {
  const civil = civilFromDays(days);
  return `${formatCivil(civil, false)} ${formatTimeOfDay(usecs)}${withZone ? formatOffset(0) : ''}${civil.year <= 0 ? ' BC' : ''}`;
}

function formatMs(ms: number, withZone: boolean): string {
  const sinceEpoch = ms - PG_EPOCH_MS;
  const days = Math.floor(sinceEpoch / 86400000);
  return formatParts(days, (sinceEpoch - days * 86400000) * 1000, withZone);
}

/** A Date as a timestamptz literal in UTC (`'2024-02-29 13:45:00.123+00'`), for text parameters too. */
export function formatTimestamptz(value: Date): string {
  return formatMs(validDateMs(value), true);
}

function encodeTimestampText(value: unknown, withZone: boolean): string {
  if (value instanceof Date) return formatMs(dateParamMs(value, withZone) + PG_EPOCH_MS, withZone);
  if (value === Infinity) return 'infinity';
  if (value === -Infinity) return '-infinity';
  if (typeof value === 'string') {
    const usecs = stringToMicros(value, withZone);
    if (typeof usecs === 'number') return usecs > 0 ? 'infinity' : '-infinity';
    const perDay = BigInt(USECS_PER_DAY);
    let days = usecs / perDay;
    if (usecs < 0n && days * perDay !== usecs) days -= 1n;
    return formatParts(Number(days), Number(usecs - days * perDay), withZone);
  }
  throw expected('a Date, ±Infinity or an ISO 8601 timestamp string', value);
}

/** timestamp ↔ Date, read as UTC (see the module comment). */
export const timestampCodec: Codec<TimestampValue> = {
  name: 'timestamp',
  oid: Oid.timestamp,
  decodeBinary: decodeTimestampBinary,
  encodeBinary: (value, w) => encodeTimestampBinary(value, w, false),
  decodeText: decodeTimestampText,
  encodeText: (value) => encodeTimestampText(value, false),
};

/** timestamptz ↔ Date. */
export const timestamptzCodec: Codec<TimestampValue> = {
  name: 'timestamptz',
  oid: Oid.timestamptz,
  decodeBinary: decodeTimestampBinary,
  encodeBinary: (value, w) => encodeTimestampBinary(value, w, true),
  decodeText: decodeTimestampText,
  encodeText: (value) => encodeTimestampText(value, true),
};
