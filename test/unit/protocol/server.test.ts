/**
 * The server side: FrontendParser's untyped-then-typed framing under any chunking, its strictness, and
 * property round trips (client encoder → FrontendParser, server encoder → framer → client decoder).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors/base.js';
import { ByteWriter } from '../../../src/internal/index.js';
import {
  beginBind,
  endBind,
  parseErrorFields,
  parseRowDescription,
  serverSide as s,
  writeCopyData,
  writeDescribe,
  writeExecute,
  writeParse,
  writeQuery,
  writeSSLRequest,
  writeStartupMessage,
  writeSync,
  writeTerminate,
} from '../../../src/protocol/index.js';
import { bytes, encode, frameOne, splitAt } from './fixture-bytes.js';

function parseChunks(chunks: readonly Buffer[]): s.FrontendMessage[] {
  const parser = new s.FrontendParser();
  const out: s.FrontendMessage[] = [];
  for (const chunk of chunks) parser.push(chunk, (m) => out.push(m));
  return out;
}

/** A client session: SSLRequest, StartupMessage, then a simple query and an extended-protocol batch. */
const session = encode((w) => {
  writeSSLRequest(w);
  writeStartupMessage(w, { user: 'alice', database: 'db', application_name: 'pgjet' });
  writeQuery(w, 'SELECT 1');
  writeParse(w, '', 'SELECT $1::int4', [23]);
  writeDescribe(w, 'S', '');
  const at = beginBind(w, '', '', [1], 1);
  w.i32(4).i32(42);
  endBind(w, at, [1]);
  writeExecute(w, '', 0);
  writeSync(w);
  writeCopyData(w, Buffer.alloc(200, 1));
  writeTerminate(w);
});
const sessionMessages = parseChunks([session]);

describe('FrontendParser', () => {
  it('parses a whole session in one chunk', () => {
    expect(sessionMessages.map((m) => m.type)).toEqual([
      'SSLRequest', 'Startup', 'Query', 'Parse', 'Describe', 'Bind', 'Execute', 'Sync', 'CopyData', 'Terminate',
    ]);
    expect(sessionMessages[1]).toEqual({
      type: 'Startup',
      protocolVersion: 196608,
      params: { user: 'alice', database: 'db', application_name: 'pgjet' },
    });
  });

  it('yields the same messages when the stream is split at every possible byte position', () => {
    for (let at = 0; at <= session.length; at++) {
      expect(parseChunks(splitAt(session, [at])), `split at ${at}`).toEqual(sessionMessages);
    }
  });

  it('yields the same messages when fed one byte at a time', () => {
    const positions = Array.from({ length: session.length - 1 }, (_, i) => i + 1);
    expect(parseChunks(splitAt(session, positions))).toEqual(sessionMessages);
  });

  it('yields the same messages for random splits (fast-check)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: session.length }), { maxLength: 30 }), (cuts) => {
        expect(parseChunks(splitAt(session, [...cuts].sort((a, b) => a - b)))).toEqual(sessionMessages);
      }),
      { numRuns: 300 },
    );
  });

  it('copies payload buffers, so they outlive the chunk they came in', () => {
    const chunk = encode((w) => writeStartupMessage(w, { user: 'u' }));
    const copy = encode((w) => writeCopyData(w, Buffer.from([1, 2, 3])));
    const [, message] = parseChunks([chunk, copy]);
    copy.fill(0);
    expect(message).toEqual({ type: 'CopyData', data: Buffer.from([1, 2, 3]) });
  });

  it('reports a held partial message', () => {
    const parser = new s.FrontendParser();
    parser.push(session.subarray(0, 3), () => {});
    expect(parser.hasPartial).toBe(true);
  });

  describe('rejects with ProtocolError', () => {
    const startup = encode((w) => writeStartupMessage(w, { user: 'u' }));
    const typedAfterStartup = (typed: Buffer) => () => parseChunks([startup, typed]);

    it.each([
      ['an untyped length of 4', bytes(0, 0, 0, 4, 0, 0, 0, 0)],
      ['an untyped length of 10001 (over MAX_STARTUP_PACKET_LENGTH)', bytes(0, 0, 0x27, 0x11, 0, 3, 0, 0)],
      ['a negative untyped length', bytes(0xff, 0xff, 0xff, 0xf0, 0, 3, 0, 0)],
      ['protocol 2.0', bytes(0, 0, 0, 9, 0, 2, 0, 0, 0)],
      ['a StartupMessage without the closing NUL', bytes(0, 0, 0, 15, 0, 3, 0, 0, 'user', 0, 'u', 0)],
      ['an SSLRequest with extra bytes', bytes(0, 0, 0, 9, 0x04, 0xd2, 0x16, 0x2f, 0)],
      ['a CancelRequest without a process ID', bytes(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2e)],
    ])('%s', (_name, buf) => {
      expect(() => parseChunks([buf])).toThrow(ProtocolError);
    });

    it('data after a CancelRequest', () => {
      const cancel = bytes(0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 1, 2, 3, 4);
      expect(() => parseChunks([cancel, bytes('X', 0, 0, 0, 4)])).toThrow(ProtocolError);
      expect(() => parseChunks([Buffer.concat([cancel, bytes('X', 0, 0, 0, 4)])])).toThrow(ProtocolError);
    });

    it.each([
      ['an unknown message type', bytes('!', 0, 0, 0, 4)],
      ['a Sync with a payload', bytes('S', 0, 0, 0, 5, 0)],
      ['a Describe of kind X', bytes('D', 0, 0, 0, 6, 'X', 0)],
      ['a Query with bytes after the SQL', bytes('Q', 0, 0, 0, 8, 'a', 0, 'b', 0)],
      ['a Parse whose OIDs are cut', bytes('P', 0, 0, 0, 13, 0, 'x', 0, 0, 2, 0, 0, 0, 23)],
      ['a Bind with a value length of -2', bytes('B', 0, 0, 0, 16, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 0)],
      ['a Bind whose value runs past the end', bytes('B', 0, 0, 0, 16, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0)],
      ['an Execute without its row count', bytes('E', 0, 0, 0, 6, 'p', 0)],
      ['a typed message with length 2', bytes('Q', 0, 0, 0, 2)],
    ])('%s', (_name, buf) => {
      expect(typedAfterStartup(buf)).toThrow(ProtocolError);
    });
  });
});

describe('property round trips', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((t) => !t.includes('\0'));
  const oid = fc.integer({ min: 0, max: 0xffff_ffff });

  it('Parse and Bind: client encoder → FrontendParser', () => {
    const value = fc.option(fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)), { nil: null });
    fc.assert(
      fc.property(text, text, fc.array(oid, { maxLength: 5 }), fc.array(value, { maxLength: 5 }), (name, sql, oids, values) => {
        const formats = values.map((v) => (v === null ? 0 : 1));
        const wire = encode((w) => {
          writeStartupMessage(w, {});
          writeParse(w, name, sql, oids);
          const at = beginBind(w, name, name, formats, values.length);
          for (const v of values) {
            if (v === null) w.i32(-1);
            else w.i32(v.length).bytes(v);
          }
          endBind(w, at, formats);
        });
        expect(parseChunks([wire]).slice(1)).toEqual([
          { type: 'Parse', name, sql, paramTypes: oids },
          { type: 'Bind', portal: name, statement: name, paramFormats: formats, params: values, resultFormats: formats },
        ]);
      }),
    );
  });

  it('RowDescription: server encoder → framer → parseRowDescription', () => {
    const field = fc.record({
      name: text,
      tableOid: oid,
      columnAttr: fc.integer({ min: -32768, max: 32767 }),
      typeOid: oid,
      typeSize: fc.integer({ min: -32768, max: 32767 }),
      typeModifier: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      format: fc.constantFrom(0, 1),
    });
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), (fields) => {
        const m = frameOne(encode((w) => s.writeRowDescription(w, fields)));
        expect(parseRowDescription(m.buf, m.start, m.end)).toEqual(fields);
      }),
    );
  });

  it('ErrorResponse: server encoder → framer → parseErrorFields', () => {
    const code = fc.constantFrom(...'SVCMDHPpqWstcdnFLR');
    fc.assert(
      fc.property(fc.dictionary(code, text), (fields) => {
        const m = frameOne(encode((w) => s.writeErrorResponse(w, fields)));
        const decoded = parseErrorFields(m.buf, m.start, m.end);
        expect(Object.fromEntries([...decoded].map(([k, v]) => [String.fromCharCode(k), v]))).toEqual(fields);
      }),
    );
  });
});

describe('server encoders, details', () => {
  it('writeErrorResponse: severity fills V unless V is given; unknown names are refused', () => {
    const fields = (input: Parameters<typeof s.writeErrorResponse>[1]) => {
      const m = frameOne(encode((w) => s.writeErrorResponse(w, input)));
      return Object.fromEntries([...parseErrorFields(m.buf, m.start, m.end)].map(([k, v]) => [String.fromCharCode(k), v]));
    };
    expect(fields({ severity: 'FEHLER', V: 'ERROR' })).toEqual({ S: 'FEHLER', V: 'ERROR' });
    expect(fields({ severity: 'FATAL', line: 12 })).toEqual({ S: 'FATAL', V: 'FATAL', L: '12' });
    expect(() => encode((w) => s.writeErrorResponse(w, { sqlstate: 'x' } as never))).toThrow(TypeError);
  });

  it('writeDataRow measures a string value in UTF-8 bytes', () => {
    expect(encode((w) => s.writeDataRow(w, ['é']))).toEqual(bytes('D', 0, 0, 0, 12, 0, 1, 0, 0, 0, 2, 0xc3, 0xa9));
  });

  it('writes a long message correctly after a previous take() left the writer mid-buffer', () => {
    // Guards the ByteWriter growth fix: a length slot reserved before growth must still be patched in place.
    // 4096 bytes: after a 100-byte take() the region starts at 100 (no reset), and 10 kB forces growth.
    const w = new ByteWriter(4096);
    w.bytes(Buffer.alloc(100));
    w.take();
    const sql = 'x'.repeat(10_000);
    s.writeCommandComplete(w, sql);
    const m = frameOne(Buffer.from(w.take()));
    expect(m.buf.toString('utf8', m.start, m.end - 1)).toBe(sql);
  });
});
