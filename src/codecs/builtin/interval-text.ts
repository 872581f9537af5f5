/**
 * Reads interval text in each IntervalStyle the server can print (`EncodeInterval` in utils/adt/datetime.c),
 * for text results (simple protocol) and string parameters:
 * - postgres (the default): `'1 year 2 mons -3 days +04:05:06.5'`, `'-00:00:01.5'`
 * - postgres_verbose: `'@ 1 year 2 mons -3 days 4 hours 5 mins 6.25 secs ago'`
 * - sql_standard: `'1-2'`, `'3 4:05:06'`, `'-1-2 +3 -4:05:06.25'` (a leading sign applies to every part
 *   unless the other parts carry their own, as `DecodeInterval` reads it)
 * - iso_8601: `'P1Y2M3DT4H5M6.5S'`
 * Fractions are read for time units only (the server prints no others); other fractional inputs are refused.
 */
import { CodecError } from '../types.js';
import { fractionToMicros } from './calendar.js';

/** Months, days and microseconds as parsed (±Infinity in every field for infinite intervals). */
export interface ParsedInterval {
  months: number;
  days: number;
  microseconds: number;
}

const USECS_PER_SECOND = 1000000;

// Unit words interval_in knows (the `deltatktbl` table in utils/adt/datetime.c), mapped to a field and factor.
const unitTable: Record<string, readonly ['months' | 'days' | 'usecs', number]> = {};
function units(names: string[], field: 'months' | 'days' | 'usecs', factor: number): void {
  for (const name of names) unitTable[name] = [field, factor];
}
units(['millennium', 'millennia', 'millenniums', 'mil', 'mils'], 'months', 12000);
units(['century', 'centuries', 'cent', 'c'], 'months', 1200);
units(['decade', 'decades', 'dec', 'decs'], 'months', 120);
units(['year', 'years', 'yr', 'yrs', 'y'], 'months', 12);
units(['month', 'months', 'mon', 'mons'], 'months', 1);
units(['week', 'weeks', 'w'], 'days', 7);
units(['day', 'days', 'd'], 'days', 1);
units(['hour', 'hours', 'hr', 'hrs', 'h'], 'usecs', 3600 * USECS_PER_SECOND);
units(['minute', 'minutes', 'min', 'mins', 'm'], 'usecs', 60 * USECS_PER_SECOND);
units(['second', 'seconds', 'sec', 'secs', 's'], 'usecs', USECS_PER_SECOND);
units(['millisecond', 'milliseconds', 'msec', 'msecs', 'ms'], 'usecs', 1000);
units(['microsecond', 'microseconds', 'usec', 'usecs', 'us'], 'usecs', 1);

/** An accumulating interval; `finish` checks the ranges. */
interface Acc {
  months: number;
  days: number;
  usecs: number;
}

/** `[+-]H:MM[:SS[.f]]` as signed microseconds, or `undefined`. */
function timeToken(token: string): number | undefined {
  const m = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?$/.exec(token);
  if (m === null) return undefined;
  const usecs = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * USECS_PER_SECOND + fractionToMicros(m[5]);
  return m[1] === '-' ? -usecs : usecs;
}

/** `n` units with a decimal number; fractions only for time units (exact through the digits, not floats). */
function addUnit(acc: Acc, number: string, unit: string): boolean {
  const entry = unitTable[unit.toLowerCase()];
  if (entry === undefined) return false;
  const [fieldName, factor] = entry;
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(number);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return false;
  const sign = m[1] === '-' ? -1 : 1;
  const whole = Number(m[2] || '0');
  if (fieldName !== 'usecs') {
    if (m[3] !== undefined && /[1-9]/.test(m[3])) return false;
    acc[fieldName] += sign * whole * factor;
    return true;
  }
  // The fraction in microseconds of one unit, scaled by the unit's size: exact for seconds and below.
  const fraction = m[3] === undefined ? 0 : Math.round((fractionToMicros(m[3]) * factor) / USECS_PER_SECOND);
  acc.usecs += sign * (whole * factor + fraction);
  return true;
}

/** postgres and postgres_verbose styles, and unit-word input in general. */
function parseWords(text: string): Acc | undefined {
  const acc: Acc = { months: 0, days: 0, usecs: 0 };
  const tokens = text.split(/\s+/);
  let i = 0;
  if (tokens[0] === '@') i++;
  let isAgo = false;
  while (i < tokens.length) {
    const token = tokens[i];
    if (token.toLowerCase() === 'ago' && i === tokens.length - 1) {
      isAgo = true;
      i++;
      continue;
    }
    const time = timeToken(token);
    if (time !== undefined) {
      acc.usecs += time;
      i++;
      continue;
    }
    const attached = /^([+-]?[\d.]+)([a-zA-Z]+)$/.exec(token);
    if (attached !== null) {
      if (!addUnit(acc, attached[1], attached[2])) return undefined;
      i++;
    } else if (i + 1 < tokens.length && /^[a-zA-Z]+$/.test(tokens[i + 1]) && tokens[i + 1].toLowerCase() !== 'ago') {
      if (!addUnit(acc, token, tokens[i + 1])) return undefined;
      i += 2;
    } else {
      // A bare number is seconds (postgres_verbose prints zero as '@ 0').
      if (!addUnit(acc, token, 's')) return undefined;
      i++;
    }
  }
  if (isAgo) {
    acc.months = -acc.months;
    acc.days = -acc.days;
    acc.usecs = -acc.usecs;
  }
  return acc;
}

/** sql_standard style (and postgres style's bare time). */
function parseSqlStandard(text: string): Acc | undefined {
  const tokens = text.split(/\s+/);
  if (tokens.length > 3) return undefined;
  // A sign on any part after the first means every part carries its own; otherwise the first part's sign is
  // the whole value's.
  const hasOwnSigns = tokens.slice(1).some((t) => t[0] === '+' || t[0] === '-');
  const leadingNegative = !hasOwnSigns && tokens[0][0] === '-';
  const acc: Acc = { months: 0, days: 0, usecs: 0 };
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i];
    if (leadingNegative && i === 0) token = token.slice(1);
    const yearMonth = /^([+-])?(\d+)-(\d+)$/.exec(token);
    const time = timeToken(token);
    if (yearMonth !== null) {
      const months = Number(yearMonth[2]) * 12 + Number(yearMonth[3]);
      acc.months += yearMonth[1] === '-' ? -months : months;
    } else if (time !== undefined) {
      acc.usecs += time;
    } else if (/^[+-]?\d+$/.test(token)) {
      // A bare integer is days when a time follows it, otherwise seconds.
      const isDays = i + 1 < tokens.length && timeToken(tokens[i + 1]) !== undefined;
      if (isDays) acc.days += Number(token);
      else acc.usecs += Number(token) * USECS_PER_SECOND;
    } else return undefined;
  }
  if (leadingNegative) {
    acc.months = -acc.months;
    acc.days = -acc.days;
    acc.usecs = -acc.usecs;
  }
  return acc;
}

const isoDuration =
  /^P(?:([+-]?\d+)Y)?(?:([+-]?\d+)M)?(?:([+-]?\d+)W)?(?:([+-]?\d+)D)?(?:T(?:([+-]?\d+)H)?(?:([+-]?\d+)M)?(?:([+-]?)(\d+)(?:\.(\d*))?S)?)?$/i;

/** iso_8601 style: ISO 8601 "format with designators". */
function parseIso(text: string): Acc | undefined {
  const m = isoDuration.exec(text);
  if (m === null || text.length === 1 || /T$/i.test(text)) return undefined;
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  let secUsecs = n(m[8]) * USECS_PER_SECOND + fractionToMicros(m[9]);
  if (m[7] === '-') secUsecs = -secUsecs;
  return {
    months: n(m[1]) * 12 + n(m[2]),
    days: n(m[3]) * 7 + n(m[4]),
    usecs: n(m[5]) * 3600 * USECS_PER_SECOND + n(m[6]) * 60 * USECS_PER_SECOND + secUsecs,
  };
}

function isInt32(n: number): boolean {
  return n >= -2147483648 && n <= 2147483647;
}

/**
 * Parses interval text; `undefined` when it is in none of the supported forms. Out-of-range fields throw a
 * CodecError.
 */
export function parseIntervalText(text: string): ParsedInterval | undefined {
  const t = text.trim();
  if (t.length === 0) return undefined;
  const word = t.toLowerCase();
  if (word === 'infinity' || word === '+infinity') return { months: Infinity, days: Infinity, microseconds: Infinity };
  if (word === '-infinity') return { months: -Infinity, days: -Infinity, microseconds: -Infinity };
  let acc: Acc | undefined;
  if (t[0] === 'P' || t[0] === 'p') acc = parseIso(t);
  else if (/[a-zA-Z@]/.test(t)) acc = parseWords(t);
  else acc = parseSqlStandard(t);
  if (acc === undefined) return undefined;
  if (!Number.isSafeInteger(acc.usecs)) {
    throw new CodecError(`interval time part of '${t}' is beyond ±Number.MAX_SAFE_INTEGER µs`);
  }
  // int32 fields: -2^31 is a valid value (interval_out prints '-2147483648 days').
  if (!isInt32(acc.months) || !isInt32(acc.days)) {
    throw new CodecError(`interval '${t}' is out of range`);
  }
  // `+ 0` turns a -0 from negation into 0.
  return { months: acc.months + 0, days: acc.days + 0, microseconds: acc.usecs + 0 };
}
