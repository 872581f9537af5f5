/**
 * MessageFramer: however the stream is cut into chunks, the same messages come out in the same order; lengths
 * that cannot be valid are a ProtocolError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InterfaceError, ProtocolError } from '../../../src/errors/base.js';
import { MessageFramer, serverSide as s } from '../../../src/protocol/index.js';
import { bytes, encode, frameChunks, splitAt } from './fixture-bytes.js';

/** A realistic stream: startup answers, a result set, an error, payload-less messages and a large row. */
const stream = encode((w) => {
  s.writeAuthenticationOk(w);
  s.writeParameterStatus(w, 'client_encoding', 'UTF8');
  s.writeBackendKeyData(w, 77, 0x0a0b0c0d);
  s.writeReadyForQuery(w, 'I');
  s.writeParseComplete(w);
  s.writeBindComplete(w);
  s.writeRowDescription(w, [{ name: 'n', typeOid: 23, typeSize: 4 }, { name: 'big', typeOid: 17 }]);
  for (let i = 0; i < 5; i++) s.writeDataRow(w, [String(i), null]);
  s.writeDataRow(w, ['5', Buffer.alloc(300, 0x5a)]);
  s.writeCommandComplete(w, 'SELECT 6');
  s.writeNoData(w);
  s.writeErrorResponse(w, { severity: 'ERROR', code: '22012', message: 'division by zero' });
  s.writeReadyForQuery(w, 'E');
});

const expected = frameChunks([stream]);

describe('MessageFramer', () => {
  it('frames the whole stream in one chunk', () => {
    expect(expected.map((m) => String.fromCharCode(m.code)).join('')).toBe('RSKZ12TDDDDDDCnEZ');
    expect(expected.reduce((n, m) => n + 5 + m.payload.length, 0)).toBe(stream.length);
  });

  it('yields the same messages when the stream is split at every possible byte position', () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(frameChunks(splitAt(stream, [at])), `split at ${at}`).toEqual(expected);
    }
  });

  it('yields the same messages when every pair of adjacent cuts makes a 1-3 byte chunk', () => {
    // Cuts at `at` and at `at + width` put a tiny chunk anywhere, including inside a header and across two messages.
    for (let width = 1; width <= 3; width++) {
      for (let at = 0; at + width <= stream.length; at++) {
        expect(frameChunks(splitAt(stream, [at, at + width])), `cut ${at}+${width}`).toEqual(expected);
      }
    }
  });

  it('yields the same messages when fed one byte at a time', () => {
    const positions = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(frameChunks(splitAt(stream, positions))).toEqual(expected);
  });

  it('yields the same messages for random splits (fast-check)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: stream.length }), { maxLength: 40 }), (cuts) => {
        const positions = [...cuts].sort((a, b) => a - b);
        expect(frameChunks(splitAt(stream, positions))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('hands out views of the chunk for messages wholly inside it (no copy)', () => {
    const chunk = encode((w) => s.writeCommandComplete(w, 'SELECT 1'));
    new MessageFramer().push(chunk, (_code, buf, start) => {
      expect(buf).toBe(chunk);
      expect(start).toBe(5);
    });
  });

  it('reports a held partial message until it is complete', () => {
    const framer = new MessageFramer();
    const message = encode((w) => s.writeReadyForQuery(w, 'I'));
    const seen: number[] = [];
    framer.push(message.subarray(0, 3), (code) => seen.push(code));
    expect(framer.hasPartial).toBe(true);
    framer.push(message.subarray(3), (code) => seen.push(code));
    expect(framer.hasPartial).toBe(false);
    expect(seen).toEqual([0x5a]);
  });

  it('frames a message with an empty chunk in the middle of it', () => {
    const message = encode((w) => s.writeCommandComplete(w, 'SELECT 1'));
    expect(frameChunks([message.subarray(0, 7), Buffer.alloc(0), message.subarray(7)])).toEqual(frameChunks([message]));
  });

  describe('invalid length → ProtocolError', () => {
    const invalid: [string, Buffer][] = [
      ['length 2 (shorter than the length field)', bytes('Z', 0, 0, 0, 2, 'I')],
      ['length 0', bytes('Z', 0, 0, 0, 0)],
      ['length 3', bytes('Z', 0, 0, 0, 3)],
      ['negative length', bytes('Z', 0xff, 0xff, 0xff, 0xfe)],
      ['length -2^31', bytes('D', 0x80, 0, 0, 0)],
    ];

    it.each(invalid)('%s in one chunk', (_name, buf) => {
      expect(() => frameChunks([buf])).toThrow(ProtocolError);
    });

    it.each(invalid)('%s with the header split across chunks at every position', (_name, buf) => {
      for (let at = 1; at < 5; at++) {
        expect(() => frameChunks(splitAt(buf, [at])), `split at ${at}`).toThrow(ProtocolError);
      }
    });

    it('after valid messages in the same chunk, those are delivered first', () => {
      const good = encode((w) => s.writeReadyForQuery(w, 'I'));
      const seen: number[] = [];
      expect(() =>
        new MessageFramer().push(Buffer.concat([good, bytes('Z', 0, 0, 0, 2)]), (code) => seen.push(code)),
      ).toThrow(ProtocolError);
      expect(seen).toEqual([0x5a]);
    });
  });

  describe('lengths are never trusted for memory', () => {
    /** A header claiming `length` (the Int32 field), then `body` bytes of payload. */
    const claim = (length: number, body: number): Buffer =>
      Buffer.concat([bytes('D', (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff), Buffer.alloc(body)]);

    it('a header claiming more than maxMessageSize is a ProtocolError naming both sizes, in one chunk or split', () => {
      const framer = new MessageFramer(1000);
      expect(() => framer.push(claim(1000, 10), () => undefined)).toThrow(/claims 1001 bytes, more than maxMessageSize \(1000\)/);
      const split = new MessageFramer(1000);
      split.push(claim(1000, 0).subarray(0, 3), () => undefined);
      expect(() => split.push(claim(1000, 0).subarray(3), () => undefined)).toThrow(ProtocolError);
    });

    it('a message of exactly maxMessageSize passes, in one chunk and byte by byte', () => {
      const message = claim(995, 995 - 4);
      expect(frameChunks([message])).toHaveLength(1);
      const framer = new MessageFramer(1000);
      let seen = 0;
      for (let i = 0; i < message.length; i++) framer.push(message.subarray(i, i + 1), () => seen++);
      expect(seen).toBe(1);
    });

    it('rejects a maxMessageSize that cannot hold a header with an InterfaceError', () => {
      expect(() => new MessageFramer(4)).toThrow(InterfaceError);
      expect(() => new MessageFramer(1.5e3 + 0.5)).toThrow(InterfaceError);
    });

    it('a header claiming almost 1 GiB sets aside memory for the bytes received, not for the claim', () => {
      const framer = new MessageFramer();
      const before = process.memoryUsage().arrayBuffers;
      framer.push(claim(0x3fff_fff0, 100), () => undefined);
      for (let i = 0; i < 8; i++) framer.push(Buffer.alloc(64 * 1024), () => undefined);
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(framer.hasPartial).toBe(true);
      expect(grown).toBeLessThan(16 * 1024 * 1024);
    });

    it('a large message split into many chunks still comes out whole and in order', () => {
      const payload = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
      const message = Buffer.concat([claim(payload.length + 4, 0), payload, encode((w) => s.writeReadyForQuery(w, 'I'))]);
      const positions: number[] = [];
      for (let at = 3; at < message.length; at += 65_521) positions.push(at);
      const out = frameChunks(splitAt(message, positions));
      expect(out.map((m) => m.code)).toEqual([0x44, 0x5a]);
      expect(out[0].payload.equals(payload)).toBe(true);
    });
  });
});
