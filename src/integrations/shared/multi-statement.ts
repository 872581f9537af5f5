/**
 * Finds whether SQL text holds more than one statement. Query builders hand raw SQL through (Kysely's
 * `sql.raw`, Drizzle's migration files), and node-postgres runs a parameterless query through the simple
 * protocol, where `CREATE …; CREATE …` is allowed; pgjet's `query()` uses the extended protocol, where the
 * server refuses it (42601 "cannot insert multiple commands into a prepared statement"). Retrying after that
 * error is no option inside a transaction (the error aborts it), so the integrations look before sending.
 *
 * The scan skips what can hide a semicolon: quoted strings ('…', E'…' with backslash escapes), quoted
 * identifiers, dollar quotes ($$…$$, $tag$…$tag$), line comments and nested block comments (the lexical rules
 * of PostgreSQL's scan.l).
 */

const SEMICOLON = 0x3b;
const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const DOLLAR = 0x24;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Letters, digits, `_`, `$` and non-ASCII: what may continue an identifier (scan.l `ident_cont`). */
function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === DOLLAR || c >= 0x80;
}

/** A dollar-quote tag (`$$` or `$name$`) starting at `i`, or null (`$1` is a parameter, not a tag). */
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;

/** Index just past the literal or comment starting at `i`, or `i` when none starts there. */
function skipToken(sql: string, i: number): number {
  const c = sql.charCodeAt(i);
  const next = sql.charCodeAt(i + 1);
  if (c === QUOTE) {
    // E'…' allows backslash escapes; with standard_conforming_strings (the default) plain strings do not.
    const prev = sql.charCodeAt(i - 1);
    const escapes = (prev === 0x45 || prev === 0x65) && !isIdentChar(sql.charCodeAt(i - 2));
    for (let j = i + 1; j < sql.length; j++) {
      const d = sql.charCodeAt(j);
      if (escapes && d === BACKSLASH) j++;
      else if (d === QUOTE) return j + 1; // '' is two adjacent strings to this scan: same result
    }
    return sql.length;
  }
  if (c === DOUBLE_QUOTE) {
    const end = sql.indexOf('"', i + 1);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === 0x2d && next === 0x2d) {
    const end = sql.indexOf('\n', i + 2);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === 0x2f && next === 0x2a) {
    let depth = 1;
    let j = i + 2;
    while (j < sql.length && depth > 0) {
      if (sql.startsWith('/*', j)) {
        depth++;
        j += 2;
      } else if (sql.startsWith('*/', j)) {
        depth--;
        j += 2;
      } else j++;
    }
    return j;
  }
  if (c === DOLLAR && !isIdentChar(sql.charCodeAt(i - 1))) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(sql)?.[0];
    if (tag === undefined) return i;
    const end = sql.indexOf(tag, i + tag.length);
    return end < 0 ? sql.length : end + tag.length;
  }
  return i;
}

/**
 * True when `sql` has a statement after a top-level semicolon (a trailing `;`, whitespace or comments after
 * the last statement do not count). Cheap for the common case: text without `;` is not scanned.
 */
export function hasSeveralStatements(sql: string): boolean {
  if (!sql.includes(';')) return false;
  let afterSemicolon = false;
  let i = 0;
  while (i < sql.length) {
    const skipped = skipToken(sql, i);
    const c = sql.charCodeAt(i);
    const isComment = skipped > i && (c === 0x2d || c === 0x2f);
    if (skipped > i && !isComment && afterSemicolon) return true;
    if (skipped > i) {
      i = skipped;
      continue;
    }
    if (c === SEMICOLON) afterSemicolon = true;
    else if (afterSemicolon && !isSpace(c)) return true;
    i++;
  }
  return false;
}
