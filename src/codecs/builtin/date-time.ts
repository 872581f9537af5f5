/**
 * date, time and timetz ↔ strings in ISO DateStyle (README, "Types": no time-zone shift, no JS Date rounding).
 *
 * Binary forms (utils/adt/date.c): date is an int32 of days since 2000-01-01, with INT32_MIN / INT32_MAX for
 * -infinity / infinity (`date_send`, DATEVAL_NOBEGIN / DATEVAL_NOEND); time is an int64 of microseconds since
 * midnight (`time_send`); timetz is that int64 followed by an int32 zone in seconds WEST of UTC, the negation
 * of the printed offset (`timetz_send`, TimeTzADT.zone).
 */
import { badLength, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { readInt64Number, writeInt64Number } from '../wire.js';
import {
  civilFromDays,
  civilFromParts,
  daysFromCivil,
  formatCivil,
  formatOffset,
  formatTimeOfDay,
  parseOffset,
  parseTimeOfDay,
  PG_EPOCH_MS,
  USECS_PER_DAY,
} from './calendar.js';

const DATE_NOBEGIN = -2147483648;
const DATE_NOEND = 2147483647;
/** Julian day 0 (4714-11-24 BC) and 5874897-12-31: date's range (IS_VALID_DATE, datatype/timestamp.h). */
const DATE_MIN_DAYS = daysFromCivil(-4713, 11, 24);
const DATE_MAX_DAYS = daysFromCivil(5874897, 12, 31);

/** Formats days since 2000-01-01 as date_out does in ISO style. */
export function formatDateDays(days: number): string {
  if (days === DATE_NOEND) return 'infinity';
  if (days === DATE_NOBEGIN) return '-infinity';
  return formatCivil(civilFromDays(days));
}

const dateInput = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:\s+(BC|AD))?\s*$/i;

/** Parses `YYYY-MM-DD[ BC]` or ±infinity into days since 2000-01-01; `undefined` when not in that form. */
export function parseDateDays(text: string): number | undefined {
  const word = text.trim().toLowerCase();
  if (word === 'infinity' || word === '+infinity') return DATE_NOEND;
  if (word === '-infinity') return DATE_NOBEGIN;
  const m = dateInput.exec(text);
  if (m === null) return undefined;
  const civil = civilFromParts(m[1], m[2], m[3], m[4] !== undefined && m[4].toUpperCase() === 'BC');
  return daysFromCivil(civil.year, civil.month, civil.day);
}

/**
 * A date parameter as days since 2000-01-01: a date string (`'2024-02-29'`, `'0044-03-15 BC'`,
 * `'infinity'`), a Date (its UTC calendar day, README "Types"), or the numbers ±Infinity.
 */
function toDateDays(value: unknown): number {
  let days: number | undefined;
  if (typeof value === 'string') days = parseDateDays(value);
  else if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw expected('a valid Date', value);
    days = Math.floor((ms - PG_EPOCH_MS) / 86400000);
  } else if (value === Infinity) days = DATE_NOEND;
  else if (value === -Infinity) days = DATE_NOBEGIN;
  if (days === undefined) throw expected("a date string like '2024-02-29', a Date or ±Infinity", value);
  if (days !== DATE_NOEND && days !== DATE_NOBEGIN && (days < DATE_MIN_DAYS || days > DATE_MAX_DAYS)) {
    throw new CodecError(`${typeof value === 'string' ? value : formatDateDays(days)} is out of range for date`);
  }
  return days;
}

/** date ↔ string in ISO style (`'2024-02-29'`, `'0044-03-15 BC'`, `'infinity'`). */
export const dateCodec: Codec<string> = {
  name: 'date',
  oid: Oid.date,
  decodeBinary(buf, offset, length) {
    if (length !== 4) throw badLength('date', length, 4);
    return formatDateDays(buf.readInt32BE(offset));
  },
  encodeBinary(value, w) {
    w.i32(toDateDays(value));
  },
  decodeText: (text) => text,
  encodeText: (value) => formatDateDays(toDateDays(value)),
};

function toTimeMicros(value: unknown): number {
  const usecs = typeof value === 'string' ? parseTimeOfDay(value.trim()) : undefined;
  if (usecs === undefined) throw expected("a time string like '13:45:00.123456'", value);
  return usecs;
}

/** time ↔ `'13:45:00.123456'` (trailing fraction zeros trimmed, no fraction when zero, as time_out prints). */
export const timeCodec: Codec<string> = {
  name: 'time',
  oid: Oid.time,
  decodeBinary(buf, offset, length) {
    if (length !== 8) throw badLength('time', length, 8);
    const usecs = readInt64Number(buf, offset);
    if (usecs < 0 || usecs > USECS_PER_DAY) throw new CodecError(`time value ${usecs} is out of range`);
    return formatTimeOfDay(usecs);
  },
  encodeBinary(value, w) {
    writeInt64Number(w, toTimeMicros(value));
  },
  decodeText: (text) => text,
  encodeText: (value) => formatTimeOfDay(toTimeMicros(value)),
};

const timetzInput = /^\s*(\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?)\s*(Z|[+-]\d{1,2}(?::?\d{2}){0,2})\s*$/i;

function toTimetz(value: unknown): { usecs: number; secondsEast: number } {
  const m = typeof value === 'string' ? timetzInput.exec(value) : null;
  const usecs = m === null ? undefined : parseTimeOfDay(m[1]);
  if (m === null || usecs === undefined) throw expected("a time with offset like '13:45:00+05:45'", value);
  return { usecs, secondsEast: parseOffset(m[2].toUpperCase()) };
}

/** timetz ↔ `'13:45:00+05:45'` (offset `+HH`, `+HH:MM` or `+HH:MM:SS` as timetz_out prints it). */
export const timetzCodec: Codec<string> = {
  name: 'timetz',
  oid: Oid.timetz,
  decodeBinary(buf, offset, length) {
    if (length !== 12) throw badLength('timetz', length, 12);
    const usecs = readInt64Number(buf, offset);
    if (usecs < 0 || usecs > USECS_PER_DAY) throw new CodecError(`timetz value ${usecs} is out of range`);
    // The stored zone is seconds west of UTC; the printed offset is east.
    return formatTimeOfDay(usecs) + formatOffset(-buf.readInt32BE(offset + 8));
  },
  encodeBinary(value, w) {
    const { usecs, secondsEast } = toTimetz(value);
    writeInt64Number(w, usecs);
    w.i32(-secondsEast);
  },
  decodeText: (text) => text,
  encodeText(value) {
    const { usecs, secondsEast } = toTimetz(value);
    return formatTimeOfDay(usecs) + formatOffset(secondsEast);
  },
};
