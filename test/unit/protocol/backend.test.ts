/**
 * Every backend message: the server-side encoder against bytes written out from "Message Formats", the client's
 * decoder fed those bytes, and the round trip server encoder → MessageFramer → decoder.
 */
import { describe, expect, it } from 'vitest';
import type { ByteWriter } from '../../../src/internal/index.js';
import {
  BackendCode,
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
  parseSASLMechanisms,
  readInt32,
  serverSide as s,
} from '../../../src/protocol/index.js';
import { bytes, encode, frameOne } from './fixture-bytes.js';

type Decoder = (buf: Buffer, start: number, end: number) => unknown;

interface Fixture {
  name: string;
  write: (w: ByteWriter) => void;
  bytes: Buffer;
  code: number;
  decode: Decoder;
  decoded: unknown;
}

/** No payload: the decoder is the fact that the message framed with this code and length 4. */
const empty: Decoder = (_buf, start, end) => end - start;

/** DataRow is decoded in place by the connection; this reads it the same way, with readInt32. */
const decodeDataRow: Decoder = (buf, start) => {
  const count = buf.readInt16BE(start);
  const values: (string | null)[] = [];
  let pos = start + 2;
  for (let i = 0; i < count; i++) {
    const length = readInt32(buf, pos);
    pos += 4;
    values.push(length === -1 ? null : buf.toString('hex', pos, pos + length));
    if (length > 0) pos += length;
  }
  return values;
};

const authData: Decoder = (buf, start, end) => {
  const { type, data } = parseAuthentication(buf, start, end);
  return { type, data: [...data] };
};

const fieldsOf = (entries: [string, string][]): Map<number, string> =>
  new Map(entries.map(([code, value]) => [code.charCodeAt(0), value]));

const fixtures: Fixture[] = [
  {
    name: 'AuthenticationOk', write: s.writeAuthenticationOk, code: BackendCode.Authentication,
    bytes: bytes('R', 0, 0, 0, 8, 0, 0, 0, 0), decode: authData, decoded: { type: 0, data: [] },
  },
  {
    name: 'AuthenticationCleartextPassword', write: s.writeAuthenticationCleartextPassword,
    code: BackendCode.Authentication,
    bytes: bytes('R', 0, 0, 0, 8, 0, 0, 0, 3), decode: authData, decoded: { type: 3, data: [] },
  },
  {
    name: 'AuthenticationMD5Password', write: (w) => s.writeAuthenticationMD5Password(w, Buffer.from([1, 2, 3, 4])),
    code: BackendCode.Authentication,
    bytes: bytes('R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4), decode: authData, decoded: { type: 5, data: [1, 2, 3, 4] },
  },
  {
    name: 'AuthenticationSASL', write: (w) => s.writeAuthenticationSASL(w, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']),
    code: BackendCode.Authentication,
    // Length 42 = 4 + Int32 10 + 'SCRAM-SHA-256-PLUS\0' 19 + 'SCRAM-SHA-256\0' 14 + the closing NUL.
    bytes: bytes('R', 0, 0, 0, 42, 0, 0, 0, 10, 'SCRAM-SHA-256-PLUS', 0, 'SCRAM-SHA-256', 0, 0),
    decode: (buf, start, end) => parseSASLMechanisms(parseAuthentication(buf, start, end).data),
    decoded: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'],
  },
  {
    name: 'AuthenticationSASLContinue', write: (w) => s.writeAuthenticationSASLContinue(w, 'r=abc'),
    code: BackendCode.Authentication,
    bytes: bytes('R', 0, 0, 0, 13, 0, 0, 0, 11, 'r=abc'), decode: authData, decoded: { type: 11, data: [...Buffer.from('r=abc')] },
  },
  {
    name: 'AuthenticationSASLFinal', write: (w) => s.writeAuthenticationSASLFinal(w, Buffer.from('v=xyz')),
    code: BackendCode.Authentication,
    bytes: bytes('R', 0, 0, 0, 13, 0, 0, 0, 12, 'v=xyz'), decode: authData, decoded: { type: 12, data: [...Buffer.from('v=xyz')] },
  },
  {
    name: 'ParameterStatus', write: (w) => s.writeParameterStatus(w, 'client_encoding', 'UTF8'),
    code: BackendCode.ParameterStatus,
    bytes: bytes('S', 0, 0, 0, 25, 'client_encoding', 0, 'UTF8', 0), decode: parseParameterStatus,
    decoded: ['client_encoding', 'UTF8'],
  },
  {
    name: 'BackendKeyData', write: (w) => s.writeBackendKeyData(w, 1234, Buffer.from([0xde, 0xad, 0xbe, 0xef])),
    code: BackendCode.BackendKeyData,
    bytes: bytes('K', 0, 0, 0, 12, 0, 0, 0x04, 0xd2, 0xde, 0xad, 0xbe, 0xef), decode: parseBackendKeyData,
    decoded: { processId: 1234, secretKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
  },
  {
    name: 'BackendKeyData with a number key', write: (w) => s.writeBackendKeyData(w, 7, 0x01020304),
    code: BackendCode.BackendKeyData,
    bytes: bytes('K', 0, 0, 0, 12, 0, 0, 0, 7, 1, 2, 3, 4), decode: parseBackendKeyData,
    decoded: { processId: 7, secretKey: Buffer.from([1, 2, 3, 4]) },
  },
  {
    name: 'ReadyForQuery', write: (w) => s.writeReadyForQuery(w, 'T'), code: BackendCode.ReadyForQuery,
    bytes: bytes('Z', 0, 0, 0, 5, 'T'), decode: parseReadyForQuery, decoded: 'T',
  },
  {
    name: 'RowDescription',
    write: (w) =>
      s.writeRowDescription(w, [
        { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 1 },
        { name: 't', typeOid: 25 },
      ]),
    code: BackendCode.RowDescription,
    // Length 47 = 4 + Int16 2 + ('id\0' 3 + 18) + ('t\0' 2 + 18).
    bytes: bytes(
      'T', 0, 0, 0, 47, 0, 2,
      'id', 0, 0, 0, 0x40, 0, 0, 1, 0, 0, 0, 23, 0, 4, 0xff, 0xff, 0xff, 0xff, 0, 1,
      't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
    ),
    decode: parseRowDescription,
    decoded: [
      { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 1 },
      { name: 't', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
    ],
  },
  {
    name: 'DataRow', write: (w) => s.writeDataRow(w, ['1', null, Buffer.from([0, 0, 0, 7]), '']),
    code: BackendCode.DataRow,
    // Length 27 = 4 + Int16 4 + (4 + 1) + 4 + (4 + 4) + 4 (an empty value is length 0, not NULL).
    bytes: bytes('D', 0, 0, 0, 27, 0, 4, 0, 0, 0, 1, '1', 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0),
    decode: decodeDataRow, decoded: ['31', null, '00000007', ''],
  },
  {
    name: 'CommandComplete', write: (w) => s.writeCommandComplete(w, 'SELECT 1'), code: BackendCode.CommandComplete,
    bytes: bytes('C', 0, 0, 0, 13, 'SELECT 1', 0), decode: parseCommandComplete, decoded: 'SELECT 1',
  },
  {
    name: 'EmptyQueryResponse', write: s.writeEmptyQueryResponse, code: BackendCode.EmptyQueryResponse,
    bytes: bytes('I', 0, 0, 0, 4), decode: empty, decoded: 0,
  },
  {
    name: 'ErrorResponse (friendly names)',
    write: (w) => s.writeErrorResponse(w, { severity: 'ERROR', code: '42P01', message: 'nope', position: 8 }),
    code: BackendCode.ErrorResponse,
    // Length 35 = 4 + 'SERROR\0' 7 + 'VERROR\0' 7 + 'C42P01\0' 7 + 'Mnope\0' 6 + 'P8\0' 3 + the closing NUL.
    bytes: bytes('E', 0, 0, 0, 35, 'S', 'ERROR', 0, 'V', 'ERROR', 0, 'C', '42P01', 0, 'M', 'nope', 0, 'P', '8', 0, 0),
    decode: parseErrorFields,
    decoded: fieldsOf([['S', 'ERROR'], ['V', 'ERROR'], ['C', '42P01'], ['M', 'nope'], ['P', '8']]),
  },
  {
    name: 'NoticeResponse (one-char codes)', write: (w) => s.writeNoticeResponse(w, { S: 'NOTICE', M: 'hi' }),
    code: BackendCode.NoticeResponse,
    bytes: bytes('N', 0, 0, 0, 17, 'S', 'NOTICE', 0, 'M', 'hi', 0, 0), decode: parseErrorFields,
    decoded: fieldsOf([['S', 'NOTICE'], ['M', 'hi']]),
  },
  {
    name: 'ParseComplete', write: s.writeParseComplete, code: BackendCode.ParseComplete,
    bytes: bytes('1', 0, 0, 0, 4), decode: empty, decoded: 0,
  },
  {
    name: 'BindComplete', write: s.writeBindComplete, code: BackendCode.BindComplete,
    bytes: bytes('2', 0, 0, 0, 4), decode: empty, decoded: 0,
  },
  {
    name: 'CloseComplete', write: s.writeCloseComplete, code: BackendCode.CloseComplete,
    bytes: bytes('3', 0, 0, 0, 4), decode: empty, decoded: 0,
  },
  { name: 'NoData', write: s.writeNoData, code: BackendCode.NoData, bytes: bytes('n', 0, 0, 0, 4), decode: empty, decoded: 0 },
  {
    name: 'ParameterDescription', write: (w) => s.writeParameterDescription(w, [23, 3_000_000_000]),
    code: BackendCode.ParameterDescription,
    bytes: bytes('t', 0, 0, 0, 14, 0, 2, 0, 0, 0, 23, 0xb2, 0xd0, 0x5e, 0x00), decode: parseParameterDescription,
    decoded: [23, 3_000_000_000],
  },
  {
    name: 'PortalSuspended', write: s.writePortalSuspended, code: BackendCode.PortalSuspended,
    bytes: bytes('s', 0, 0, 0, 4), decode: empty, decoded: 0,
  },
  {
    name: 'NotificationResponse', write: (w) => s.writeNotificationResponse(w, 42, 'ch', 'hello'),
    code: BackendCode.NotificationResponse,
    bytes: bytes('A', 0, 0, 0, 17, 0, 0, 0, 42, 'ch', 0, 'hello', 0), decode: parseNotificationResponse,
    decoded: { processId: 42, channel: 'ch', payload: 'hello' },
  },
  {
    name: 'CopyInResponse', write: (w) => s.writeCopyInResponse(w, 0, [0, 0]), code: BackendCode.CopyInResponse,
    bytes: bytes('G', 0, 0, 0, 11, 0, 0, 2, 0, 0, 0, 0), decode: parseCopyResponse,
    decoded: { format: 0, columnFormats: [0, 0] },
  },
  {
    name: 'CopyOutResponse', write: (w) => s.writeCopyOutResponse(w, 1, [1]), code: BackendCode.CopyOutResponse,
    bytes: bytes('H', 0, 0, 0, 9, 1, 0, 1, 0, 1), decode: parseCopyResponse, decoded: { format: 1, columnFormats: [1] },
  },
  {
    name: 'CopyBothResponse', write: (w) => s.writeCopyBothResponse(w, 0, []), code: BackendCode.CopyBothResponse,
    bytes: bytes('W', 0, 0, 0, 7, 0, 0, 0), decode: parseCopyResponse, decoded: { format: 0, columnFormats: [] },
  },
  {
    name: 'CopyData', write: (w) => s.writeCopyData(w, 'a\tb\n'), code: BackendCode.CopyData,
    bytes: bytes('d', 0, 0, 0, 8, 'a', 9, 'b', 10), decode: (buf, start, end) => buf.toString('utf8', start, end),
    decoded: 'a\tb\n',
  },
  {
    name: 'CopyDone', write: s.writeCopyDone, code: BackendCode.CopyDone,
    bytes: bytes('c', 0, 0, 0, 4), decode: empty, decoded: 0,
  },
  {
    name: 'NegotiateProtocolVersion', write: (w) => s.writeNegotiateProtocolVersion(w, 0, ['_pq_.x']),
    code: BackendCode.NegotiateProtocolVersion,
    bytes: bytes('v', 0, 0, 0, 19, 0, 0, 0, 0, 0, 0, 0, 1, '_pq_.x', 0), decode: parseNegotiateProtocolVersion,
    decoded: { minor: 0, unknown: ['_pq_.x'] },
  },
];

describe('backend messages', () => {
  it.each(fixtures)('$name: the server encoder writes the fixture bytes', (f) => {
    expect(encode(f.write)).toEqual(f.bytes);
  });

  it.each(fixtures)('$name: the decoder reads the fixture bytes', (f) => {
    // Decoders take payload bounds inside a larger buffer: surround the payload with junk to prove they keep to them.
    const payload = f.bytes.subarray(5);
    const buf = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), payload, Buffer.from([0xdd])]);
    expect(f.decode(buf, 3, 3 + payload.length)).toEqual(f.decoded);
  });

  it.each(fixtures)('$name: server encoder → framer → decoder round trip', (f) => {
    const m = frameOne(encode(f.write));
    expect(m.code).toBe(f.code);
    expect(f.decode(m.buf, m.start, m.end)).toEqual(f.decoded);
  });
});
