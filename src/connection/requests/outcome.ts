/**
 * What the server's answers to a statement mean beyond their bytes: how many rows a command tag reports, and
 * which errors say a cached statement no longer matches the server (so it is prepared again).
 */
import type { DatabaseError } from '../../errors/index.js';

/** Codes meaning a cached statement no longer matches the server (schema change, DISCARD). */
export function isStaleStatementError(err: DatabaseError): boolean {
  return (err.code === '0A000' && err.message.includes('cached plan')) || err.code === '26000';
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
