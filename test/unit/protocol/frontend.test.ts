/**
 * Every frontend encoder against bytes written out from "Message Formats", and the same bytes through the
 * server-side FrontendParser back to the message (the fake server's view of what the client sent).
 */
import { describe, expect, it } from 'vitest';
import type { ByteWriter } from '../../../src/internal/index.js';
import {
  beginBind,
  endBind,
  serverSide,
  writeCancelRequest,
  writeClose,
  writeCopyData,
  writeCopyDone,
  writeCopyFail,
  writeDescribe,
  writeExecute,
  writeFlush,
  writeParse,
  writePasswordMessage,
  writeQuery,
  writeSASLInitialResponse,
  writeSASLResponse,
  writeSSLRequest,
  writeStartupMessage,
  writeSync,
  writeTerminate,
} from '../../../src/protocol/index.js';
import { bytes, encode } from './fixture-bytes.js';

interface Fixture {
  name: string;
  write: (w: ByteWriter) => void;
  bytes: Buffer;
  /** What the server-side parser makes of the bytes. */
  parsed: serverSide.FrontendMessage;
  /** Untyped messages are only valid at the start of the stream. */
  isUntyped?: boolean;
}

// StartupMessage for user 'u', database 'd': Int32 length 27 (4 + 4 + 'user\0u\0' 7 + 'database\0d\0' 11 +
// the closing NUL), Int32 196608 (protocol 3.0 = 0x00030000).
const startup = bytes(0, 0, 0, 27, 0, 3, 0, 0, 'user', 0, 'u', 0, 'database', 0, 'd', 0, 0);

const fixtures: Fixture[] = [
  {
    name: 'StartupMessage',
    write: (w) => writeStartupMessage(w, { user: 'u', database: 'd' }),
    bytes: startup,
    parsed: { type: 'Startup', protocolVersion: 196608, params: { user: 'u', database: 'd' } },
    isUntyped: true,
  },
  {
    name: 'SSLRequest',
    write: (w) => writeSSLRequest(w),
    // Int32 8, Int32 80877103 = 1234 << 16 | 5679 = 0x04d2162f.
    bytes: bytes(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f),
    parsed: { type: 'SSLRequest' },
    isUntyped: true,
  },
  {
    name: 'CancelRequest',
    write: (w) => writeCancelRequest(w, 0x1234, Buffer.from([0xde, 0xad, 0xbe, 0xef])),
    // 16 bytes: Int32 16, Int32 80877102 = 0x04d2162e, Int32 process ID, the 4-byte secret key.
    bytes: bytes(0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef),
    parsed: { type: 'CancelRequest', processId: 0x1234, secretKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
    isUntyped: true,
  },
  {
    name: 'PasswordMessage',
    write: (w) => writePasswordMessage(w, 'pw'),
    bytes: bytes('p', 0, 0, 0, 7, 'pw', 0),
    parsed: { type: 'Password', data: bytes('pw', 0) },
  },
  {
    name: 'SASLInitialResponse',
    write: (w) => writeSASLInitialResponse(w, 'SCRAM-SHA-256', Buffer.from('abc')),
    // Length 25 = 4 + 'SCRAM-SHA-256\0' 14 + Int32 3 + 'abc'.
    bytes: bytes('p', 0, 0, 0, 25, 'SCRAM-SHA-256', 0, 0, 0, 0, 3, 'abc'),
    parsed: { type: 'Password', data: bytes('SCRAM-SHA-256', 0, 0, 0, 0, 3, 'abc') },
  },
  {
    name: 'SASLResponse',
    write: (w) => writeSASLResponse(w, Buffer.from('xyz')),
    bytes: bytes('p', 0, 0, 0, 7, 'xyz'),
    parsed: { type: 'Password', data: bytes('xyz') },
  },
  {
    name: 'Query',
    write: (w) => writeQuery(w, 'SELECT 1'),
    bytes: bytes('Q', 0, 0, 0, 13, 'SELECT 1', 0),
    parsed: { type: 'Query', sql: 'SELECT 1' },
  },
  {
    name: 'Parse with two parameter OIDs',
    write: (w) => writeParse(w, 's1', 'SELECT $1, $2', [23, 25]),
    // Length 31 = 4 + 's1\0' 3 + 'SELECT $1, $2\0' 14 + Int16 2 + 2 × Int32.
    bytes: bytes('P', 0, 0, 0, 31, 's1', 0, 'SELECT $1, $2', 0, 0, 2, 0, 0, 0, 23, 0, 0, 0, 25),
    parsed: { type: 'Parse', name: 's1', sql: 'SELECT $1, $2', paramTypes: [23, 25] },
  },
  {
    name: 'Parse with an OID above 2^31',
    write: (w) => writeParse(w, '', 'x', [3_000_000_000]),
    bytes: bytes('P', 0, 0, 0, 13, 0, 'x', 0, 0, 1, 0xb2, 0xd0, 0x5e, 0x00),
    parsed: { type: 'Parse', name: '', sql: 'x', paramTypes: [3_000_000_000] },
  },
  {
    name: 'Bind with mixed NULL / non-NULL values and format codes',
    write: (w) => {
      const at = beginBind(w, '', 's1', [1, 0, 0], 3);
      w.i32(4).bytes(Buffer.from([0, 0, 0, 42])); // int4 42, binary
      w.i32(-1); // NULL
      w.i32(2).utf8('hi'); // text
      endBind(w, at, [1]);
    },
    // Length 40 = 4 + '\0' + 's1\0' + Int16 3 + 3 × Int16 + Int16 3 + (4 + 4) + 4 + (4 + 2) + Int16 1 + Int16.
    bytes: bytes(
      'B', 0, 0, 0, 40,
      0, 's1', 0,
      0, 3, 0, 1, 0, 0, 0, 0,
      0, 3,
      0, 0, 0, 4, 0, 0, 0, 42,
      0xff, 0xff, 0xff, 0xff,
      0, 0, 0, 2, 'hi',
      0, 1, 0, 1,
    ),
    parsed: {
      type: 'Bind',
      portal: '',
      statement: 's1',
      paramFormats: [1, 0, 0],
      params: [Buffer.from([0, 0, 0, 42]), null, Buffer.from('hi')],
      resultFormats: [1],
    },
  },
  {
    name: 'Bind with one format code for all and no parameters',
    write: (w) => endBind(w, beginBind(w, 'p', '', 1, 0), 0),
    bytes: bytes('B', 0, 0, 0, 17, 'p', 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0),
    parsed: { type: 'Bind', portal: 'p', statement: '', paramFormats: [1], params: [], resultFormats: [0] },
  },
  {
    name: 'Describe statement',
    write: (w) => writeDescribe(w, 'S', 's1'),
    bytes: bytes('D', 0, 0, 0, 8, 'S', 's1', 0),
    parsed: { type: 'Describe', kind: 'S', name: 's1' },
  },
  {
    name: 'Describe unnamed portal',
    write: (w) => writeDescribe(w, 'P', ''),
    bytes: bytes('D', 0, 0, 0, 6, 'P', 0),
    parsed: { type: 'Describe', kind: 'P', name: '' },
  },
  {
    name: 'Execute',
    write: (w) => writeExecute(w, 'p', 100),
    bytes: bytes('E', 0, 0, 0, 10, 'p', 0, 0, 0, 0, 100),
    parsed: { type: 'Execute', portal: 'p', maxRows: 100 },
  },
  {
    name: 'Close',
    write: (w) => writeClose(w, 'S', 's1'),
    bytes: bytes('C', 0, 0, 0, 8, 'S', 's1', 0),
    parsed: { type: 'Close', kind: 'S', name: 's1' },
  },
  { name: 'Sync', write: writeSync, bytes: bytes(0x53, 0, 0, 0, 4), parsed: { type: 'Sync' } },
  { name: 'Flush', write: writeFlush, bytes: bytes('H', 0, 0, 0, 4), parsed: { type: 'Flush' } },
  { name: 'Terminate', write: writeTerminate, bytes: bytes('X', 0, 0, 0, 4), parsed: { type: 'Terminate' } },
  {
    name: 'CopyData',
    write: (w) => writeCopyData(w, Buffer.from([1, 2, 3])),
    bytes: bytes('d', 0, 0, 0, 7, 1, 2, 3),
    parsed: { type: 'CopyData', data: Buffer.from([1, 2, 3]) },
  },
  { name: 'CopyDone', write: writeCopyDone, bytes: bytes('c', 0, 0, 0, 4), parsed: { type: 'CopyDone' } },
  {
    name: 'CopyFail',
    write: (w) => writeCopyFail(w, 'boom'),
    bytes: bytes('f', 0, 0, 0, 9, 'boom', 0),
    parsed: { type: 'CopyFail', reason: 'boom' },
  },
];

/** Parses `stream` with a fresh FrontendParser, feeding it in the given chunks. */
function parseChunks(chunks: readonly Buffer[]): serverSide.FrontendMessage[] {
  const parser = new serverSide.FrontendParser();
  const out: serverSide.FrontendMessage[] = [];
  for (const chunk of chunks) parser.push(chunk, (m) => out.push(m));
  return out;
}

describe('frontend encoders', () => {
  it.each(fixtures)('$name matches the fixture bytes', (fixture) => {
    expect(encode(fixture.write)).toEqual(fixture.bytes);
  });

  it.each(fixtures)('$name is parsed back by the server side', (fixture) => {
    // Typed messages only follow a StartupMessage, so they are parsed after one.
    const stream = fixture.isUntyped === true ? [fixture.bytes] : [startup, fixture.bytes];
    const parsed = parseChunks(stream);
    expect(parsed.at(-1)).toEqual(fixture.parsed);
    expect(parsed).toHaveLength(stream.length);
  });

  it('encodes a multi-byte UTF-8 query with the byte length, not the string length', () => {
    // 'é' is 2 bytes (0xc3 0xa9): length 4 + 2 + NUL = 7.
    expect(encode((w) => writeQuery(w, 'é'))).toEqual(bytes('Q', 0, 0, 0, 7, 0xc3, 0xa9, 0));
  });

  it('writes a 3.2-style long cancel key with the matching length', () => {
    const key = Buffer.alloc(32, 7);
    const out = encode((w) => writeCancelRequest(w, 1, key));
    expect(out.readInt32BE(0)).toBe(44);
    expect(parseChunks([out])).toEqual([{ type: 'CancelRequest', processId: 1, secretKey: key }]);
  });
});
