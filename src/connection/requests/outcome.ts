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
  const space = tag.lastIndexOf(' ');
  if (space < 0) return 0;
  const n = Number(tag.slice(space + 1));
  return Number.isInteger(n) ? n : 0;
}
