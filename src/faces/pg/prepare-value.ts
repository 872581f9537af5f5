/**
 * Query parameters as node-postgres prepares them (its `utils.prepareValue`): null and undefined are NULL,
 * Buffers and typed arrays are bytes, Dates are local-time text (UTC with `defaults.parseInputDatesAsUTC`),
 * arrays become array literals, objects with `toPostgres()` give their own form, other objects JSON, and
 * everything else its `toString()`. pgjet then sends each string in text format for the server's input
 * function (or through a codec that parses it exactly), so the server stores what it stores under pg.
 */
import { defaults } from './defaults.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function yearText(year: number): [string, boolean] {
  // Negative years are one off their BC spelling: year 0 is 1 BC.
  return year < 1 ? [pad(Math.abs(year) + 1, 4), true] : [pad(year, 4), false];
}

/** A Date as local time with its offset: `2024-02-29T13:45:00.000+01:00`. */
export function dateToString(date: Date): string {
  let offset = -date.getTimezoneOffset();
  const [year, isBC] = yearText(date.getFullYear());
  let text = `${year}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  if (offset < 0) {
    text += '-';
    offset = -offset;
  } else text += '+';
  text += `${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
  return isBC ? `${text} BC` : text;
}

/** A Date in UTC: `2024-02-29T12:45:00.000+00:00`. */
export function dateToStringUTC(date: Date): string {
  const [year, isBC] = yearText(date.getUTCFullYear());
  const text = `${year}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+00:00`;
  return isBC ? `${text} BC` : text;
}

function quoteElement(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A JS array as a PostgreSQL array literal, elements prepared the same way. */
function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const item = values[i];
    if (item === null || item === undefined) out += 'NULL';
    else if (Array.isArray(item)) out += arrayLiteral(item);
    else if (ArrayBuffer.isView(item)) out += `\\\\x${toBuffer(item).toString('hex')}`;
    else out += quoteElement(prepareValue(item) as string);
  }
  return `${out}}`;
}

function toBuffer(view: ArrayBufferView): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

interface ToPostgres {
  toPostgres(prepare: (value: unknown) => unknown): unknown;
}

function prepareObject(value: object, seen: object[]): unknown {
  if (typeof (value as Partial<ToPostgres>).toPostgres === 'function') {
    if (seen.includes(value)) throw new Error(`circular reference detected while preparing "${String(value)}" for query`);
    seen.push(value);
    return prepareInner((value as ToPostgres).toPostgres(prepareValue), seen);
  }
  return JSON.stringify(value);
}

function prepareInner(value: unknown, seen: object[]): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    if (Buffer.isBuffer(value)) return value;
    if (ArrayBuffer.isView(value)) return toBuffer(value);
    if (value instanceof Date) return defaults.parseInputDatesAsUTC ? dateToStringUTC(value) : dateToString(value);
    if (Array.isArray(value)) return arrayLiteral(value);
    return prepareObject(value, seen);
  }
  return (value as { toString(): string }).toString();
}

/** One parameter as pg sends it: null, a string, or a Buffer. */
export function prepareValue(value: unknown): unknown {
  return prepareInner(value, []);
}

/** Quotes an identifier: `"my ""table"""`. */
export function escapeIdentifier(str: string): string {
  return `"${str.replace(/"/g, '""')}"`;
}

/** Quotes a literal; a value with backslashes gets the `E'…'` form (libpq's PQescapeLiteral). */
export function escapeLiteral(str: string): string {
  if (typeof str !== 'string') return "''";
  let hasBackslash = false;
  let out = "'";
  for (const c of str) {
    if (c === "'") out += "''";
    else if (c === '\\') {
      out += '\\\\';
      hasBackslash = true;
    } else out += c;
  }
  out += "'";
  return hasBackslash ? ` E${out}` : out;
}
