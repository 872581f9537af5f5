/**
 * The query operations behind `Connection`: fetch, fetchRow, fetchVal, query, execute, executeMany and
 * fetchMany, each one request on the session's wire.
 */
import type { ExtendedResult, Session } from '../connection/index.js';
import { InterfaceError, withCallerStack } from '../errors/index.js';
import { runLimited } from './run.js';
import { isSqlFragment, type SqlFragment } from './sql.js';
import { observed } from './tracing.js';
import type { FetchValOptions, QueryOptions, QueryResult, Row } from './types.js';

/** SQL text or a `sql` template fragment. */
export type QueryText = string | SqlFragment;

const NO_ARGS: readonly unknown[] = [];
const NO_OPTIONS: QueryOptions = {};

/**
 * The SQL of a statement run with argument lists of its own (executeMany, fetchMany, prepare): a string, or a
 * `sql` fragment without interpolated values (identifiers and composed fragments are fine).
 */
export function statementText(q: QueryText, method: string): string {
  if (typeof q === 'string') return q;
  if (isSqlFragment(q)) {
    const { text, values } = q.toQuery();
    if (values.length > 0) throw new InterfaceError(`${method}() takes its values from the argument lists: use $1, $2 … in the sql\`\` fragment, not \${…} values`);
    return text;
  }
  throw new InterfaceError(`${method}() takes SQL text or a sql\`\` fragment, got ${typeof q}`);
}

/** Resolves text + args from either form; a fragment carries its own values. */
export function normalize(q: QueryText, args: readonly unknown[] | undefined): [string, readonly unknown[]] {
  if (typeof q === 'string') {
    if (args !== undefined && !Array.isArray(args)) throw new InterfaceError('query arguments must be an array');
    return [q, args ?? NO_ARGS];
  }
  if (isSqlFragment(q)) {
    if (args !== undefined && args.length > 0) throw new InterfaceError('a sql`` fragment carries its own values; pass no argument array');
    const { text, values } = q.toQuery();
    return [text, values];
  }
  throw new InterfaceError(`query text must be a string or a sql\`\` fragment, got ${typeof q}`);
}

function limits(session: Session, opts: QueryOptions): { timeout?: number; signal?: AbortSignal } {
  const timeout = opts.timeout ?? session.config.commandTimeout;
  return { timeout, signal: opts.signal };
}

/**
 * Marks the session as possibly dirty unless `tag` is one of the commands that leave no session state
 * (README, "Pool and transactions", reset 'auto': SELECT, INSERT, UPDATE, DELETE, MERGE, COPY, FETCH, MOVE; plus SHOW). Sticky, so once dirty this is one boolean test; otherwise one character
 * switch and one `startsWith`, cheap enough for every query.
 */
export function noteCommandTag(session: Session, tag: string): void {
  if (session.isDirty || tag.length === 0) return;
  let clean: boolean;
  switch (tag.charCodeAt(0)) {
    // SHOW is read-only too: counting it clean spares a reset after the common `SHOW x` check.
    case 0x53: clean = tag.startsWith('SELECT') || tag === 'SHOW'; break; // S
    case 0x49: clean = tag.startsWith('INSERT'); break; // I
    case 0x55: clean = tag.startsWith('UPDATE'); break; // U
    case 0x44: clean = tag.startsWith('DELETE'); break; // D
    case 0x4d: clean = tag.startsWith('MERGE') || tag.startsWith('MOVE'); break; // M
    case 0x43: clean = tag.startsWith('COPY'); break; // C
    case 0x46: clean = tag.startsWith('FETCH'); break; // F
    default: clean = false;
  }
  if (!clean) session.isDirty = true;
}

/**
 * A simple-protocol script only reports its last tag, so a `SET …; SELECT 1` would look clean: any text
 * with something after a semicolon counts as dirty up front (a semicolon inside a literal is a harmless
 * false positive: it only costs a reset).
 */
const SEVERAL_STATEMENTS = /;\s*[^\s;]/;

/** Reads the row count off a result, for the query observer. */
const byRowCount = (result: { rowCount: number }): number => result.rowCount;

/** Runs one extended query (one execution) and resolves with its raw result. */
export function runExtended(session: Session, sql: string, args: readonly unknown[], opts: QueryOptions = NO_OPTIONS, collectRows = true): Promise<ExtendedResult> {
  // One null test when nobody observes queries (the 'query' event and pgjet:query are opt-in).
  if (session.observer !== null) return session.observer(sql, () => runExtendedNow(session, sql, args, opts, collectRows), byRowCount);
  return runExtendedNow(session, sql, args, opts, collectRows);
}

function runExtendedNow(session: Session, sql: string, args: readonly unknown[], opts: QueryOptions, collectRows: boolean): Promise<ExtendedResult> {
  const l = limits(session, opts);
  const spec = { sql, argsList: [args], rowMode: opts.rowMode ?? 'object', collectRows, types: opts.types, format: opts.format } as const;
  if (l.timeout === undefined && l.signal === undefined) return session.extended(spec).promise;
  return runLimited(session, l, () => {
    const req = session.extended(spec);
    return { request: req, promise: req.promise };
  });
}

/** All rows. */
export async function fetch<R = Row>(session: Session, q: QueryText, args?: readonly unknown[], opts?: QueryOptions): Promise<R[]> {
  try {
    const [sql, values] = normalize(q, args);
    const res = await runExtended(session, sql, values, opts);
    noteCommandTag(session, res.tag);
    return res.rows as R[];
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** The first row or null. */
export async function fetchRow<R = Row>(session: Session, q: QueryText, args?: readonly unknown[], opts?: QueryOptions): Promise<R | null> {
  try {
    const [sql, values] = normalize(q, args);
    const res = await runExtended(session, sql, values, opts);
    noteCommandTag(session, res.tag);
    const rows = res.rows;
    return rows.length === 0 ? null : (rows[0] as R);
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** One value of the first row (column 0 unless `opts.column` says otherwise), or null. */
export async function fetchVal<T = unknown>(session: Session, q: QueryText, args?: readonly unknown[], opts: FetchValOptions = {}): Promise<T | null> {
  try {
    const [sql, values] = normalize(q, args);
    const res = await runExtended(session, sql, values, { ...opts, rowMode: 'array' });
    noteCommandTag(session, res.tag);
    const column = opts.column ?? 0;
    let index: number;
    if (typeof column === 'number') index = column;
    else {
      index = res.columns.findIndex((c) => c.name === column);
      if (index < 0) throw new InterfaceError(`fetchVal: the result has no column named "${column}"`);
    }
    if (index < 0 || (res.columns.length > 0 && index >= res.columns.length)) {
      throw new InterfaceError(`fetchVal: column index ${index} is out of range (the result has ${res.columns.length} columns)`);
    }
    const row = res.rows[0] as unknown[] | undefined;
    return row === undefined ? null : ((row[index] ?? null) as T);
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** Rows with column metadata and the command. */
export async function query<R = Row>(session: Session, q: QueryText, args?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<R>> {
  try {
    const [sql, values] = normalize(q, args);
    const res = await runExtended(session, sql, values, opts);
    noteCommandTag(session, res.tag);
    return { rows: res.rows as R[], columns: res.columns, command: commandOf(res.tag), tag: res.tag, rowCount: res.rowCount };
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** The tag's verb ('INSERT 0 1' → 'INSERT'). */
export function commandOf(tag: string): string {
  const space = tag.indexOf(' ');
  return space < 0 ? tag : tag.slice(0, space);
}

/** Runs a command; without arguments through the simple protocol (several statements allowed). Resolves with the tag. */
export async function execute(session: Session, q: QueryText, args?: readonly unknown[], opts: QueryOptions = NO_OPTIONS): Promise<string> {
  try {
    const [sql, values] = normalize(q, args);
    if (values.length === 0 && typeof q === 'string') {
      if (!session.isDirty && SEVERAL_STATEMENTS.test(sql)) session.isDirty = true;
      const l = limits(session, opts);
      const res = await observed(session, sql, () => runLimited(session, l, () => {
        const req = session.simple(sql);
        return { request: req, promise: req.promise };
      }), byRowCount);
      noteCommandTag(session, res.tag);
      return res.tag;
    }
    const tag = (await runExtended(session, sql, values, opts, false)).tag;
    noteCommandTag(session, tag);
    return tag;
  } catch (err) {
    throw withCallerStack(err);
  }
}

/**
 * Runs SQL text through the simple protocol (several statements allowed, no parameters) and resolves with
 * every statement's result in order; values come from the types' text forms, with `opts.types` applied.
 */
export async function simpleQuery<R = Row>(session: Session, sql: string, opts: QueryOptions = NO_OPTIONS): Promise<QueryResult<R>[]> {
  if (typeof sql !== 'string') throw new InterfaceError(`simpleQuery() takes SQL text, got ${typeof sql}`);
  try {
    if (!session.isDirty && SEVERAL_STATEMENTS.test(sql)) session.isDirty = true;
    const l = limits(session, opts);
    const res = await observed(session, sql, () => runLimited(session, l, () => {
      const req = session.simple(sql, opts.rowMode ?? 'object', opts.types);
      return { request: req, promise: req.promise };
    }), byRowCount);
    noteCommandTag(session, res.tag);
    return res.results.map((r) => ({ rows: r.rows as R[], columns: r.columns, command: commandOf(r.tag), tag: r.tag, rowCount: r.rowCount }));
  } catch (err) {
    throw withCallerStack(err);
  }
}

function checkArgsList(argsList: unknown): readonly (readonly unknown[])[] {
  if (!Array.isArray(argsList)) throw new InterfaceError('executeMany/fetchMany take an array of argument arrays');
  argsList.forEach((a, i) => {
    if (!Array.isArray(a)) throw new InterfaceError(`argument list ${i} is not an array`);
  });
  return argsList as readonly (readonly unknown[])[];
}

/** Runs `sql` once per argument list in one pipeline with one Sync: all or nothing. */
export async function executeMany(session: Session, q: QueryText, argsList: readonly (readonly unknown[])[], opts: QueryOptions = NO_OPTIONS): Promise<void> {
  try {
    const sql = statementText(q, 'executeMany');
    const list = checkArgsList(argsList);
    if (list.length === 0) return;
    const l = limits(session, opts);
    const res = await observed(session, sql, () => runLimited(session, l, () => {
      const req = session.extended({ sql, argsList: list, rowMode: 'object', collectRows: false });
      return { request: req, promise: req.promise };
    }), byRowCount);
    noteCommandTag(session, res.tag);
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** Like executeMany, returning every execution's rows in order (bulk INSERT … RETURNING). */
export async function fetchMany<R = Row>(session: Session, q: QueryText, argsList: readonly (readonly unknown[])[], opts: QueryOptions = NO_OPTIONS): Promise<R[]> {
  try {
    const sql = statementText(q, 'fetchMany');
    const list = checkArgsList(argsList);
    if (list.length === 0) return [];
    const l = limits(session, opts);
    const res = await observed(session, sql, () => runLimited(session, l, () => {
      const req = session.extended({ sql, argsList: list, rowMode: opts.rowMode ?? 'object', collectRows: true, types: opts.types, format: opts.format });
      return { request: req, promise: req.promise };
    }), byRowCount);
    noteCommandTag(session, res.tag);
    return res.rows as R[];
  } catch (err) {
    throw withCallerStack(err);
  }
}
