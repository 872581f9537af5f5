import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitCodec, varbitCodec } from '../../../src/codecs/builtin/bit-string.js';
import { byteaCodec, uuidCodec } from '../../../src/codecs/builtin/bytes.js';
import { jsonbCodec, jsonCodec, jsonpathCodec } from '../../../src/codecs/builtin/json.js';
import { int2vectorCodec, oidvectorCodec, pgLsnCodec, pgSnapshotCodec, tidCodec } from '../../../src/codecs/builtin/system.js';
import { regCodec } from '../../../src/codecs/builtin/text.js';
import { tsqueryCodec, tsvectorCodec } from '../../../src/codecs/builtin/text-search.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

describe('bytea and uuid', () => {
  it('bytea is raw bytes, a copy, and hex or escape text', () => {
    const buf = Buffer.from('00ff10', 'hex');
    const decoded = byteaCodec.decodeBinary!(buf, 0, 3);
    buf[0] = 7;
    expect(decoded).toEqual(Buffer.from('00ff10', 'hex'));
    expect(encodeHex(byteaCodec, new Uint8Array([1, 2]))).toBe('0102');
    expect(byteaCodec.decodeText('\\x00ff10')).toEqual(Buffer.from('00ff10', 'hex'));
    expect(byteaCodec.decodeText('a\\\\b\\000\\377')).toEqual(Buffer.from([0x61, 0x5c, 0x62, 0, 255]));
    expect(byteaCodec.encodeText!(Buffer.from([0, 255]))).toBe('\\x00ff');
    expectCodecError(() => byteaCodec.decodeText('\\x0'), 'invalid bytea');
    expectCodecError(() => byteaCodec.decodeText('a\\9'), 'invalid bytea');
    expectCodecError(() => encodeHex(byteaCodec, 'abc'), 'Buffer');
  });
  it('uuid is lowercase 8-4-4-4-12 and validated on encode', () => {
    expect(decodeHex(uuidCodec, 'a0eebc999c0b4ef8bb6d6bb9bd380a11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    for (const form of ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', 'a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11']) {
      expect(encodeHex(uuidCodec, form)).toBe('a0eebc999c0b4ef8bb6d6bb9bd380a11');
    }
    expect(uuidCodec.decodeText('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    for (const bad of ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', '{a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0eeb-c999c0b4ef8bb6d6bb9bd380a11', 'g0eebc999c0b4ef8bb6d6bb9bd380a11']) {
      expectCodecError(() => encodeHex(uuidCodec, bad), 'UUID');
    }
    expectTruncationsRejected(uuidCodec, 'a0eebc999c0b4ef8bb6d6bb9bd380a11');
  });
  it('uuid decodes every byte pattern to its lowercase hex in 8-4-4-4-12, at any offset in the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(7), (bytes, pad) => {
        const buf = Buffer.concat([Buffer.alloc(pad, 0xee), Buffer.from(bytes), Buffer.alloc(3, 0xee)]);
        const hex = Buffer.from(bytes).toString('hex');
        const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        expect(uuidCodec.decodeBinary!(buf, pad, 16)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('json, jsonb, jsonpath', () => {
  it('jsonb and jsonpath carry version byte 1', () => {
    expect(decodeHex(jsonbCodec, '017b2261223a20317d')).toEqual({ a: 1 });
    expect(encodeHex(jsonbCodec, { a: 1 })).toBe('01' + Buffer.from('{"a":1}').toString('hex'));
    expect(decodeHex(jsonpathCodec, '01242e226122')).toBe('$."a"');
    expectCodecError(() => decodeHex(jsonbCodec, '027b7d'), 'version 2');
    expectCodecError(() => decodeHex(jsonbCodec, ''), 'at least 1');
  });
  it('takes strings as JSON text and serialises anything else', () => {
    expect(encodeHex(jsonCodec, '{"a":1}')).toBe(Buffer.from('{"a":1}').toString('hex'));
    expect(jsonCodec.encodeText!('"text"')).toBe('"text"');
    expect(jsonCodec.encodeText!([1, null])).toBe('[1,null]');
    expect(jsonCodec.encodeText!(null)).toBe('null');
    expectCodecError(() => jsonCodec.encodeText!({ n: 1n }), 'not JSON-serialisable');
    expectCodecError(() => jsonCodec.encodeText!(() => 1), 'JSON-serialisable');
    expectCodecError(() => jsonCodec.decodeText('{'), 'invalid JSON');
  });
});

describe('system types', () => {
  it('tid, pg_lsn and pg_snapshot match their send functions', () => {
    expect(decodeHex(tidCodec, 'ffffffffffff')).toBe('(4294967295,65535)');
    expect(encodeHex(tidCodec, '(0,1)')).toBe('000000000001');
    expect(decodeHex(pgLsnCodec, '00000016b374d848')).toBe('16/B374D848');
    expect(encodeHex(pgLsnCodec, '16/b374d848')).toBe('00000016b374d848');
    const snapshot = '00000003000000000000000a0000000000000014000000000000000a000000000000000e000000000000000f';
    expect(decodeHex(pgSnapshotCodec, snapshot)).toBe('10:20:10,14,15');
    expect(encodeHex(pgSnapshotCodec, '10:20:10,14,15')).toBe(snapshot);
    expectTruncationsRejected(pgSnapshotCodec, snapshot);
    expectCodecError(() => encodeHex(tidCodec, '(0,70000)'), 'out of range');
  });
  it('int2vector and oidvector are number arrays (binary: a 0-based one-dimensional array)', () => {
    expect(decodeHex(int2vectorCodec, '0000000100000000000000150000000300000000000000020001000000020002000000020003')).toEqual([1, 2, 3]);
    expect(decodeHex(int2vectorCodec, '000000000000000000000015')).toEqual([]);
    expect(int2vectorCodec.decodeText('1 2 3')).toEqual([1, 2, 3]);
    expect(oidvectorCodec.encodeText!([1, 4294967295])).toBe('1 4294967295');
    expect(int2vectorCodec.encodeBinary).toBeUndefined();
    expectCodecError(() => int2vectorCodec.encodeText!([70000]), 'out of range');
    expectTruncationsRejected(int2vectorCodec, '0000000100000000000000150000000300000000000000020001000000020002000000020003');
  });
  it('bit strings pack bits most significant first', () => {
    expect(decodeHex(varbitCodec, '00000009aa80')).toBe('101010101');
    expect(encodeHex(varbitCodec, '101010101')).toBe('00000009aa80');
    expect(encodeHex(bitCodec, 'X1F')).toBe('000000081f');
    expect(bitCodec.encodeText!('B0101')).toBe('0101');
    expect(decodeHex(varbitCodec, '00000000')).toBe('');
    expectCodecError(() => encodeHex(varbitCodec, '012'), 'bit string');
    expectTruncationsRejected(varbitCodec, '00000009aa80');
  });
  it('tsvector decodes from binary as tsvectorout prints it; tsquery is text only', () => {
    const hex = '0000000361000002c00100026974277300000180037a00000240050006';
    expect(decodeHex(tsvectorCodec, hex)).toBe("'a':1A,2 'it''s':3B 'z':5C,6");
    expect(decodeHex(tsvectorCodec, '00000001' + Buffer.from('a\\b').toString('hex') + '000000')).toBe("'a\\\\b'");
    expect(tsvectorCodec.encodeBinary).toBeUndefined();
    expect(tsqueryCodec.decodeBinary).toBeUndefined();
    expectTruncationsRejected(tsvectorCodec, hex);
  });
  it('reg* types are text only', () => {
    const regclass = regCodec('regclass', 2205);
    expect(regclass.decodeBinary).toBeUndefined();
    expect(regclass.decodeText('public.users')).toBe('public.users');
    expect(regclass.encodeText!(1259)).toBe('1259');
    expectCodecError(() => regclass.encodeText!({}), 'name or an OID');
  });
});
