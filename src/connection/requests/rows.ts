/**
 * DataRow decoding, the innermost loop of the driver: fields are read in place from the receive buffer by the
 * plan's decoders, with no intermediate copy and no per-field closure allocation.
 */
import { DataError } from '../../errors/index.js';
import type { ResultPlan } from '../statement.js';

/** Decodes one DataRow payload into an object keyed by column name. */
export function decodeObjectRow(plan: ResultPlan, buf: Buffer, start: number): Record<string, unknown> {
  const { names, decoders } = plan;
  const n = buf.readInt16BE(start);
  let pos = start + 2;
  const row: Record<string, unknown> = {};
  let i = 0;
  try {
    for (; i < n; i++) {
      const length = buf.readInt32BE(pos);
      pos += 4;
      if (length < 0) {
        row[names[i]] = null;
      } else {
        row[names[i]] = decoders[i](buf, pos, length);
        pos += length;
      }
    }
  } catch (err) {
    throw columnError(plan, i, err);
  }
  return row;
}

/** Decodes one DataRow payload into an array of values (rowMode 'array'). */
export function decodeArrayRow(plan: ResultPlan, buf: Buffer, start: number): unknown[] {
  const { decoders } = plan;
  const n = buf.readInt16BE(start);
  let pos = start + 2;
  const row = new Array<unknown>(n);
  let i = 0;
  try {
    for (; i < n; i++) {
      const length = buf.readInt32BE(pos);
      pos += 4;
      if (length < 0) {
        row[i] = null;
      } else {
        row[i] = decoders[i](buf, pos, length);
        pos += length;
      }
    }
  } catch (err) {
    throw columnError(plan, i, err);
  }
  return row;
}

/** Wraps a decoder's failure in a DataError naming the column, its index and type. */
function columnError(plan: ResultPlan, i: number, err: unknown): DataError {
  const col = plan.columns[i];
  const reason = err instanceof Error ? err.message : String(err);
  if (col === undefined) return new DataError(`DataRow has more fields than the row description (${plan.columns.length})`, { cause: err });
  return new DataError(`cannot decode column ${i} "${col.name}" (${col.typeName}): ${reason}`, { cause: err });
}
