/**
 * node-postgres' default text parsers (pg-types 2.x with postgres-array, postgres-date, postgres-interval and
 * postgres-bytea), written for the face: the values a `pg` user gets back, quirks included (a numeric[] is
 * read as floats, a `date` as a local-midnight Date, `'infinity'` as the number Infinity), because code
 * written against pg depends on exactly those values.
 */

/** A text parser: the server's text form in, the value out. */
export type TextParser = (text: string) => unknown;

/**
 * Parses a PostgreSQL array literal (`{1,2,NULL}`, nested, quoted, with an optional `[1:2]=` bounds prefix)
 * into nested arrays, passing each non-null element's text through `transform`. An unquoted `NULL` is null;
 * a quoted `"NULL"` is the string. Unbalanced braces throw, as postgres-array does.
 */
export function parseArray(source: string, transform: TextParser = (s) => s): unknown[] {
  let pos = 0;
  if (source.charCodeAt(0) === 0x5b /* [ */) {
    const eq = source.indexOf('=');
    pos = eq < 0 ? source.length : eq + 1;
  }
  const stack: unknown[][] = [];
  let current: unknown[] = [];
  let top: unknown[] | undefined;
  let recorded = '';
  let hasRecorded = false;
  let quoted = false;
  const flush = (wasQuoted: boolean): void => {
    if (!hasRecorded && !wasQuoted) return;
    if (!wasQuoted && recorded === 'NULL') current.push(null);
    else current.push(transform(recorded));
    recorded = '';
    hasRecorded = false;
  };
  let depth = 0;
  while (pos < source.length) {
    let ch = source[pos++];
    if (ch === '\\') {
      ch = source[pos++] ?? '';
      recorded += ch;
      hasRecorded = true;
      continue;
    }
    if (quoted) {
      if (ch === '"') {
        quoted = false;
        flush(true);
      } else {
        recorded += ch;
        hasRecorded = true;
      }
      continue;
    }
    if (ch === '{') {
      depth++;
      if (depth > 1) {
        stack.push(current);
        const inner: unknown[] = [];
        current.push(inner);
        current = inner;
      }
    } else if (ch === '}') {
      flush(false);
      depth--;
      if (depth === 0) {
        top = current;
        break;
      }
      current = stack.pop() ?? current;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      flush(false);
    } else {
      recorded += ch;
      hasRecorded = true;
    }
  }
  if (depth !== 0) throw new Error('array dimension not balanced');
  return top ?? current;
}

/** The parser for arrays whose elements `element` parses (null elements stay null). */
export function arrayOf(element: TextParser): TextParser {
  return (text) => parseArray(text, element);
}

/** pg's bool: the server's `t`/`f`, and the other spellings pg-types accepts. */
export function parseBool(text: string): boolean {
  return text === 't' || text === 'TRUE' || text === 'true' || text === 'y' || text === 'yes' || text === 'on' || text === '1';
}

/** int2, int4, oid: a base-10 number. */
export function parseInteger(text: string): number {
  return parseInt(text, 10);
}

/** int8 stays a string: pg-types does not risk a double above 2^53. */
export function parseBigInteger(text: string): string {
  return text;
}

/** point: `(x,y)` → `{ x, y }`, or null for anything else. */
export function parsePoint(text: string): { x: number; y: number } | null {
  if (text[0] !== '(') return null;
  const parts = text.substring(1, text.length - 1).split(',');
  return { x: parseFloat(parts[0]), y: parseFloat(parts[1]) };
}

/** circle: `<(x,y),r>` → `{ x, y, radius }`. */
export function parseCircle(text: string): { x: number; y: number; radius: number } | null {
  const close = text.indexOf(')');
  const point = parsePoint(text.substring(1, close + 1));
  if (point === null) return null;
  const radius = parseFloat(text.substring(close + 2, text.length - 1));
  return { x: point.x, y: point.y, radius };
}

/** bytea in hex (`\x…`) or the old escape format → Buffer. */
export function parseBytea(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.substring(2), 'hex');
  const bytes: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '\\') {
      bytes.push(text.charCodeAt(i) & 0xff);
      i++;
    } else if (/^[0-7]{3}$/.test(text.substring(i + 1, i + 4))) {
      bytes.push(parseInt(text.substring(i + 1, i + 4), 8));
      i += 4;
    } else {
      let run = 1;
      while (i + run < text.length && text[i + run] === '\\') run++;
      for (let k = 0; k < Math.floor(run / 2); k++) bytes.push(0x5c);
      i += Math.floor(run / 2) * 2;
      if (run === 1) i++; // a lone backslash before something else: skip it rather than loop forever
    }
  }
  return Buffer.from(bytes);
}

const DATE_TIME = /(\d+)-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?.*?( BC)?$/;
const DATE_ONLY = /^(\d+)-(\d{2})-(\d{2})( BC)?$/;
const ZONE = /([Z+-])(\d{2})?:?(\d{2})?:?(\d{2})?/;

/** A BC year as the proleptic astronomical year (1 BC is year 0). */
function bcYear(year: number): number {
  return -(year - 1);
}

/** Offset in ms of the zone written after the time, or undefined for a timestamp without one. */
function zoneOffset(text: string): number | undefined {
  if (text.endsWith('+00')) return 0;
  const time = text.split(' ')[1];
  const zone = time === undefined ? null : ZONE.exec(time);
  if (zone === null) return undefined;
  if (zone[1] === 'Z') return 0;
  const seconds = parseInt(zone[2], 10) * 3600 + parseInt(zone[3] ?? '0', 10) * 60 + parseInt(zone[4] ?? '0', 10);
  return (zone[1] === '-' ? -1 : 1) * seconds * 1000;
}

/**
 * date, timestamp and timestamptz (postgres-date's rules): a value with a zone is that instant; one without
 * (timestamp, date) is read in the process's local time zone; `infinity` / `-infinity` become numbers; text
 * that is no date gives null.
 */
export function parseDate(text: string): Date | number | null {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const m = DATE_TIME.exec(text);
  if (m === null) {
    const d = DATE_ONLY.exec(text);
    if (d === null) return null;
    let year = parseInt(d[1], 10);
    if (d[4] !== undefined) year = bcYear(year);
    const date = new Date(year, parseInt(d[2], 10) - 1, parseInt(d[3], 10));
    if (year >= 0 && year < 100) date.setFullYear(year);
    return date;
  }
  let year = parseInt(m[1], 10);
  if (m[8] !== undefined) year = bcYear(year);
  const month = parseInt(m[2], 10) - 1;
  const day = parseInt(m[3], 10);
  const hour = parseInt(m[4], 10);
  const minute = parseInt(m[5], 10);
  const second = parseInt(m[6], 10);
  const ms = m[7] === undefined ? 0 : 1000 * parseFloat(m[7]);
  const offset = zoneOffset(text);
  if (offset === undefined) {
    const date = new Date(year, month, day, hour, minute, second, ms);
    if (year >= 0 && year < 100) date.setFullYear(year);
    return date;
  }
  const date = new Date(Date.UTC(year, month, day, hour, minute, second, ms));
  if (year >= 0 && year < 100) date.setUTCFullYear(year);
  if (offset !== 0) date.setTime(date.getTime() - offset);
  return date;
}
