/**
 * COPY out of the server: `copyFromTable` and `copyFromQuery` into a Writable, a file or a function, and
 * `copyOut` as an async iterable of chunks. A slow output pauses socket reads (the server waits, the driver
 * does not buffer the table); an output that fails or is destroyed cancels the COPY on the server, and the
 * connection is usable again once the server has answered.
 */
import { CopyOut, type CopyOutSink, type Session } from '../connection/index.js';
import { InterfaceError, withCallerStack } from '../errors/index.js';
import { inlineArguments } from './copy-args.js';
import {
  columnList,
  copyOptionsClause,
  copyTagCount,
  qualifiedTable,
  type CopyFormatOptions,
  type CopyFromQueryOptions,
  type CopyFromTableOptions,
} from './copy.js';
import { openOutput } from './copy-output.js';
import { normalize, type QueryText } from './query.js';
import { checkNotAborted, Deadline, limitRequest, serverCanceller, type StepLimits } from './stream-limits.js';
import { observed } from './tracing.js';

/**
 * Queues one COPY TO STDOUT into `sink` and applies the limits; resolves with the tag. `label` is the SQL
 * reported to observers: with `$n` placeholders rather than the inlined argument values, which may be secret.
 */
function runCopyOut(session: Session, sql: string, sink: CopyOutSink, limits: StepLimits, label = sql): Promise<string> {
  checkNotAborted(limits);
  return observed(session, label, () => {
    const req: CopyOut = new CopyOut(session, sql, sink, () => serverCanceller(session, req)());
    session.wire.enqueue(req);
    return limitRequest(session, limits, req, req.promise, (cancel) => req.interrupt(cancel));
  }, copyTagCount);
}

/** Runs the COPY into `output`, then ends the output; on failure the output is abandoned. */
async function copyInto(session: Session, sql: string, opts: { output: CopyFromTableOptions['output'] }, limits: StepLimits, label = sql): Promise<string> {
  const target = openOutput(opts.output);
  let tag: string;
  try {
    tag = await runCopyOut(session, sql, target.sink, limits, label);
  } catch (err) {
    target.abandon();
    throw err;
  }
  await target.finish();
  return tag;
}

function checkOptions(opts: unknown, what: string): void {
  if (typeof opts !== 'object' || opts === null || !('output' in opts)) throw new InterfaceError(`${what}() needs an options object with an output`);
}

/** The COPY statement for a query whose arguments are already inlined. */
function queryCopySql(query: string, opts: CopyFormatOptions): string {
  // The line break keeps a trailing `-- comment` in the query from swallowing the closing parenthesis.
  return `COPY (\n${query}\n) TO STDOUT${copyOptionsClause(opts)}`;
}

/** COPY `table` TO STDOUT into `opts.output`; resolves with the tag ('COPY 42') once the output is ended. */
export async function copyFromTable(session: Session, table: string, opts: CopyFromTableOptions): Promise<string> {
  try {
    checkOptions(opts, 'copyFromTable');
    const sql = `COPY ${qualifiedTable(table, opts.schemaName)}${columnList(opts.columns)} TO STDOUT${copyOptionsClause(opts)}`;
    return await copyInto(session, sql, opts, { timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal });
  } catch (err) {
    throw withCallerStack(err);
  }
}

/**
 * COPY (query) TO STDOUT into `opts.output`. The arguments are rendered as literals by the server (COPY takes
 * no bind parameters). Resolves with the tag once the output is ended.
 */
export async function copyFromQuery(session: Session, q: QueryText, args: readonly unknown[] | undefined, opts: CopyFromQueryOptions): Promise<string> {
  try {
    checkOptions(opts, 'copyFromQuery');
    const [query, values] = normalize(q, args);
    const deadline = new Deadline({ timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal });
    const sql = queryCopySql(await inlineArguments(session, query, values, deadline), opts);
    return await copyInto(session, sql, opts, deadline.next(), queryCopySql(query, opts));
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** Thrown into the COPY when the consumer of `copyOut` leaves early; never seen by the caller. */
class ConsumerLeft extends Error {}

/** Chunks buffered for a `copyOut` consumer before the COPY waits (and socket reads pause). */
const HIGH_WATER = 2;

/** The hand-over between the COPY (producer) and the async iterator (consumer). */
class ChunkQueue {
  readonly #chunks: Buffer[] = [];
  #end: { error: unknown } | null = null;
  #left = false;
  #consumer: (() => void) | null = null;
  #producer: { resolve: () => void; reject: (err: Error) => void } | null = null;

  readonly sink: CopyOutSink = {
    push: (chunk) => {
      if (this.#left) throw new ConsumerLeft();
      this.#chunks.push(chunk);
      this.#wakeConsumer();
      if (this.#chunks.length < HIGH_WATER) return undefined;
      return new Promise<void>((resolve, reject) => {
        this.#producer = { resolve, reject };
      });
    },
  };

  #wakeConsumer(): void {
    const wake = this.#consumer;
    this.#consumer = null;
    wake?.();
  }

  /** The COPY ended (error undefined) or failed. */
  end(error?: unknown): void {
    this.#end = { error };
    this.#wakeConsumer();
  }

  /** The consumer left: the pending or next push fails, which cancels the COPY. */
  leave(): void {
    this.#left = true;
    this.#chunks.length = 0;
    const producer = this.#producer;
    this.#producer = null;
    producer?.reject(new ConsumerLeft());
  }

  /** The next chunk, or null at the end; rejects with the COPY's error. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        if (this.#chunks.length < HIGH_WATER && this.#producer !== null) {
          const producer = this.#producer;
          this.#producer = null;
          producer.resolve();
        }
        return chunk;
      }
      if (this.#end !== null) {
        if (this.#end.error !== undefined) throw this.#end.error;
        return null;
      }
      await new Promise<void>((resolve) => {
        this.#consumer = resolve;
      });
    }
  }
}

/**
 * COPY (query) TO STDOUT as an async iterable of Buffer chunks. Nothing starts until iteration does; leaving
 * the loop early cancels the COPY and waits until the connection is free again.
 */
export async function* copyOut(
  session: Session,
  q: QueryText,
  args: readonly unknown[] | undefined,
  opts: CopyFormatOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  try {
    const [query, values] = normalize(q, args);
    const deadline = new Deadline({ timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal });
    const sql = queryCopySql(await inlineArguments(session, query, values, deadline), opts);
    const queue = new ChunkQueue();
    const run = runCopyOut(session, sql, queue.sink, deadline.next(), queryCopySql(query, opts));
    run.then(() => queue.end(), (err: unknown) => queue.end(err));
    let isComplete = false;
    try {
      for (;;) {
        const chunk = await queue.next();
        if (chunk === null) break;
        yield chunk;
      }
      isComplete = true;
    } finally {
      if (!isComplete) {
        queue.leave();
        // Wait for the cancelled COPY's ReadyForQuery: the connection is then free for the next call.
        await run.catch(() => undefined);
      }
    }
  } catch (err) {
    throw withCallerStack(err);
  }
}
