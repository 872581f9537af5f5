/**
 * Fuzzing (fast-check) of everything that reads bytes from the server: the framer, every backend message
 * decoder, DataRow decoding and every binary codec decoder, on random bytes and on valid encodings with bytes
 * flipped, cut or inserted. Whatever the input, the only outcomes are a value or a typed pgjet error
 * (`ProtocolError` for the stream's structure, `DataError` for a value); never a RangeError, a TypeError or a
 * hang, and the framer holds no more memory than the bytes it was given (plus its bounded step).
 *
 * The seeds are fixed so a failure reproduces; PGJET_FUZZ_RUNS raises the number of runs for a longer search.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinTypes, CodecRegistry, type Codec } from '../../../src/codecs/index.js';
import { buildResultPlan } from '../../../src/connection/statement.js';
import { decodeArrayRow, decodeObjectRow } from '../../../src/connection/requests/rows.js';
import { DataError, PgjetError, ProtocolError } from '../../../src/errors/index.js';
import { ByteWriter } from '../../../src/internal/index.js';
import {
  MessageFramer,
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
  serverSide,
  type FieldDescription,
} from '../../../src/protocol/index.js';

const RUNS = Math.max(1, Math.floor(Number(process.env.PGJET_FUZZ_RUNS ?? 300)));
const SEED = 0x5eed;

/** Runs `fn`, passing when it returns or throws one of `allowed`; rethrows anything else (a bug). */
function onlyTyped(fn: () => unknown, allowed: readonly (abstract new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (err) {
    if (allowed.some((type) => err instanceof type)) return;
    throw err;
  }
}

/** Valid bytes with one mutation: a byte flipped, a cut, bytes inserted or a run overwritten. */
function mutated(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert', 'smash'), fc.uint8Array({ maxLength: 8 }))
    .map(([buf, at, byte, how, extra]) => {
      if (buf.length === 0) return Buffer.from(extra);
      const i = at % buf.length;
      const out = Buffer.from(buf);
      switch (how) {
        case 'flip':
          out[i] ^= byte | 1;
          return out;
        case 'cut':
          return out.subarray(0, i);
        case 'insert':
          return Buffer.concat([out.subarray(0, i), Buffer.from(extra), out.subarray(i)]);
        default:
          // Overwrite with 0xff / 0x7f runs: the bytes most likely to turn a length or a count huge or negative.
          for (let k = i; k < Math.min(out.length, i + 4); k++) out[k] = byte & 1 ? 0xff : 0x7f;
          return out;
      }
    });
}

/** Values to encode and then mutate, by type name: the containers, whose counts and lengths matter most. */
const SAMPLES = new Map<string, unknown>([
  ['_int4', [1, null, 3]],
  ['_text', [['a', 'b'], ['c', null]]],
  ['_numeric', ['1.5', null]],
  ['int4range', { lower: 1, upper: 5, lowerInclusive: true, upperInclusive: false }],
  ['int4multirange', [{ lower: 1, upper: 5, lowerInclusive: true, upperInclusive: false }]],
  ['numeric', '-12345.678900'],
  ['jsonb', { a: [1, 'x', null] }],
  ['tsvector', "'a':1A 'b':2"],
  ['interval', { months: 1, days: 2, microseconds: 3n }],
  ['inet', '10.0.0.1/8'],
  ['path', { closed: false, points: [{ x: 1, y: 2 }, { x: 3, y: 4 }] }],
  ['varbit', '10110'],
  ['int2vector', [1, 2]],
  ['timestamptz', new Date(0)],
]);

const randomBytes = fc.uint8Array({ maxLength: 96 }).map((a) => Buffer.from(a));

function encode(build: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(64);
  build(w);
  return Buffer.from(w.take());
}

describe('framer', () => {
  it('random streams in random chunks: messages or a ProtocolError, never more memory than received plus a step', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }), fc.integer({ min: 5, max: 4096 }), (chunks, max) => {
        const framer = new MessageFramer(max);
        onlyTyped(() => {
          for (const c of chunks) {
            framer.push(Buffer.from(c), (_code, buf, start, end) => {
              expect(end - start).toBeLessThanOrEqual(max - 5);
              expect(end).toBeLessThanOrEqual(buf.length);
            });
          }
        }, [ProtocolError]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('a valid stream with one mutation still frames or fails typed', () => {
    const stream = encode((w) => {
      serverSide.writeRowDescription(w, [{ name: 'a', typeOid: 23 }]);
      serverSide.writeDataRow(w, ['1']);
      serverSide.writeCommandComplete(w, 'SELECT 1');
      serverSide.writeReadyForQuery(w, 'I');
    });
    fc.assert(
      fc.property(mutated(fc.constant(stream)), fc.nat({ max: 40 }), (bytes, cut) => {
        const framer = new MessageFramer();
        const at = Math.min(cut, bytes.length);
        onlyTyped(() => {
          framer.push(bytes.subarray(0, at), () => undefined);
          framer.push(bytes.subarray(at), () => undefined);
        }, [ProtocolError]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('backend message decoders', () => {
  type Decoder = (buf: Buffer, start: number, end: number) => unknown;
  const decoders: [string, Decoder, Buffer][] = [
    ['Authentication', parseAuthentication, encode((w) => serverSide.writeAuthenticationSASL(w, ['SCRAM-SHA-256'])).subarray(5)],
    ['SASL mechanisms', (buf, s, e) => parseSASLMechanisms(buf.subarray(s, e)), Buffer.from('SCRAM-SHA-256\0\0')],
    ['ParameterStatus', parseParameterStatus, encode((w) => serverSide.writeParameterStatus(w, 'a', 'b')).subarray(5)],
    ['BackendKeyData', parseBackendKeyData, encode((w) => serverSide.writeBackendKeyData(w, 1, 2)).subarray(5)],
    ['ReadyForQuery', parseReadyForQuery, Buffer.from('I')],
    ['CommandComplete', parseCommandComplete, Buffer.from('SELECT 1\0')],
    ['ErrorResponse', parseErrorFields, encode((w) => serverSide.writeErrorResponse(w, { severity: 'ERROR', code: '42P01', message: 'x' })).subarray(5)],
    ['RowDescription', parseRowDescription, encode((w) => serverSide.writeRowDescription(w, [{ name: 'a', typeOid: 23 }, { name: 'b', typeOid: 25 }])).subarray(5)],
    ['ParameterDescription', parseParameterDescription, encode((w) => serverSide.writeParameterDescription(w, [23, 25])).subarray(5)],
    ['NotificationResponse', parseNotificationResponse, encode((w) => serverSide.writeNotificationResponse(w, 1, 'ch', 'p')).subarray(5)],
    ['CopyResponse', parseCopyResponse, encode((w) => serverSide.writeCopyOutResponse(w, 1, [1, 1])).subarray(5)],
    ['NegotiateProtocolVersion', parseNegotiateProtocolVersion, encode((w) => serverSide.writeNegotiateProtocolVersion(w, 0, ['_pq_.x'])).subarray(5)],
  ];

  it.each(decoders)('%s: random and mutated payloads give a value or a ProtocolError', (_name, decode, valid) => {
    fc.assert(
      fc.property(fc.oneof(randomBytes, mutated(fc.constant(valid))), (payload) => {
        // Trailing bytes past `end` that a decoder must not read.
        const buf = Buffer.concat([payload, Buffer.alloc(8, 0x41)]);
        onlyTyped(() => decode(buf, 0, payload.length), [ProtocolError]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('DataRow decoding', () => {
  const registry = new CodecRegistry();
  const fields: FieldDescription[] = [23, 25, 1007, 3904, 1700, 1184].map((typeOid, i) => ({
    name: `c${i}`, tableOid: 0, columnAttr: 0, typeOid, typeSize: -1, typeModifier: -1, format: 1,
  }));
  const plan = buildResultPlan(fields, registry);

  it('random and mutated rows give a row, a ProtocolError or a DataError, generic and generated decoders alike', () => {
    const valid = encode((w) => serverSide.writeDataRow(w, [Buffer.from([0, 0, 0, 7]), 'text', null, null, null, null])).subarray(5);
    const compiled = { ...plan, genericRows: 1e9 };
    fc.assert(
      fc.property(fc.oneof(randomBytes, mutated(fc.constant(valid))), (payload) => {
        const buf = Buffer.concat([payload, Buffer.alloc(8, 0x41)]);
        for (const p of [plan, compiled]) {
          onlyTyped(() => decodeObjectRow(p, buf, 0, payload.length), [ProtocolError, DataError]);
          onlyTyped(() => decodeArrayRow(p, buf, 0, payload.length), [ProtocolError, DataError]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('binary codec decoders', () => {
  const registry = new CodecRegistry();
  const codecs: [string, Codec][] = [];
  for (const type of builtinTypes()) {
    const codec = registry.get(type.oid);
    if (codec?.decodeBinary !== undefined) codecs.push([type.name, codec]);
  }

  it('cover the builtin scalars, arrays, ranges and multiranges', () => {
    const names = codecs.map(([name]) => name);
    for (const name of ['int4', 'numeric', 'jsonb', '_int4', '_text', 'int4range', 'tstzmultirange', 'record', 'tsvector']) {
      expect(names).toContain(name);
    }
  });

  it.each(codecs)('%s: random bytes give a value or a DataError', (_name, codec) => {
    fc.assert(
      fc.property(randomBytes, fc.nat({ max: 3 }), (bytes, offset) => {
        // The value sits at an offset inside a larger buffer, as in a DataRow; bytes after it must not be read.
        const buf = Buffer.concat([Buffer.alloc(offset, 0x7f), bytes, Buffer.alloc(8, 0xff)]);
        onlyTyped(() => codec.decodeBinary!(buf, offset, bytes.length), [DataError]);
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 3)), seed: SEED },
    );
  });

  it.each(codecs.filter(([, c]) => c.encodeBinary !== undefined && SAMPLES.has(c.name)))(
    '%s: a valid encoding with one mutation gives a value or a DataError',
    (_name, codec) => {
      const valid = encode((w) => codec.encodeBinary!(SAMPLES.get(codec.name), w));
      fc.assert(
        fc.property(mutated(fc.constant(valid)), (bytes) => {
          const buf = Buffer.concat([bytes, Buffer.alloc(8, 0xff)]);
          onlyTyped(() => codec.decodeBinary!(buf, 0, bytes.length), [DataError]);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
  );

  it('errors are PgjetErrors with a message, not bare strings', () => {
    const codec = registry.get(1007) as Codec;
    const bad = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
    let caught: unknown;
    try {
      codec.decodeBinary!(bad, 0, bad.length);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PgjetError);
    expect((caught as Error).message.length).toBeGreaterThan(0);
  });
});
