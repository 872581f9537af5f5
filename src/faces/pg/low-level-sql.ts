/**
 * Just enough reading of a statement's SQL text for the low-level connection: its leading keyword (to refuse
 * COPY and to name the command of a row-returning statement), skipping what PostgreSQL's lexer skips
 * (comments, string constants, quoted identifiers, dollar quotes). pgjet's cursor API delivers rows but not
 * the CommandComplete tag, so a row-returning statement's tag is rebuilt from its verb and row count.
 */

/** A keyword and the parenthesis depth it was found at. */
interface Word {
  text: string;
  depth: number;
}

const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isWordPart = (c: string): boolean => /[A-Za-z0-9_$]/.test(c);

/** Index just past a dollar-quote opener at `i` (`$$` or `$tag$`), or -1 when `$` does not open one. */
function dollarTagEnd(sql: string, i: number): number {
  let j = i + 1;
  while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j])) j++;
  if (sql[j] !== '$' || /[0-9]/.test(sql[i + 1] ?? '')) return -1;
  return j + 1;
}

/** Index just past the string constant opening at `i`; backslashes escape only in E'' strings. */
function stringEnd(sql: string, i: number, isEscapeString: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (isEscapeString && c === '\\') j += 2;
    else if (c === "'" && sql[j + 1] === "'") j += 2;
    else if (c === "'") return j + 1;
    else j++;
  }
  return j;
}

/** Index just past the block comment opening at `i` (block comments nest in PostgreSQL). */
function blockCommentEnd(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  return j;
}

/** The bare words of `sql` in order, with their parenthesis depth, up to `limit` words. */
function words(sql: string, limit: number): Word[] {
  const out: Word[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length && out.length < limit) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = blockCommentEnd(sql, i);
    } else if (c === "'") {
      i = stringEnd(sql, i, false);
    } else if (c === '"') {
      const close = sql.indexOf('"', i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === '$' && dollarTagEnd(sql, i) > 0) {
      const tagEnd = dollarTagEnd(sql, i);
      const close = sql.indexOf(sql.slice(i, tagEnd), tagEnd);
      i = close < 0 ? sql.length : close + (tagEnd - i);
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < sql.length && isWordPart(sql[j])) j++;
      const isEscapeString = (c === 'E' || c === 'e') && j === i + 1 && sql[j] === "'";
      if (isEscapeString) {
        i = stringEnd(sql, j, true);
      } else {
        out.push({ text: sql.slice(i, j).toUpperCase(), depth });
        i = j;
      }
    } else {
      i++;
    }
  }
  return out;
}

/** The statement's first keyword in upper case (`'SELECT'`, `'COPY'`), or '' for an empty statement. */
export function leadingKeyword(sql: string): string {
  return words(sql, 1)[0]?.text ?? '';
}

/** The verbs whose tags end in a row count, and how a row-returning statement's main verb maps to one. */
const MAIN_VERBS = new Map([
  ['SELECT', 'SELECT'],
  ['VALUES', 'SELECT'],
  ['TABLE', 'SELECT'],
  ['INSERT', 'INSERT'],
  ['UPDATE', 'UPDATE'],
  ['DELETE', 'DELETE'],
  ['MERGE', 'MERGE'],
]);

/** Verbs of row-returning statements whose tags carry no count, or a count of their own. */
const OTHER_VERBS = new Set(['FETCH', 'MOVE', 'SHOW', 'EXPLAIN', 'CALL']);

/**
 * The command of a statement that returns rows, as its CommandComplete tag names it: the main statement
 * after a WITH list (`WITH … INSERT … RETURNING` is an INSERT), SELECT for VALUES/TABLE and anything
 * unrecognised.
 */
export function rowCommand(sql: string): string {
  const list = words(sql, 4096);
  const first = list[0]?.text ?? '';
  if (first === 'WITH') {
    const main = list.find((w, i) => i > 0 && w.depth === 0 && MAIN_VERBS.has(w.text));
    return MAIN_VERBS.get(main?.text ?? 'SELECT') ?? 'SELECT';
  }
  if (OTHER_VERBS.has(first)) return first;
  return MAIN_VERBS.get(first) ?? 'SELECT';
}

/** Commands whose tags end in a row count (PostgreSQL's cmdtaglist.h, `rowcount` true). */
const COUNTED = new Set(['SELECT', 'UPDATE', 'DELETE', 'MERGE', 'MOVE', 'FETCH', 'COPY']);

/** The CommandComplete tag for `command` having produced `rowCount` rows (`'INSERT 0 3'`, `'SELECT 5'`). */
export function commandTag(command: string, rowCount: number): string {
  if (command === 'INSERT') return `INSERT 0 ${rowCount}`;
  return COUNTED.has(command) ? `${command} ${rowCount}` : command;
}
