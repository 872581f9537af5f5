/**
 * A small SQL lexer that finds the real `$n` placeholders of a statement, skipping what PostgreSQL's own
 * scanner (src/backend/parser/scan.l) treats as something else: string constants ('…', E'…' with backslash
 * escapes, U&'…', B'…', X'…'), dollar-quoted strings ($tag$…$tag$), quoted identifiers ("…"), comments
 * (-- and nested /* … *\/), and identifiers, which may contain `$` (so `a$1` is a name, not `a` then `$1`).
 * Used to substitute server-rendered literals for COPY, which cannot take bind parameters.
 */

/** One placeholder: `$n` at `[start, end)`. */
export interface Placeholder {
  /** The parameter number (1-based). */
  index: number;
  /** Offset of the `$`. */
  start: number;
  /** Offset after the last digit. */
  end: number;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The offset after a '…' string starting at `i` (the quote); `backslash` when \ escapes (E'…'). */
function skipString(sql: string, i: number, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (backslash && c === 0x5c) {
      j += 2;
    } else if (c === 0x27) {
      if (sql.charCodeAt(j + 1) === 0x27) j += 2;
      else return j + 1;
    } else {
      j++;
    }
  }
  return j;
}

/** The offset after a "…" identifier starting at `i`. */
function skipQuotedIdentifier(sql: string, i: number): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql.charCodeAt(j) === 0x22) {
      if (sql.charCodeAt(j + 1) === 0x22) j += 2;
      else return j + 1;
    } else {
      j++;
    }
  }
  return j;
}

/** The offset after a nested block comment starting at `i` ('/*'). */
function skipBlockComment(sql: string, i: number): number {
  let depth = 1;
  let j = i + 2;
  while (j < sql.length && depth > 0) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
    } else {
      j++;
    }
  }
  return j;
}

/** If a dollar quote opens at `i`, the offset after its closing delimiter; else -1. */
function skipDollarQuote(sql: string, i: number): number {
  let j = i + 1;
  if (sql.charCodeAt(j) !== 0x24) {
    if (!isIdentStart(sql.charCodeAt(j))) return -1;
    while (j < sql.length && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 0x24) j++;
    if (sql.charCodeAt(j) !== 0x24) return -1;
  }
  const delimiter = sql.slice(i, j + 1);
  const close = sql.indexOf(delimiter, j + 1);
  return close < 0 ? sql.length : close + delimiter.length;
}

/**
 * Every `$n` placeholder of `sql`, in order of appearance. `backslashEscapes` is true when the server has
 * `standard_conforming_strings` off, so that backslashes escape in plain '…' strings too.
 */
export function findPlaceholders(sql: string, backslashEscapes = false): Placeholder[] {
  const out: Placeholder[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 0x27) {
      i = skipString(sql, i, backslashEscapes);
    } else if (c === 0x22) {
      i = skipQuotedIdentifier(sql, i);
    } else if (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      i = skipBlockComment(sql, i);
    } else if (c === 0x24) {
      if (isDigit(sql.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
        out.push({ index: Number(sql.slice(i + 1, j)), start: i, end: j });
        i = j;
      } else {
        const after = skipDollarQuote(sql, i);
        i = after < 0 ? i + 1 : after;
      }
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      const next = sql.charCodeAt(j);
      if (next === 0x27) {
        // A string with a prefix: E'…' escapes with backslashes; B'…', X'…', N'…' and U&'…' do not.
        const word = sql.slice(i, j);
        i = skipString(sql, j, word === 'e' || word === 'E' || backslashEscapes);
      } else if (next === 0x26 && (j - i === 1) && (c === 0x75 || c === 0x55) && sql.charCodeAt(j + 1) === 0x27) {
        i = skipString(sql, j + 1, backslashEscapes); // U&'…'
      } else if (next === 0x26 && (j - i === 1) && (c === 0x75 || c === 0x55) && sql.charCodeAt(j + 1) === 0x22) {
        i = skipQuotedIdentifier(sql, j + 1); // U&"…"
      } else {
        i = j;
      }
    } else if (isDigit(c)) {
      // A number, including forms like 1e5 or 0x1F: none can hold a placeholder.
      let j = i + 1;
      while (j < n && (isIdentChar(sql.charCodeAt(j)) || sql.charCodeAt(j) === 0x2e) && sql.charCodeAt(j) !== 0x24) j++;
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

/** Replaces each placeholder `$n` with `values[n - 1]`; placeholders beyond `values` are left as they are. */
export function substitutePlaceholders(sql: string, values: readonly string[], backslashEscapes = false): string {
  const found = findPlaceholders(sql, backslashEscapes);
  if (found.length === 0) return sql;
  let out = '';
  let at = 0;
  for (const p of found) {
    const value = values[p.index - 1];
    if (value === undefined) continue;
    out += sql.slice(at, p.start) + value;
    at = p.end;
  }
  return out + sql.slice(at);
}
