import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrayCodec,
  compositeCodec,
  customCodec,
  domainCodec,
  enumCodec,
  formatRecordText,
  parseRecordText,
  rawTextCodec,
  recordCodec,
} from '../../../src/codecs/index.js';
import { int4Codec } from '../../../src/codecs/builtin/integer.js';
import { moneyCodec } from '../../../src/codecs/builtin/numeric.js';
import { textCodec } from '../../../src/codecs/builtin/text.js';
import { CodecRegistry, Oid } from '../../../src/codecs/index.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

const textArray = arrayCodec({ oid: Oid._text, name: '_text', element: textCodec });
const addr = compositeCodec({
  oid: 90000,
  name: 'addr',
  attributes: [
    { name: 'street', oid: Oid.text, codec: textCodec },
    { name: 'zip', oid: Oid.int4, codec: int4Codec },
    { name: 'tags', oid: Oid._text, codec: textArray },
  ],
});

describe('composite codec', () => {
  // `SELECT record_send(row('Main St'::text, 12345, array['a','b c']))`: count, then oid + length + bytes.
  const hex =
    '00000003' +
    '00000019' + '00000007' + '4d61696e205374' + // text 'Main St'
    '00000017' + '00000004' + '00003039' + // int4 12345
    '000003f1' + '00000020' + '0000000100000000000000190000000200000001000000016100000003622063'; // text[]
  it('decodes and encodes record_send layout', () => {
    const value = { street: 'Main St', zip: 12345, tags: ['a', 'b c'] };
    expect(decodeHex(addr, hex)).toEqual(value);
    expect(encodeHex(addr, value)).toBe(hex);
    expect(addr.decodeText('("Main St",12345,"{a,\\"b c\\"}")')).toEqual(value);
    expect(addr.encodeText!(value)).toBe('("Main St",12345,"{a,""b c""}")');
  });
  it('encodes a missing key as NULL and names a bad field', () => {
    expect(decodeHex(addr, encodeHex(addr, { zip: 1 }))).toEqual({ street: null, zip: 1, tags: null });
    expect(addr.encodeText!({ street: '' })).toBe('("",,)');
    expectCodecError(() => encodeHex(addr, { zip: 'x' }), /^addr\.zip: expected an integer/);
    expectCodecError(() => encodeHex(addr, [1, 2, 3]), 'expected an object');
  });
  it('refuses a column count that no longer matches the introspected type', () => {
    expectCodecError(() => decodeHex(addr, '00000001000000170000000400000001'), 'reloadSchemaState');
    expectTruncationsRejected(addr, hex);
  });
  it('is text-only when an attribute is', () => {
    const priced = compositeCodec({ oid: 90001, name: 'priced', attributes: [{ name: 'p', oid: Oid.money, codec: moneyCodec }] });
    expect(priced.decodeBinary).toBeUndefined();
    expect(priced.decodeText('($1.00)')).toEqual({ p: '$1.00' });
    expect(priced.decodeText('()')).toEqual({ p: null });
  });
  it('round-trips objects in both formats', () => {
    const arb = fc.record({
      street: fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
      zip: fc.option(fc.integer(), { nil: null }),
      tags: fc.option(fc.array(fc.option(fc.string(), { nil: null })), { nil: null }),
    });
    fc.assert(
      fc.property(arb, (value) => {
        expect(decodeHex(addr, encodeHex(addr, value))).toEqual(value);
        expect(addr.decodeText(addr.encodeText!(value))).toEqual(value);
      }),
    );
  });
});

describe('record text', () => {
  it('parses and formats as record_in / record_out', () => {
    expect(parseRecordText('(1,"a b",,"","q""q","x\\\\y")')).toEqual(['1', 'a b', null, '', 'q"q', 'x\\y']);
    expect(formatRecordText(['1', 'a b', null, '', 'q"q', 'x\\y', '(x)'])).toBe('(1,"a b",,"","q""q","x\\\\y","(x)")');
    expect(parseRecordText('()')).toEqual([]);
    for (const bad of ['', '(', '(1', '1,2)', '(1)x', '("a)']) expectCodecError(() => parseRecordText(bad), 'malformed record');
  });
  it('round-trips any field list', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { minLength: 2 }), (fields) => {
        expect(parseRecordText(formatRecordText(fields))).toEqual(fields);
      }),
    );
  });
});

describe('anonymous record', () => {
  const reg = new CodecRegistry();
  const record = recordCodec((oid) => reg.get(oid));
  it('decodes each field with its own codec (record_send layout)', () => {
    expect(decodeHex(record, '00000003000000170000000400000001000002c1000000016100000017ffffffff')).toEqual([1, 'a', null]);
    expect(reg.get(Oid.record)!.decodeText('(1,a,)')).toEqual(['1', 'a', null]);
    expect(record.encodeBinary).toBeUndefined();
  });
  it('gives raw bytes for fields without a binary decoder, and refuses truncation', () => {
    expect(decodeHex(record, '00000001000b000100000002abcd')).toEqual([Buffer.from('abcd', 'hex')]);
    expectTruncationsRejected(record, '00000003000000170000000400000001000002c1000000016100000017ffffffff');
  });
});

describe('enum, domain, custom and raw text codecs', () => {
  it('enum is its label both ways, checked when labels are known', () => {
    const mood = enumCodec({ oid: 90002, name: 'mood', labels: ['sad', 'ok'] });
    expect(decodeHex(mood, Buffer.from('ok').toString('hex'))).toBe('ok');
    expect(encodeHex(mood, 'sad')).toBe(Buffer.from('sad').toString('hex'));
    expectCodecError(() => encodeHex(mood, 'happy'), "'happy' is not a label of enum mood");
    expect(enumCodec({ oid: 1, name: 'open' }).encodeText!('anything')).toBe('anything');
  });
  it('domain is its base codec under its own name', () => {
    const posint = domainCodec({ oid: 90003, name: 'posint', base: int4Codec });
    expect(posint).toMatchObject({ oid: 90003, name: 'posint' });
    expect(decodeHex(posint, '00000005')).toBe(5);
    expectCodecError(() => encodeHex(posint, 2 ** 40), 'out of range for int4');
  });
  it('customCodec wraps text and binary definitions', () => {
    const point = customCodec<{ x: number }>(
      { format: 'text', encode: (v) => String(v.x), decode: (s) => ({ x: Number(s) }) },
      { oid: 90004, name: 'thing' },
    );
    expect(point.decodeText('3')).toEqual({ x: 3 });
    expect(point.encodeText!({ x: 4 })).toBe('4');
    expect(point.decodeBinary).toBeUndefined();
    let kept: Uint8Array | undefined;
    const raw = customCodec<number>(
      { format: 'binary', encode: (v) => Uint8Array.of(v), decode: (b) => ((kept = b), b[0]) },
      { oid: 90005, name: 'byte' },
    );
    const buf = Buffer.from([9, 7]);
    expect(raw.decodeBinary!(buf, 1, 1)).toBe(7);
    buf[1] = 0;
    expect(kept![0]).toBe(7);
    expect(encodeHex(raw, 5)).toBe('05');
    expect(raw.decodeText('text form')).toBe('text form');
    expectCodecError(() => encodeHex(customCodec({ format: 'binary' }, { oid: 1, name: 'x' }), 'no'), 'Uint8Array');
  });
  it('rawTextCodec passes the server text through', () => {
    const raw = rawTextCodec(90006, 'hstore');
    expect(raw.decodeText('"a"=>"1"')).toBe('"a"=>"1"');
    expect(raw.encodeText!(5)).toBe('5');
    expect(raw.decodeBinary).toBeUndefined();
  });
});
