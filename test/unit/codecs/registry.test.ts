import { describe, expect, it } from 'vitest';
import {
  builtinType,
  builtinTypes,
  CodecRegistry,
  customCodec,
  inferTypeOid,
  Interval,
  Oid,
  Range,
  type IntrospectedType,
} from '../../../src/codecs/index.js';
import { builtinMultirangeRange, builtinRange } from '../../../src/codecs/catalog.js';
import { decodeHex, encodeHex } from './helpers.js';

describe('generated catalog', () => {
  it('has PostgreSQL OIDs and metadata', () => {
    expect(Oid.bool).toBe(16);
    expect(Oid.int4).toBe(23);
    expect(Oid._int4).toBe(1007);
    expect(Oid.char).toBe(18);
    expect(builtinType(Oid._int4)).toMatchObject({ name: '_int4', elem: 23, array: 0, category: 'A', kind: 'b', hasBinary: true });
    expect(builtinType(Oid.int4)).toMatchObject({ elem: 0, array: 1007, category: 'N' });
    expect(builtinType(Oid.box)?.delimiter).toBe(';');
    expect(builtinType(Oid.name)?.elem).toBe(0); // fixed-length subscripting, not an array
    expect(builtinType(Oid.aclitem)?.hasBinary).toBe(false);
    expect(builtinType(Oid.int4range)?.kind).toBe('r');
    expect(builtinRange(Oid.int4range)).toEqual({ oid: Oid.int4range, subtype: Oid.int4, multirange: Oid.int4multirange });
    expect(builtinMultirangeRange(Oid.datemultirange)?.oid).toBe(Oid.daterange);
    expect([...builtinTypes()].length).toBeGreaterThan(180);
  });
});

describe('CodecRegistry', () => {
  it('finds every built-in type with binary I/O, and chooses formats from the codec', () => {
    const reg = new CodecRegistry();
    for (const t of builtinTypes()) {
      if (t.kind === 'p' && t.oid !== Oid.record && t.oid !== Oid.void) continue;
      const codec = reg.get(t.oid);
      expect(codec, t.name).toBeDefined();
      expect(codec!.oid).toBe(t.oid);
    }
    expect(reg.resultFormat(Oid.int4)).toBe(1);
    expect(reg.paramFormat(Oid.int4)).toBe(1);
    expect(reg.resultFormat(Oid.money)).toBe(0);
    expect(reg.resultFormat(Oid.regclass)).toBe(0);
    expect(reg.resultFormat(Oid.aclitem)).toBe(0);
    expect(reg.paramFormat(Oid.tsvector)).toBe(0);
    expect(reg.resultFormat(Oid.tsvector)).toBe(1);
    expect(reg.resultFormat(987654)).toBe(0);
    expect(reg.typeName(Oid.int4)).toBe('int4');
    expect(reg.typeName(Oid._text)).toBe('_text');
  });
  it('answers undefined for unknown OIDs but resolve() always gives a text codec', () => {
    const reg = new CodecRegistry();
    expect(reg.get(987654)).toBeUndefined();
    const fallback = reg.resolve(987654);
    expect(fallback.decodeText('x')).toBe('x');
    expect(reg.get(987654)).toBeUndefined();
    expect(reg.resolve(987654)).toBe(fallback);
  });
  it('puts registered codecs first and rebuilds what depends on them', () => {
    const reg = new CodecRegistry();
    const before = reg.generation;
    const plainArray = reg.get(Oid._int4);
    reg.register(customCodec({ format: 'text', decode: (s) => `int:${s}` }, { oid: Oid.int4, name: 'int4' }));
    expect(reg.generation).toBeGreaterThan(before);
    expect(reg.get(Oid.int4)!.decodeText('5')).toBe('int:5');
    expect(reg.resultFormat(Oid.int4)).toBe(0);
    const array = reg.get(Oid._int4)!;
    expect(array).not.toBe(plainArray);
    expect(array.decodeText('{1,2}')).toEqual(['int:1', 'int:2']);
    expect(reg.unregister(Oid.int4)).toBe(true);
    expect(reg.get(Oid.int4)!.decodeText('5')).toBe(5);
  });
  it('builds codecs for introspected types lazily', () => {
    const reg = new CodecRegistry();
    const types: IntrospectedType[] = [
      { oid: 70001, name: 'mood', kind: 'e', labels: ['sad', 'ok'] },
      { oid: 70002, name: '_mood', kind: 'b', elem: 70001, delimiter: ',' },
      { oid: 70003, name: 'addr', kind: 'c', attributes: [{ name: 'zip', oid: Oid.int4 }, { name: 'm', oid: 70001 }] },
      { oid: 70004, name: 'posint', kind: 'd', baseType: Oid.int4 },
      { oid: 70005, name: 'floatrange', kind: 'r', rangeSubtype: Oid.float8 },
      { oid: 70006, name: 'floatmultirange', kind: 'm', multirangeRange: 70005 },
      { oid: 70007, name: 'hstore', kind: 'b' },
      { oid: 70008, name: 'ghost', kind: 'c', attributes: [{ name: 'x', oid: 99999 }] },
    ];
    reg.addTypes(types);
    expect(reg.get(70002)!.decodeText('{sad,ok}')).toEqual(['sad', 'ok']);
    expect(decodeHex(reg.get(70003)!, encodeHex(reg.get(70003)!, { zip: 1, m: 'ok' }))).toEqual({ zip: 1, m: 'ok' });
    expect(reg.get(70004)!.name).toBe('posint');
    expect(reg.get(70005)!.decodeText('[1.5,2)')).toEqual(new Range(1.5, 2));
    expect(reg.get(70006)!.decodeText('{[1,2)}')).toEqual([new Range(1, 2)]);
    expect(reg.resultFormat(70007)).toBe(1);
    expect(reg.get(70008)!.decodeText('(abc)')).toEqual({ x: 'abc' });
    expect(reg.typeName(70001)).toBe('mood');
    reg.clearTypes();
    expect(reg.get(70001)).toBeUndefined();
  });
});

describe('inferTypeOid', () => {
  it('maps JS values to the types the README names', () => {
    expect(inferTypeOid(1n)).toBe(Oid.int8);
    expect(inferTypeOid(new Date())).toBe(Oid.timestamptz);
    expect(inferTypeOid(Buffer.from('x'))).toBe(Oid.bytea);
    expect(inferTypeOid(new Uint8Array(1))).toBe(Oid.bytea);
    expect(inferTypeOid(true)).toBe(Oid.bool);
    expect(inferTypeOid(5)).toBe(Oid.int4);
    expect(inferTypeOid(2 ** 31)).toBe(Oid.int8);
    expect(inferTypeOid(2 ** 53)).toBe(Oid.float8);
    expect(inferTypeOid(1.5)).toBe(Oid.float8);
    expect(inferTypeOid(-0)).toBe(Oid.float8);
    expect(inferTypeOid(NaN)).toBe(Oid.float8);
    expect(inferTypeOid('x')).toBe(Oid.text);
    expect(inferTypeOid({ a: 1 })).toBe(Oid.jsonb);
    expect(inferTypeOid(new Interval(1, 0, 0))).toBe(Oid.interval);
    expect(inferTypeOid(new Range(1, 2))).toBeUndefined();
    expect(inferTypeOid(null)).toBeUndefined();
  });
  it('infers arrays from their elements, widening numbers', () => {
    expect(inferTypeOid([null, 'a'])).toBe(Oid._text);
    expect(inferTypeOid([[1, 2], [3, 4]])).toBe(Oid._int4);
    expect(inferTypeOid([1, 2.5])).toBe(Oid._float8);
    expect(inferTypeOid([1, 2 ** 40])).toBe(Oid._int8);
    expect(inferTypeOid([new Date()])).toBe(Oid._timestamptz);
    expect(inferTypeOid([])).toBeUndefined();
    expect(inferTypeOid([null])).toBeUndefined();
  });
});
