import { DataError } from '../errors/index.js';
import type { ByteWriter } from '../internal/index.js';

/** Protocol format codes: 0 text, 1 binary (Bind and RowDescription use these numbers). */
export const enum FormatCode {
  text = 0,
  binary = 1,
}

/**
 * One PostgreSQL type's conversion both ways.
 *
 * Decoders read `length` bytes at `offset` of `buf` (never NULL: the caller handles -1 lengths) and must not
 * retain `buf` (it is the connection's receive buffer). Encoders append the value's bytes to `w` without a
 * length prefix (the caller patches it). Both throw a {@link CodecError} with a reason on bad input; the caller
 * adds which parameter or column and which type.
 */
export interface Codec<T = unknown> {
  /** PostgreSQL's type name (`'int4'`, `'_int4'` for arrays). */
  readonly name: string;
  /** The type OID. */
  readonly oid: number;
  /** Decodes the binary format; absent when the type has no binary I/O or pgjet has no binary decoder. */
  decodeBinary?(buf: Buffer, offset: number, length: number): T;
  /** Encodes a JS value to the binary format. */
  encodeBinary?(value: unknown, w: ByteWriter): void;
  /** Decodes the text format (the server's output function). */
  decodeText(text: string): T;
  /** Encodes a JS value to the text format (the server's input function). */
  encodeText?(value: unknown): string;
  /**
   * True when this type's JS values are themselves arrays (int2vector, lseg, box, polygon, multirange): in an
   * array of this type, nesting ends at the arrays whose items are not arrays, instead of at the innermost one.
   */
  readonly hasArrayValues?: boolean;
}

/**
 * A reason why a value could not be converted, thrown by codecs. The connection turns it into a `DataError`
 * naming the parameter or column and the type; codecs only say why.
 */
export class CodecError extends DataError {
}
