/**
 * COPY out targets as sinks: a function, a Writable, or a file path. A Writable is written with its own
 * backpressure (a full buffer pauses the COPY until 'drain'), watched for 'error' and for being destroyed
 * (either fails the sink, which cancels the COPY), and ended and flushed before the call resolves, as
 * `stream.pipeline` does.
 */
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CopyOutSink } from '../connection/index.js';
import { InterfaceError } from '../errors/index.js';
import type { CopyOutput } from './copy.js';

/** A sink plus what to do when the COPY ends. */
export interface OpenedOutput {
  /** Receives the chunks. */
  readonly sink: CopyOutSink;
  /** After a successful COPY: ends the output and waits until everything is written. */
  finish(): Promise<void>;
  /** After a failed COPY: releases the output (a file pgjet opened is closed; a caller's stream is left as is). */
  abandon(): void;
}

function writableOutput(stream: Writable, isOwned: boolean): OpenedOutput {
  let failure: Error | null = null;
  let wake: ((err: Error) => void) | null = null;
  const fail = (err: Error): void => {
    failure ??= err;
    wake?.(failure);
  };
  const onError = (err: Error): void => fail(err);
  const onClose = (): void => {
    if (!stream.writableFinished) fail(new InterfaceError('the COPY output stream was closed before the COPY finished'));
  };
  stream.on('error', onError);
  stream.on('close', onClose);
  const detach = (): void => {
    stream.off('error', onError);
    stream.off('close', onClose);
  };
  return {
    sink: {
      push(chunk: Buffer): void | Promise<void> {
        if (failure !== null) throw failure;
        if (stream.destroyed || stream.writableEnded) throw new InterfaceError('the COPY output stream was destroyed or ended before the COPY finished');
        if (stream.write(chunk)) return undefined;
        return new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            wake = null;
            resolve();
          };
          stream.once('drain', onDrain);
          wake = (err) => {
            stream.off('drain', onDrain);
            wake = null;
            reject(err);
          };
        });
      },
    },
    async finish(): Promise<void> {
      try {
        if (failure !== null) throw failure;
        stream.end();
        await finished(stream, { readable: false });
        if (failure !== null) throw failure;
      } finally {
        detach();
      }
    },
    abandon(): void {
      detach();
      if (isOwned) stream.destroy();
    },
  };
}

/** Opens `output` for one COPY. */
export function openOutput(output: CopyOutput): OpenedOutput {
  if (typeof output === 'function') {
    return { sink: { push: (chunk) => output(chunk) }, finish: () => Promise.resolve(), abandon: () => undefined };
  }
  if (typeof output === 'string') return writableOutput(createWriteStream(output), true);
  if (output instanceof Writable || (typeof output === 'object' && output !== null && typeof (output as Writable).write === 'function')) {
    return writableOutput(output, false);
  }
  throw new InterfaceError('the COPY output must be a Writable, a file path or a function');
}
