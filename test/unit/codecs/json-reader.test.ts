/**
 * The JSON text reader against JSON.parse: on jsonb's canonical text and JSON.stringify's compact text it must read
 * what JSON.parse reads,
 * and on anything else either do the same or hand the document back (NOT_READ).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_READ, readJsonText } from '../../../src/codecs/builtin/json-reader.js';

/** `value` printed the way the server prints jsonb: `", "` and `": "` separators, no other whitespace. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${canonical(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Reads `text` from inside a buffer with other bytes around it, as a DataRow field sits in the receive buffer. */
function read(text: string, before = Buffer.from('\x00\x00\x00\x10'), after = Buffer.from('12345')): unknown {
  const bytes = Buffer.from(text, 'utf8');
  return readJsonText(Buffer.concat([before, bytes, after]), before.length, bytes.length);
}

/** Whether the reader promises to read `value`'s canonical text itself (the limits in json-reader.ts). */
function withinLimits(value: unknown, depth = 0): boolean {
  if (Array.isArray(value)) return depth < 64 && value.every((v) => withinLimits(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return depth < 64 && entries.length <= 16 && entries.every(([k, v]) => k !== '__proto__' && withinLimits(v, depth + 1));
  }
  return true;
}

const smallJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

describe('readJsonText', () => {
  it('reads every small document itself, in either layout, as JSON.parse does', () => {
    fc.assert(
      fc.property(smallJson, fc.boolean(), (value, compact) => {
        const text = compact ? JSON.stringify(value) : canonical(value);
        fc.pre(Buffer.byteLength(text) <= 256 && withinLimits(value));
        const got = read(text);
        expect(got).not.toBe(NOT_READ);
        expect(got).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('on any canonical document, reads what JSON.parse reads or hands it back', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (value, before, after) => {
        const text = canonical(value);
        const got = read(text, Buffer.from(before), Buffer.from(after));
        if (got !== NOT_READ) expect(got).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('numbers as numeric_out prints them round exactly as JSON.parse rounds them', () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
    fc.assert(
      fc.property(fc.boolean(), digits(20), fc.option(digits(20)), (negative, int, fraction) => {
        const text = `${negative ? '-' : ''}${int.replace(/^0+(?=\d)/, '')}${fraction === null ? '' : `.${fraction}`}`;
        const got = read(`[${text}]`);
        expect(got).not.toBe(NOT_READ);
        expect(got).toStrictEqual([JSON.parse(text)]);
      }),
      { numRuns: 3000 },
    );
    for (const text of ['0', '-0', '-0.0', '0.1', '123.456', '9007199254740993', '1e5', '-1.5E-3', '2e+308', '100000000000000000000000']) {
      expect(read(`[${text}]`)).toStrictEqual([JSON.parse(text)]);
    }
  });

  it('on arbitrary JSON-like text, never reads what JSON.parse rejects nor anything it reads differently', () => {
    // No raw control characters: past a string's first 64 bytes the reader leaves them unchecked (json-reader.ts).
    const unit = fc.constantFrom(...'{}[]":, 0123456789.-+eEtrufalsn\\/bx"é☃a'.split(''), ': ', ', ', 'true', 'null', '\\u00e9', '\\ud83d');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        let expected: unknown;
        try {
          expected = JSON.parse(text);
        } catch {
          expect(read(text)).toBe(NOT_READ);
          return;
        }
        const got = read(text);
        if (got !== NOT_READ) expect(got).toStrictEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('escapes: the short ones, \\u escapes (Latin-1 and beyond, paired and lone surrogates), UTF-8 between them', () => {
    const strings = ['a"b', 'back\\slash', 'tab\there', 'bs\b ff\f cr\r', 'nl\nnl', '\u0001\u001f', 'ü\n', '\u00e9', '日本\t語', '🐘', '\ud83d', 'x'.repeat(70) + '\n'];
    for (const s of strings) {
      const text = canonical({ s, [s]: [s] });
      expect(read(text), text).toStrictEqual(JSON.parse(text));
    }
    expect(read('"\\u00e9\\u00FF\\/"')).toBe('éÿ/');
    expect(read('"\\ud83d\\udc18"')).toBe('🐘');
  });

  it('gives up, for JSON.parse to decide, on what it does not promise to read', () => {
    expect(read('{"__proto__": 1}')).toBe(NOT_READ);
    expect(read(canonical(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))))).toBe(NOT_READ);
    expect(read(`${'['.repeat(70)}${']'.repeat(70)}`)).toBe(NOT_READ);
    expect(read(canonical({ long: 'x'.repeat(300) }))).toBe(NOT_READ);
    // Whitespace other than one space after a separator.
    for (const text of ['{"a" : 1}', '{ "a": 1}', '[1,  2]', '[1 ,2]', '{"a":\n1}', '[1, 2] ', ' [1]']) expect(read(text), text).toBe(NOT_READ);
    expect(read('{"a":1,"b":[2, 3]}')).toStrictEqual({ a: 1, b: [2, 3] });
    expect(read('"raw \x01 control"')).toBe(NOT_READ);
    expect(read('"bad \\x escape"')).toBe(NOT_READ);
    expect(read('[01]')).toBe(NOT_READ);
    expect(read('[1.]')).toBe(NOT_READ);
    expect(read('[tru]')).toBe(NOT_READ);
  });

  it('objects it builds are ordinary fast objects with their keys shared', () => {
    const a = read('{"id": 1, "label": "x"}') as Record<string, unknown>;
    const b = read('{"id": 2, "label": "y"}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(b).toEqual({ id: 2, label: 'y' });
  });
});
