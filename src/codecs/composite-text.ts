/**
 * The text form of composite values (`record_in` / `record_out` in utils/adt/rowtypes.c) and of range bounds
 * (`range_parse_bound` / `range_bound_escape` in utils/adt/rangetypes.c), which share their quoting: a field
 * is double-quoted when it needs to be, inside quotes `""` and `\"` both mean `"` and `\\` means `\`, an empty
 * unquoted field is NULL (an unbounded end, for ranges), and whitespace is kept as written.
 */
import { describeValue } from './describe.js';
import { CodecError } from './types.js';

/** One field read from composite or range text. */
interface FieldRead {
  /** The field's text, or null for an empty unquoted field. */
  value: string | null;
  /** Index of the character that ended the field (a delimiter or closing bracket). */
  end: number;
}

function malformed(type: string, text: string, why: string): CodecError {
  return new CodecError(`malformed ${type} text ${describeValue(text)}: ${why}`);
}

/**
 * Reads one field starting at `pos`, up to the first unquoted character in `stops` (character codes).
 * Terminates on all input: every iteration consumes at least one character or throws.
 */
export function readField(type: string, text: string, pos: number, stops: readonly number[]): FieldRead {
  let value = '';
  let hasContent = false;
  let isInQuotes = false;
  for (;;) {
    if (pos >= text.length) throw malformed(type, text, isInQuotes ? 'unterminated quotes' : 'unexpected end');
    const c = text.charCodeAt(pos);
    if (!isInQuotes && stops.includes(c)) break;
    if (c === 92 /* \ */) {
      if (pos + 1 >= text.length) throw malformed(type, text, 'trailing backslash');
      value += text[pos + 1];
      pos += 2;
    } else if (c === 34 /* " */) {
      if (isInQuotes && text.charCodeAt(pos + 1) === 34) {
        value += '"';
        pos += 2;
      } else {
        isInQuotes = !isInQuotes;
        pos++;
      }
    } else {
      value += text[pos++];
    }
    hasContent = true;
  }
  return { value: hasContent ? value : null, end: pos };
}

const COMMA = 44;
const CLOSE_PAREN = 41;
const fieldStops = [COMMA, CLOSE_PAREN];

/** Parses `(a,"b c",)` into field texts, null for NULL fields. */
export function parseRecordText(text: string): (string | null)[] {
  if (text.charCodeAt(0) !== 40 /* ( */) throw malformed('record', text, "expected '('");
  const fields: (string | null)[] = [];
  let pos = 1;
  // `()` is a record with no columns.
  if (text.charCodeAt(1) === CLOSE_PAREN && text.length === 2) return fields;
  for (;;) {
    const field = readField('record', text, pos, fieldStops);
    fields.push(field.value);
    pos = field.end + 1;
    if (text.charCodeAt(field.end) === CLOSE_PAREN) break;
  }
  if (pos !== text.length) throw malformed('record', text, `junk after ')' at ${pos}`);
  return fields;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Quotes a field when the reader would misread it bare: empty, whitespace, `"`, `\`, `,`, and the brackets in
 * `brackets` (`()` for records, `()[]` for range bounds). Doubles `"` and `\` inside quotes as the server does.
 */
export function quoteField(text: string, brackets: string): string {
  let needsQuotes = text.length === 0;
  for (let i = 0; i < text.length && !needsQuotes; i++) {
    const c = text.charCodeAt(i);
    needsQuotes = c === 34 || c === 92 || c === COMMA || isSpace(c) || brackets.includes(text[i]);
  }
  return needsQuotes ? `"${text.replace(/["\\]/g, '$&$&')}"` : text;
}

/** Formats field texts as a record literal; null fields are written empty (NULL). */
export function formatRecordText(fields: readonly (string | null)[]): string {
  let out = '(';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ',';
    const f = fields[i];
    if (f !== null) out += quoteField(f, '()');
  }
  return out + ')';
}
