/**
 * DataRow decoding, the innermost loop of the driver: fields are read in place from the receive buffer by the
 * plan's decoders, with no intermediate copy and no per-field closure allocation.
 *
 * A DataRow whose shape is broken (field count other than the RowDescription's, a field length running past
 * the message) is a `ProtocolError`: the receive buffer holds the next messages right after this one, so a
 * decoder trusting such a length would read them as this field's bytes. A field whose bytes its codec rejects
 * is a `DataError` naming the column.
 */
import { DataError, ProtocolError } from '../../errors/index.js';
import type { ResultPlan } from '../statement.js';

/**
 * The end of the DataRow payload starting at `start`. The framer hands out every payload right after its Int32
 * length header (which counts itself), in the chunk or in the buffer it assembled the message in.
 */
function payloadEnd(buf: Buffer, start: number): number {
  return start - 4 + buf.readInt32BE(start - 4);
}

/** An object with every column name set to null, in column order (a later duplicate name keeps its first slot). */
function rowTemplate(names: readonly string[]): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  for (const name of names) t[name] = null;
  return t;
}

/** Checks the field count against the plan. */
function fieldCount(plan: ResultPlan, buf: Buffer, start: number, end: number): number {
  if (end - start < 2) throw new ProtocolError('DataRow is shorter than its field count');
  const n = buf.readInt16BE(start);
  if (n !== plan.decoders.length) {
    throw new ProtocolError(`DataRow has ${n} fields but the row description has ${plan.decoders.length}`);
  }
  return n;
}

function overrun(plan: ResultPlan, i: number): ProtocolError {
  const col = plan.columns[i];
  return new ProtocolError(`DataRow field ${i} "${col.name}" (${col.typeName}) runs past the end of the message`);
}

/** Decodes one DataRow payload into an object keyed by column name (`end`: the payload's end, when known). */
export function decodeObjectRow(plan: ResultPlan, buf: Buffer, start: number, end = payloadEnd(buf, start)): Record<string, unknown> {
  const { names, decoders } = plan;
  const n = fieldCount(plan, buf, start, end);
  let pos = start + 2;
  // Copying a template that already has every column gives each row the same hidden class up front, so the
  // stores below overwrite existing fields instead of growing the object one property at a time.
  const row: Record<string, unknown> = { ...(plan.rowTemplate ??= rowTemplate(names)) };
  let i = 0;
  try {
    for (; i < n; i++) {
      if (pos + 4 > end) throw overrun(plan, i);
      const length = buf.readInt32BE(pos);
      pos += 4;
      if (length < 0) {
        row[names[i]] = null;
      } else {
        if (pos + length > end) throw overrun(plan, i);
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
export function decodeArrayRow(plan: ResultPlan, buf: Buffer, start: number, end = payloadEnd(buf, start)): unknown[] {
  const { decoders } = plan;
  const n = fieldCount(plan, buf, start, end);
  let pos = start + 2;
  const row = new Array<unknown>(n);
  let i = 0;
  try {
    for (; i < n; i++) {
      if (pos + 4 > end) throw overrun(plan, i);
      const length = buf.readInt32BE(pos);
      pos += 4;
      if (length < 0) {
        row[i] = null;
      } else {
        if (pos + length > end) throw overrun(plan, i);
        row[i] = decoders[i](buf, pos, length);
        pos += length;
      }
    }
  } catch (err) {
    throw columnError(plan, i, err);
  }
  return row;
}

/** Wraps a decoder's failure in a DataError naming the column, its index and type; ProtocolErrors pass. */
function columnError(plan: ResultPlan, i: number, err: unknown): Error {
  if (err instanceof ProtocolError) return err;
  const col = plan.columns[i];
  const reason = err instanceof Error ? err.message : String(err);
  return new DataError(`cannot decode column ${i} "${col.name}" (${col.typeName}): ${reason}`, { cause: err });
}
