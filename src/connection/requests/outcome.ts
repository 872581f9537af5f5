/**
 * What the server's answers to a statement mean beyond their bytes: how many rows a command tag reports,
 * which tags change the schema, and which errors say a cached statement no longer matches the server (so it
 * is prepared again).
 */
import type { DatabaseError } from '../../errors/index.js';

/**
 * Errors meaning a prepared statement no longer matches the server:
 * - 0A000 "cached plan must not change result type": a table's columns changed under a statement;
 * - 26000: the statement is gone (DISCARD ALL or DEALLOCATE behind the driver's back);
 * - XX000 "cache lookup failed for type N" (or relation, function …): the statement's parameter types name an
 *   object that was dropped and recreated under a new OID. That message comes from PostgreSQL's `elog`, which
 *   is never translated, so matching its text is safe whatever `lc_messages` says.
 */
export function isStaleStatementError(err: DatabaseError): boolean {
  switch (err.code) {
    case '0A000':
      return err.message.includes('cached plan');
    case '26000':
      return true;
    case 'XX000':
      return err.message.startsWith('cache lookup failed');
    default:
      return false;
  }
}

/**
 * True for a command tag after which this connection's prepared statements and introspected types may
 * describe objects that no longer exist: CREATE, DROP and ALTER of anything, IMPORT FOREIGN SCHEMA, and DO and
 * CALL (whose bodies may run DDL; they are rare enough in hot paths that dropping the cache costs nothing
 * noticeable). `ROLLBACK` (also the tag of ROLLBACK TO SAVEPOINT) is included because it undoes DDL: the
 * session decides whether any ran. One character test decides for the common tags (SELECT, INSERT, UPDATE).
 */
export function isSchemaChangeTag(tag: string): boolean {
  switch (tag.charCodeAt(0)) {
    case 0x41: // A
      return tag.startsWith('ALTER ');
    case 0x43: // C
      return tag.startsWith('CREATE ') || tag === 'CALL';
    case 0x44: // D
      return tag.startsWith('DROP ') || tag === 'DO';
    case 0x49: // I
      return tag === 'IMPORT FOREIGN SCHEMA';
    case 0x52: // R
      return tag === 'ROLLBACK';
    default:
      return false;
  }
}

/**
 * A statement (or any statement of a script) that starts with CREATE, DROP, ALTER, DO, CALL or IMPORT, after
 * blanks and comments. Calls queued behind such a statement are not written until it has been answered:
 * written earlier, they would run with the statements cached before the change (its command tag has not
 * arrived yet to drop them). A false positive (a `; DROP` inside a literal) only costs those calls a
 * round trip; DDL run by a function called from a SELECT is not seen (README, "Statement cache").
 */
const SCHEMA_COMMAND = /(?:^|;)(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:CREATE|DROP|ALTER|DO|CALL|IMPORT)\b/i;

/** True when `sql` may change the schema (see {@link SCHEMA_COMMAND}). */
export function mayChangeSchema(sql: string): boolean {
  return SCHEMA_COMMAND.test(sql);
}

/** Counts rows from a command tag: the last number ('INSERT 0 5' → 5, 'SELECT 3' → 3). */
export function tagRowCount(tag: string): number {
  // Read the trailing digits in place: this runs once per execution (a thousand times for a 1000-row batch),
  // and slicing the number out first made a string each time.
  let i = tag.length;
  while (i > 0) {
    const c = tag.charCodeAt(i - 1);
    if (c < 48 || c > 57) break;
    i--;
  }
  if (i === 0 || tag.charCodeAt(i - 1) !== 32) return 0;
  let n = 0;
  for (let k = i; k < tag.length; k++) n = n * 10 + (tag.charCodeAt(k) - 48);
  return n;
}
