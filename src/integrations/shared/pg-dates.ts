/**
 * `date` and `timestamp` (without time zone) decoded as node-postgres decodes them (its default type parsers):
 * a `Date` in the process's local time zone, the date at local midnight. pgjet's own values differ on purpose
 * (a date stays the string `'2024-02-29'`, a timestamp is read as UTC, so neither shifts with the machine's
 * time zone), but code written against `pg` relies on these rules:
 *
 * - `infinity` / `-infinity` become the numbers `Infinity` / `-Infinity`;
 * - a BC year N is the astronomical year 1 − N (`0001 BC` is year 0);
 * - years 0–99 are years 0–99, not 1900–1999 (JavaScript's Date constructor maps them);
 * - fractional seconds beyond milliseconds are dropped;
 * - text that is neither form gives `null`.
 *
 * The server sends both types in this layout because pgjet keeps `DateStyle` at ISO.
 */

const DATE = /^(\d+)-(\d\d)-(\d\d)( BC)?$/;
const TIMESTAMP = /^(\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?( BC)?$/;

/** ±Infinity for the server's infinities, else undefined. */
function infinity(text: string): number | undefined {
  if (text === 'infinity') return Infinity;
  return text === '-infinity' ? -Infinity : undefined;
}

/** The astronomical year of an ISO year and its optional ` BC` suffix. */
function yearOf(digits: string, bc: string | undefined): number {
  const year = Number(digits);
  return bc === undefined ? year : 1 - year;
}

/** A local-time Date; `new Date(y, …)` reads years 0–99 as 1900–1999, so those get their year set again. */
function localDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const date = new Date(year, month - 1, day, hour, minute, second, ms);
  if (year >= 0 && year < 100) date.setFullYear(year);
  return date;
}

/** A `date` column's text as node-postgres gives it: local midnight, ±Infinity, or null. */
export function dateLikePg(text: string): Date | number | null {
  const inf = infinity(text);
  if (inf !== undefined) return inf;
  const m = DATE.exec(text);
  if (m === null) return null;
  return localDate(yearOf(m[1], m[4]), Number(m[2]), Number(m[3]));
}

/** A `timestamp` column's text as node-postgres gives it: a local-time Date, ±Infinity, or null. */
export function timestampLikePg(text: string): Date | number | null {
  const inf = infinity(text);
  if (inf !== undefined) return inf;
  const m = TIMESTAMP.exec(text);
  if (m === null) return dateLikePg(text);
  // Date's constructor drops the fraction of a millisecond, as pg's parser lets it.
  const ms = m[7] === undefined ? 0 : Number(m[7]) * 1000;
  return localDate(yearOf(m[1], m[8]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}
