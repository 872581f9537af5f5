/**
 * Records to binary COPY data (PostgreSQL docs, COPY, "Binary Format"): the PGCOPY signature, an Int32 flags
 * field and an Int32 header-extension length, then per tuple an Int16 field count and each field as an Int32
 * length (-1 for NULL) followed by the value in its type's binary send format, and finally an Int16 -1
 * trailer. Values go through the same codecs as query parameters, so a record is encoded exactly as a Bind
 * would encode it.
 */
import { Oid, type Codec } from '../../codecs/index.js';
import { DataError } from '../../errors/index.js';
import { ByteWriter } from '../../internal/index.js';
import { toParamText } from '../params.js';
import { COPY_CHUNK, type CopyInChannel, type CopyInFeed } from './copy-in.js';

/** One target column of a binary COPY. */
export interface CopyColumn {
  /** Column name (the key read from object records). */
  readonly name: string;
  /** Its type OID. */
  readonly typeOid: number;
  /** PostgreSQL's name for the type, for messages. */
  readonly typeName: string;
  /** The codec that encodes its values (must have `encodeBinary`). */
  readonly codec: Codec;
}

/** Records: arrays in column order, or objects keyed by column name; from any (async) iterable. */
export type CopyRecordSource = Iterable<unknown> | AsyncIterable<unknown>;

/** A {@link DataError} for a record that cannot be encoded, saying which record and column. */
export interface CopyRecordError extends DataError {
  /** Zero-based index of the record in the input. */
  recordIndex: number;
  /** The column concerned, when one is. */
  column?: string;
}

/** "PGCOPY\n\377\r\n\0": the signature, chosen by PostgreSQL to catch newline- and NUL-mangling transfers. */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);

/** Types whose binary format is the text itself: any JS value is sent as its text form, as for parameters. */
const TEXT_LIKE = new Set<number>([Oid.text, Oid.varchar, Oid.bpchar, Oid.name]);

function recordError(message: string, recordIndex: number, column: string | undefined, cause?: unknown): CopyRecordError {
  const err = new DataError(message, { cause, safeToRetry: true }) as CopyRecordError;
  err.recordIndex = recordIndex;
  if (column !== undefined) err.column = column;
  return err;
}

/** Appends one tuple; throws a {@link CopyRecordError} (the caller drops the half-written tuple). */
function encodeRecord(w: ByteWriter, record: unknown, index: number, columns: readonly CopyColumn[], textLike: readonly boolean[]): void {
  const n = columns.length;
  let byPosition: readonly unknown[] | null = null;
  if (Array.isArray(record)) {
    if (record.length !== n) {
      const which = record.length < n
        ? `column "${columns[record.length].name}" is missing`
        : `there are only ${n} columns`;
      throw recordError(`record ${index} has ${record.length} fields but ${n} were expected: ${which}`, index, record.length < n ? columns[record.length].name : undefined);
    }
    byPosition = record;
  } else if (typeof record !== 'object' || record === null) {
    throw recordError(`record ${index} is ${record === null ? 'null' : `a ${typeof record}`}, not an array or an object`, index, undefined);
  }
  w.i16(n);
  for (let i = 0; i < n; i++) {
    const col = columns[i];
    const value = byPosition !== null ? byPosition[i] : (record as Record<string, unknown>)[col.name];
    if (value === null) {
      w.i32(-1);
      continue;
    }
    if (value === undefined) {
      throw recordError(`record ${index}, column "${col.name}" (${col.typeName}): the value is undefined; use null for NULL`, index, col.name);
    }
    const slot = w.reserve32();
    try {
      if (textLike[i] && typeof value !== 'string') w.utf8(toParamText(value));
      else (col.codec.encodeBinary as NonNullable<Codec['encodeBinary']>)(value, w);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw recordError(`record ${index}, column "${col.name}" (${col.typeName}): ${reason}`, index, col.name, err);
    }
    w.endValue(slot);
  }
}

function isAsyncIterable(source: CopyRecordSource): source is AsyncIterable<unknown> {
  return typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

/**
 * A feeder that encodes `records` into binary COPY data. Tuples are encoded into a private buffer and sent
 * a chunk at a time, so the connection's outgoing buffer only ever holds whole CopyData messages and memory
 * stays bounded by one chunk plus the socket's buffer, whatever the number of records.
 */
export function binaryRecordsFeed(records: CopyRecordSource, columns: readonly CopyColumn[]): CopyInFeed {
  const textLike = columns.map((c) => TEXT_LIKE.has(c.typeOid));
  return async (channel: CopyInChannel): Promise<void> => {
    const w = new ByteWriter(COPY_CHUNK * 2);
    w.bytes(SIGNATURE).i32(0).i32(0);
    let index = 0;
    const add = (record: unknown): void => {
      const mark = w.position;
      try {
        encodeRecord(w, record, index, columns, textLike);
      } catch (err) {
        w.truncate(mark);
        throw err;
      }
      index++;
    };
    if (isAsyncIterable(records)) {
      await channel.forEachAsync(records, async (record) => {
        add(record);
        if (w.length >= COPY_CHUNK) await channel.send(w.take());
      });
    } else {
      for (const record of records) {
        add(record);
        if (w.length >= COPY_CHUNK) await channel.send(w.take());
      }
    }
    w.i16(-1);
    await channel.send(w.take());
  };
}
