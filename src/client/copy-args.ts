/**
 * Arguments for COPY (query) TO STDOUT. COPY takes no bind parameters, so the query is prepared once to learn
 * its parameter types, the server renders each argument as a typed literal (RenderLiterals: `format('%L')`,
 * i.e. quote_nullable, and `pg_typeof`), and those literals replace the real `$n` placeholders, found by a
 * lexer that skips strings, quoted identifiers and comments. pgjet never quotes a value itself.
 */
import { RenderLiterals, type Session } from '../connection/index.js';
import { InterfaceError } from '../errors/index.js';
import { substitutePlaceholders } from './placeholders.js';
import { runLimited } from './run.js';
import type { Deadline } from './stream-limits.js';

/** Trailing semicolons and blanks, which cannot stay inside `COPY (…)`. */
const TRAILING = /[\s;]+$/;

/**
 * The query with its arguments inlined as server-rendered literals (unchanged when there are none), ready to
 * be wrapped in `COPY (…) TO STDOUT`.
 */
export async function inlineArguments(session: Session, query: string, args: readonly unknown[], deadline: Deadline): Promise<string> {
  const text = query.replace(TRAILING, '');
  if (args.length === 0) return text;
  const prepared = await runLimited(session, deadline.next(), () => {
    // Unnamed: a statement used once to learn parameter types does not belong in the cache.
    const req = session.extended({ sql: text, argsList: [args], rowMode: 'array', collectRows: false, prepareOnly: true, name: '' });
    return { request: req, promise: req.promise };
  });
  const stmt = prepared.statement;
  if (stmt.paramOids.length !== args.length) {
    const n = stmt.paramOids.length;
    throw new InterfaceError(`the query expects ${n} argument${n === 1 ? '' : 's'}, ${args.length} given`, { safeToRetry: true });
  }
  const literals = await runLimited(session, deadline.next(), () => {
    const req = new RenderLiterals(session, stmt, args);
    session.wire.enqueue(req);
    return { request: req, promise: req.promise };
  });
  const backslashEscapes = session.wire.parameters.get('standard_conforming_strings') === 'off';
  return substitutePlaceholders(text, literals, backslashEscapes);
}
