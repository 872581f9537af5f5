/**
 * DataRow decoding, the innermost loop of the driver: fields are read in place from the receive buffer by the
 * plan's decoders, with no intermediate copy and no per-field closure allocation.
 *
 * A DataRow whose shape is broken (field count other than the RowDescription's, a field length running past
 * the message or negative other than -1 for NULL) is a `ProtocolError`: the receive buffer holds the next messages right after this one, so a
 * decoder trusting such a length would read them as this field's bytes. A field whose bytes its codec rejects
 * is a `DataError` naming the column.
 */
import { DataError, ProtocolError } from '../../errors/index.js';
import type { ResultPlan } from '../statement.js';
import { compileArrayRow, compileObjectRow, type RowFailures } from './row-compiler.js';

/**
 * Rows a plan decodes through the generic loop before it gets a generated decoder. Generating costs tens of
 * microseconds (less when V8's compilation cache already has the same source), repaid after a few dozen rows;
 * a cached statement reaches the count over its first calls, a one-off result only if it is big enough.
 */
const COMPILE_AFTER = 64;

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
  for (const name of names) {
    // A plain store of '__proto__' would set the prototype; the column must be an own property like any other.
    if (name === '__proto__') Object.defineProperty(t, name, { value: null, writable: true, enumerable: true, configurable: true });
    else t[name] = null;
  }
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

/** The protocol's only negative field length is -1 (NULL); anything else means the stream lost its framing. */
function badLength(plan: ResultPlan, i: number, length: number): ProtocolError {
  const col = plan.columns[i];
  return new ProtocolError(`DataRow field ${i} "${col.name}" (${col.typeName}) has invalid length ${length}`);
}

/** The failure helpers a generated decoder for `plan` calls (the same errors as the generic loop's). */
function failuresOf(plan: ResultPlan): RowFailures {
  return {
    badCount: (buf, start, end) => {
      fieldCount(plan, buf, start, end);
      throw new ProtocolError('DataRow field count does not match the row description');
    },
    overrun: (i) => overrun(plan, i),
    badLength: (i, length) => badLength(plan, i, length),
    column: (i, err) => columnError(plan, i, err),
  };
}

/** Counts a generically decoded row; true when the plan should now get its generated decoder. */
function dueForCompile(plan: ResultPlan): boolean {
  plan.genericRows = (plan.genericRows ?? 0) + 1;
  return plan.genericRows >= COMPILE_AFTER;
}

/** Decodes one DataRow payload into an object keyed by column name (`end`: the payload's end, when known). */
export function decodeObjectRow(plan: ResultPlan, buf: Buffer, start: number, end = payloadEnd(buf, start)): Record<string, unknown> {
  const compiled = plan.objectRow;
  if (compiled != null) return compiled(buf, start, end) as Record<string, unknown>;
  if (compiled === undefined && dueForCompile(plan)) plan.objectRow = compileObjectRow(plan, failuresOf(plan));
  return genericObjectRow(plan, buf, start, end);
}

/** Decodes one DataRow payload into an array of values (rowMode 'array'). */
export function decodeArrayRow(plan: ResultPlan, buf: Buffer, start: number, end = payloadEnd(buf, start)): unknown[] {
  const compiled = plan.arrayRow;
  if (compiled != null) return compiled(buf, start, end) as unknown[];
  if (compiled === undefined && dueForCompile(plan)) plan.arrayRow = compileArrayRow(plan, failuresOf(plan));
  return genericArrayRow(plan, buf, start, end);
}

/** The generic object-row loop: for plans not (yet) compiled. */
function genericObjectRow(plan: ResultPlan, buf: Buffer, start: number, end: number): Record<string, unknown> {
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
        if (length !== -1) throw badLength(plan, i, length);
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

/** The generic array-row loop: for plans not (yet) compiled. */
function genericArrayRow(plan: ResultPlan, buf: Buffer, start: number, end: number): unknown[] {
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
        if (length !== -1) throw badLength(plan, i, length);
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
