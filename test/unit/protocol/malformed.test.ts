/**
 * Truncated and malformed backend payloads: each decoder must throw a ProtocolError (the connection then closes)
 * rather than a RangeError, or a value read from past the message's end.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors/base.js';
import {
  parseAuthentication,
  parseBackendKeyData,
  parseCommandComplete,
  parseCopyResponse,
  parseErrorFields,
  parseNegotiateProtocolVersion,
  parseNotificationResponse,
  parseParameterDescription,
  parseParameterStatus,
  parseReadyForQuery,
  parseRowDescription,
  readCString,
} from '../../../src/protocol/index.js';
import { bytes } from './fixture-bytes.js';

type Decoder = (buf: Buffer, start: number, end: number) => unknown;

/** Calls the decoder on `payload` followed by bytes past `end` that a sloppy decoder would read. */
function decodeTruncated(decode: Decoder, payload: Buffer): () => unknown {
  const buf = Buffer.concat([payload, Buffer.alloc(32, 0)]);
  return () => decode(buf, 0, payload.length);
}

// The RowDescription of backend.test.ts, payload only: two columns.
const rowDescription = bytes(
  0, 2,
  'id', 0, 0, 0, 0x40, 0, 0, 1, 0, 0, 0, 23, 0, 4, 0xff, 0xff, 0xff, 0xff, 0, 1,
  't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
);

describe('truncated RowDescription', () => {
  it('decodes whole', () => {
    expect(parseRowDescription(rowDescription, 0, rowDescription.length)).toHaveLength(2);
  });

  it.each(Array.from({ length: rowDescription.length }, (_, cut) => cut))('cut to %i bytes → ProtocolError', (cut) => {
    expect(decodeTruncated(parseRowDescription, rowDescription.subarray(0, cut))).toThrow(ProtocolError);
  });

  it('a negative column count → ProtocolError', () => {
    expect(() => parseRowDescription(bytes(0xff, 0xff), 0, 2)).toThrow(ProtocolError);
  });

  it('a column count the bytes cannot hold is refused before allocating for it', () => {
    expect(() => parseRowDescription(bytes(0x7f, 0xff, 0), 0, 3)).toThrow(/claims 32767 columns but holds 1 bytes/);
  });
});

describe('other truncated or malformed payloads → ProtocolError', () => {
  const cases: [string, Decoder, Buffer][] = [
    ['Authentication without its type', parseAuthentication, bytes(0, 0, 0)],
    ['ParameterStatus without the value', parseParameterStatus, bytes('a', 0, 'b')],
    ['ParameterStatus unterminated name', parseParameterStatus, bytes('abc')],
    ['BackendKeyData short', parseBackendKeyData, bytes(0, 0, 0, 1, 2, 3, 4)],
    ['ReadyForQuery empty', parseReadyForQuery, bytes()],
    ['ReadyForQuery bad status', parseReadyForQuery, bytes('X')],
    ['CommandComplete unterminated', parseCommandComplete, bytes('SELECT 1')],
    ['ErrorResponse unterminated field', parseErrorFields, bytes('S', 'ERROR')],
    ['ParameterDescription without OIDs', parseParameterDescription, bytes(0, 2, 0, 0, 0, 23)],
    ['ParameterDescription without count', parseParameterDescription, bytes(0)],
    ['NotificationResponse without payload', parseNotificationResponse, bytes(0, 0, 0, 1, 'ch', 0)],
    ['NotificationResponse short', parseNotificationResponse, bytes(0, 0)],
    ['CopyResponse without column formats', parseCopyResponse, bytes(0, 0, 2, 0, 0)],
    ['CopyResponse negative count', parseCopyResponse, bytes(0, 0xff, 0xff)],
    ['NegotiateProtocolVersion missing option name', parseNegotiateProtocolVersion, bytes(0, 0, 0, 0, 0, 0, 0, 1)],
    ['NegotiateProtocolVersion count of 2^31 - 1', parseNegotiateProtocolVersion, bytes(0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 'a', 0)],
    ['NegotiateProtocolVersion negative count', parseNegotiateProtocolVersion, bytes(0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)],
  ];
  it.each(cases)('%s', (_name, decode, payload) => {
    expect(decodeTruncated(decode, payload)).toThrow(ProtocolError);
  });

  it('readCString does not look for the terminator past the end', () => {
    const buf = bytes('abc', 0);
    expect(() => readCString(buf, 0, 3)).toThrow(ProtocolError);
    expect(readCString(buf, 0, 4)).toEqual(['abc', 4]);
  });
});
