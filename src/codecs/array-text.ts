/**
 * The text form of arrays, as `array_in` reads and `array_out` writes it (utils/adt/arrayfuncs.c):
 * `{1,2,NULL}`, `{{1,2},{3,4}}`, elements double-quoted when needed with `\` escaping `"` and `\`, an unquoted
 * `NULL` (any case) for NULL, and an optional `[lower:upper]…=` prefix for non-default bounds (dropped here:
 * JS arrays start at 0).
 */
import { arrayDims, forEachElement } from './array-shape.js';
import { describeValue } from './describe.js';
import { CodecError } from './types.js';

/** A decoded array: elements or, for multidimensional arrays, nested arrays. */
export type ArrayValue<T> = (T | null | ArrayValue<T>)[];

/** `array_isspace`: the whitespace array_in skips and array_out quotes. */
function isArraySpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function malformed(text: string, why: string): CodecError {
  return new CodecError(`malformed array text ${describeValue(text)}: ${why}`);
}

/** The parser's state: one object per parse rather than closures. */
interface ArrayTextParser<T> {
  readonly text: string;
  readonly delimiter: string;
  readonly delim: number;
  readonly decodeElement: (text: string) => T;
  pos: number;
}

function skipSpaces(p: ArrayTextParser<unknown>): void {
  while (p.pos < p.text.length && isArraySpace(p.text.charCodeAt(p.pos))) p.pos++;
}

function parseLevel<T>(p: ArrayTextParser<T>, depth: number): ArrayValue<T> {
  const { text } = p;
  if (depth > 6) throw malformed(text, 'more than 6 dimensions');
  if (text.charCodeAt(p.pos) !== 123 /* { */) throw malformed(text, `expected '{' at ${p.pos}`);
  p.pos++;
  const items: ArrayValue<T> = [];
  skipSpaces(p);
  if (text.charCodeAt(p.pos) === 125 /* } */) {
    p.pos++;
    return items;
  }
  for (;;) {
    skipSpaces(p);
    if (p.pos >= text.length) throw malformed(text, 'unexpected end');
    if (text.charCodeAt(p.pos) === 123) items.push(parseLevel(p, depth + 1));
    else items.push(parseElement(p));
    skipSpaces(p);
    const c = text.charCodeAt(p.pos);
    p.pos++;
    if (c === 125) return items;
    if (c !== p.delim) throw malformed(text, `expected '${p.delimiter}' or '}' at ${p.pos - 1}`);
  }
}

function parseElement<T>(p: ArrayTextParser<T>): T | null {
  const { text } = p;
  let pos = p.pos;
  let value = '';
  // Quoted or escaped text is never NULL, even when it reads "NULL" (array_in's rule).
  let isQuoted = false;
  // Unquoted trailing whitespace is dropped, escaped or quoted whitespace kept: track the kept length.
  let keep = 0;
  for (;;) {
    if (pos >= text.length) throw malformed(text, 'unexpected end');
    const c = text.charCodeAt(pos);
    if (c === 34 /* " */) {
      isQuoted = true;
      pos++;
      for (;;) {
        if (pos >= text.length) throw malformed(text, 'unterminated quotes');
        const q = text.charCodeAt(pos);
        if (q === 34) break;
        if (q === 92 /* \ */) pos++;
        if (pos >= text.length) throw malformed(text, 'unterminated quotes');
        value += text[pos++];
      }
      pos++;
      keep = value.length;
    } else if (c === 92) {
      if (pos + 1 >= text.length) throw malformed(text, 'trailing backslash');
      value += text[pos + 1];
      pos += 2;
      keep = value.length;
      isQuoted = true;
    } else if (c === p.delim || c === 125) {
      break;
    } else if (c === 123) {
      throw malformed(text, `unexpected '{' at ${pos}`);
    } else {
      value += text[pos++];
      if (!isArraySpace(c)) keep = value.length;
    }
  }
  p.pos = pos;
  value = value.slice(0, keep);
  if (!isQuoted && value.length === 4 && value.toUpperCase() === 'NULL') return null;
  if (!isQuoted && value.length === 0) throw malformed(text, `empty element at ${pos}`);
  return p.decodeElement(value);
}

/**
 * Parses array text; `decodeElement` turns each non-NULL element's text into a value. Terminates on every
 * input: each step consumes at least one character or throws.
 */
export function parseArrayText<T>(text: string, delimiter: string, decodeElement: (text: string) => T): ArrayValue<T> {
  const p: ArrayTextParser<T> = { text, delimiter, delim: delimiter.charCodeAt(0), decodeElement, pos: 0 };
  // Skip a dimension decoration such as "[0:1][1:2]=".
  if (text.charCodeAt(0) === 91 /* [ */) {
    const eq = text.indexOf('=');
    if (eq < 0 || !/^(\[-?\d+:-?\d+\])+$/.test(text.slice(0, eq).replace(/\s+/g, ''))) {
      throw malformed(text, 'bad dimension decoration');
    }
    p.pos = eq + 1;
  }
  skipSpaces(p);
  const result = parseLevel(p, 1);
  skipSpaces(p);
  if (p.pos !== text.length) throw malformed(text, `junk after the closing '}' at ${p.pos}`);
  return result;
}

/** Quotes an element's text when array_in would misread it bare, as array_out decides. */
export function quoteArrayElement(text: string, delimiter: string): string {
  if (text.length === 0 || (text.length === 4 && text.toUpperCase() === 'NULL')) return `"${text}"`;
  let needsQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92 || c === 123 || c === 125 || isArraySpace(c) || text[i] === delimiter) {
      needsQuotes = true;
      break;
    }
  }
  return needsQuotes ? `"${text.replace(/["\\]/g, '\\$&')}"` : text;
}

/** Formats a nested JS array as array text, with `encodeElement` giving each non-NULL element's text. */
export function formatArrayText(
  value: unknown[],
  delimiter: string,
  hasArrayValues: boolean,
  encodeElement: (element: unknown) => string,
): string {
  const dims = arrayDims(value, hasArrayValues);
  if (dims.includes(0)) {
    forEachElement(value, dims, hasArrayValues, () => {});
    return '{}';
  }
  let out = '';
  const isFirst: boolean[] = [];
  const separate = (depth: number): void => {
    if (depth >= 0) {
      if (!isFirst[depth]) out += delimiter;
      isFirst[depth] = false;
    }
  };
  forEachElement(
    value,
    dims,
    hasArrayValues,
    (element) => {
      separate(dims.length - 1);
      out += element === null ? 'NULL' : quoteArrayElement(encodeElement(element), delimiter);
    },
    (depth) => {
      separate(depth - 1);
      out += '{';
      isFirst[depth] = true;
    },
    () => {
      out += '}';
    },
  );
  return out;
}
