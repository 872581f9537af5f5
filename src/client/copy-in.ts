/**
 * COPY into a table: `copyRecordsToTable` (binary COPY of JS records, encoded with the columns' codecs, as
 * asyncpg's copy_records_to_table) and `copyToTable` (text, CSV or binary data from a stream, an iterable of
 * chunks or a file). Either way the data flows through one CopyIn request, with backpressure from the socket
 * and memory bounded by a chunk; a failure (bad record, source error, timeout) aborts with CopyFail, so no row
 * of the COPY is kept and the connection stays usable.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  binaryRecordsFeed,
  COPY_CHUNK,
  CopyIn,
  type CopyColumn,
  type CopyInChannel,
  type CopyInFeed,
  type Session,
} from '../connection/index.js';
import { DataError, InterfaceError, withCallerStack } from '../errors/index.js';
import { ByteWriter } from '../internal/index.js';
import { runLimited } from './run.js';
import {
  columnList,
  copyOptionsClause,
  copyTagCount,
  qualifiedTable,
  whereClause,
  type CopyRecordsOptions,
  type CopySource,
  type CopyToTableOptions,
} from './copy.js';
import { checkNotAborted, Deadline, limitRequest, type StepLimits } from './stream-limits.js';
import { quoteIdentifier } from './sql.js';
import { observed } from './tracing.js';

/** Queues one COPY FROM STDIN and applies the limits. */
function runCopyIn(session: Session, sql: string, feed: CopyInFeed, limits: StepLimits): Promise<string> {
  checkNotAborted(limits);
  return observed(session, sql, () => {
    const req = new CopyIn(session, sql, feed);
    session.wire.enqueue(req);
    return limitRequest(session, limits, req, req.promise, (cancel) => req.interrupt(cancel));
  }, copyTagCount);
}

/** Runs a prepare-only describe of `sql` (unnamed: nothing lands in the statement cache). */
async function describe(session: Session, sql: string, args: readonly unknown[], limits: StepLimits) {
  return runLimited(session, limits, () => {
    const req = session.extended({ sql, argsList: [args], rowMode: 'array', collectRows: false, prepareOnly: true, name: '' });
    return { request: req, promise: req.promise };
  });
}

/** The columns COPY takes when no list is given: every live column except generated ones, in order. */
async function defaultColumns(session: Session, target: string, deadline: Deadline): Promise<string[]> {
  const res = await runLimited(session, deadline.next(), () => {
    const req = session.extended({
      sql: "SELECT attname::text FROM pg_catalog.pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
      argsList: [[target]],
      rowMode: 'array',
      collectRows: true,
    });
    return { request: req, promise: req.promise };
  });
  return res.rows.map((r) => (r as [string])[0]);
}

/**
 * The codec of each target column, from a Describe of `SELECT <columns> FROM <table> LIMIT 0`: the server
 * resolves the names (and a domain to its base type), and the extended query loads codecs for user types.
 */
async function columnCodecs(session: Session, target: string, names: readonly string[], deadline: Deadline): Promise<CopyColumn[]> {
  columnList(names); // validates the list
  const res = await describe(session, `SELECT ${names.map(quoteIdentifier).join(', ')} FROM ${target} LIMIT 0`, [], deadline.next());
  const fields = res.statement.result?.fields ?? [];
  return fields.map((f, i) => {
    const codec = session.codecs.get(f.typeOid);
    const typeName = session.codecs.typeName(f.typeOid) ?? String(f.typeOid);
    if (codec?.encodeBinary === undefined) {
      throw new InterfaceError(
        `column "${names[i]}" has type ${typeName}, which pgjet cannot encode in binary; use copyToTable() with format 'csv' for it`,
        { safeToRetry: true },
      );
    }
    return { name: names[i], typeOid: f.typeOid, typeName, codec };
  });
}

/**
 * Binary COPY of records into `table`. Resolves with the tag ('COPY 3'). A record with the wrong number of
 * fields or a value its column's codec rejects fails the call with a `DataError` naming the record and column,
 * and the COPY is aborted: none of its rows are kept.
 */
export async function copyRecordsToTable(session: Session, table: string, opts: CopyRecordsOptions): Promise<string> {
  try {
    if (typeof opts !== 'object' || opts === null) throw new InterfaceError('copyRecordsToTable() needs an options object with records');
    const records = opts.records;
    const isIterable = records !== null && typeof records === 'object'
      && (Symbol.iterator in records || Symbol.asyncIterator in records);
    if (!isIterable) throw new InterfaceError('records must be an array, an iterable or an async iterable');
    // An object-mode Readable of records may fail during the round trips before the COPY starts.
    const unguard = guardEarlyErrors(records);
    try {
      return await copyRecords(session, table, opts);
    } finally {
      unguard();
    }
  } catch (err) {
    throw withCallerStack(err);
  }
}

async function copyRecords(session: Session, table: string, opts: CopyRecordsOptions): Promise<string> {
  const records = opts.records;
  const deadline = new Deadline({ timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal });
  const target = qualifiedTable(table, opts.schemaName);
  const names = opts.columns ?? await defaultColumns(session, target, deadline);
  if (names.length === 0) throw new InterfaceError(`table ${target} has no columns to copy into (or does not exist)`);
  const columns = await columnCodecs(session, target, names, deadline);
  const sql = `COPY ${target}${columnList(names)} FROM STDIN WITH (FORMAT binary)${whereClause(opts.where)}`;
  return runCopyIn(session, sql, binaryRecordsFeed(records, columns), deadline.next());
}

function chunkBytes(chunk: unknown, index: number): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  throw new DataError(`COPY source chunk ${index} is ${chunk === null ? 'null' : `a ${typeof chunk}`}, not a Buffer or a string`);
}

/**
 * Collects small chunks into CopyData payloads of up to {@link COPY_CHUNK} bytes (a stream of short lines
 * would otherwise cost a message and a promise each); big chunks go straight through.
 */
class Coalescer {
  readonly #channel: CopyInChannel;
  readonly #w = new ByteWriter(COPY_CHUNK * 2);

  constructor(channel: CopyInChannel) {
    this.#channel = channel;
  }

  async add(data: Uint8Array): Promise<void> {
    if (data.length >= COPY_CHUNK / 4) {
      await this.flush();
      await this.#channel.send(data);
      return;
    }
    this.#w.bytes(data);
    if (this.#w.length >= COPY_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#w.length > 0) await this.#channel.send(this.#w.take());
  }
}

/** A feeder that sends a stream's chunks as they come (a file path is opened here and closed afterwards). */
function streamFeed(source: CopySource): CopyInFeed {
  return async (channel: CopyInChannel): Promise<void> => {
    const input = typeof source === 'string' ? createReadStream(source) : source;
    const out = new Coalescer(channel);
    let index = 0;
    try {
      if (Symbol.asyncIterator in input) {
        await channel.forEachAsync(input as AsyncIterable<unknown>, (chunk) => out.add(chunkBytes(chunk, index++)));
      } else {
        for (const chunk of input) await out.add(chunkBytes(chunk, index++));
      }
      await out.flush();
    } finally {
      if (typeof source === 'string' && !(input as ReturnType<typeof createReadStream>).destroyed) {
        (input as ReturnType<typeof createReadStream>).destroy();
      }
    }
  };
}

function isCopySource(source: unknown): source is CopySource {
  return typeof source === 'string'
    || (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source));
}

/**
 * COPY FROM STDIN of raw data (text, CSV or binary) into `table`, from a Readable, an (async) iterable of
 * Buffer/string chunks, or a file path. Resolves with the tag ('COPY 42'). A source that fails midway aborts
 * the COPY (nothing kept) and the call rejects with the source's error.
 */
export async function copyToTable(session: Session, table: string, opts: CopyToTableOptions): Promise<string> {
  try {
    if (typeof opts !== 'object' || opts === null || !isCopySource(opts.source)) {
      throw new InterfaceError('copyToTable() needs a source: a Readable, an async iterable of chunks, or a file path');
    }
    const target = qualifiedTable(table, opts.schemaName);
    const sql = `COPY ${target}${columnList(opts.columns)} FROM STDIN${copyOptionsClause(opts)}${whereClause(opts.where)}`;
    const limits = { timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal };
    const unguard = guardEarlyErrors(opts.source);
    try {
      return await runCopyIn(session, sql, streamFeed(opts.source), limits);
    } finally {
      unguard();
    }
  } catch (err) {
    throw withCallerStack(err);
  }
}

const ignore = (): void => undefined;

/**
 * Reading starts only once the server accepted the COPY, a round trip later. A stream that fails before then
 * (a file that cannot be opened) would emit 'error' with no listener and crash the process; this placeholder
 * listener prevents that, and the stream's async iterator still reports the stored error when reading starts.
 */
function guardEarlyErrors(source: CopySource | CopyRecordsOptions['records']): () => void {
  const emitter = source as Partial<Pick<Readable, 'on' | 'off'>>;
  if (typeof source !== 'object' || typeof emitter.on !== 'function' || typeof emitter.off !== 'function') return ignore;
  emitter.on.call(source, 'error', ignore);
  return () => emitter.off?.call(source, 'error', ignore);
}
