/**
 * PostgreSQL's text form of an array (`{1,"a b",NULL,{2,3}}`, led by `[lo:hi]=` when a lower bound is not 1),
 * for the integrations that must hand their tool the values node-postgres would: there an array column is
 * parsed from this text element by element. Rules from PostgreSQL's `array_out`: elements are separated by
 * commas (box arrays use `;` and are never parsed here), an element is double-quoted when it holds special
 * characters, inside quotes `\` escapes the next character, and an unquoted `NULL` is SQL null.
 */
import { DataError } from '../../index.js';

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BOUNDS = 0x5b; // [

function malformed(text: string): DataError {
  return new DataError(`malformed array text from the server: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`);
}

/** Index of the closing quote of the quoted element opening at `start`, and the element's unescaped text. */
function readQuoted(text: string, start: number): [end: number, value: string] {
  let value = '';
  let from = start + 1;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      value += text.slice(from, i);
      from = i + 1;
      i++; // the escaped character is kept as it is, even a quote or a backslash
    } else if (c === QUOTE) {
      return [i, value + text.slice(from, i)];
    }
  }
  throw malformed(text);
}

/**
 * Parses an array's text into nested JS arrays, each non-null element's text mapped through `element`.
 * @throws DataError when the text is not an array literal (truncated, or no opening brace).
 */
export function parseArrayText<T>(text: string, element: (text: string) => T): unknown[] {
  let i = text.charCodeAt(0) === BOUNDS ? text.indexOf('=') + 1 : 0;
  if (text.charCodeAt(i) !== OPEN) throw malformed(text);
  const root: unknown[] = [];
  const outer: unknown[][] = [];
  let current = root;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA) continue;
    if (c === OPEN) {
      const child: unknown[] = [];
      current.push(child);
      outer.push(current);
      current = child;
    } else if (c === CLOSE) {
      const parent = outer.pop();
      if (parent === undefined) return root;
      current = parent;
    } else if (c === QUOTE) {
      const [end, value] = readQuoted(text, i);
      current.push(element(value));
      i = end;
    } else {
      let end = i;
      while (end < text.length && text.charCodeAt(end) !== COMMA && text.charCodeAt(end) !== CLOSE) end++;
      const raw = text.slice(i, end);
      current.push(raw === 'NULL' ? null : element(raw));
      i = end - 1;
    }
  }
  throw malformed(text);
}
