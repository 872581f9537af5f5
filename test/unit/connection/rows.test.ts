/**
 * DataRow decoding: the generated per-plan decoders (row-compiler.ts) must build exactly the rows the generic
 * loop builds (same values, same key order, same errors), for any column names and any mix of NULLs. Rows are
 * real DataRow bytes from the server-side encoder; the plan comes from the real codec registry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecRegistry } from '../../../src/codecs/index.js';
import { DataError, ProtocolError } from '../../../src/errors/index.js';
import { ByteWriter } from '../../../src/internal/index.js';
import { serverSide, type FieldDescription } from '../../../src/protocol/index.js';
import { decodeArrayRow, decodeObjectRow } from '../../../src/connection/requests/rows.js';
import { compileArrayRow, compileObjectRow, MAX_COMPILED_COLUMNS } from '../../../src/connection/requests/row-compiler.js';
import { buildResultPlan, type ResultPlan } from '../../../src/connection/statement.js';

const INT4 = 23;
const TEXT = 25;
const BOOL = 16;

function field(name: string, typeOid: number): FieldDescription {
  return { name, tableOid: 0, columnAttr: 0, typeOid, typeSize: -1, typeModifier: -1, format: 1 };
}

function planOf(columns: readonly [string, number][]): ResultPlan {
  return buildResultPlan(columns.map(([n, oid]) => field(n, oid)), new CodecRegistry());
}

/** A DataRow message as bytes and the payload bounds the framer would hand over. */
function dataRow(values: readonly (Uint8Array | string | null)[]): [Buffer, number, number] {
  const w = new ByteWriter(64);
  serverSide.writeDataRow(w, values);
  const buf = w.take();
  return [buf, 5, buf.length];
}

function int4(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** Forces both generated decoders onto a plan (bypassing the warm-up count). */
function compiled(plan: ResultPlan): ResultPlan {
  const failuresSource = { ...plan, objectRow: undefined, arrayRow: undefined, genericRows: 1e9 };
  // One generic decode with the count past the threshold makes decodeObjectRow/decodeArrayRow compile.
  const [buf, s, e] = dataRow(plan.decoders.map(() => null));
  decodeObjectRow(failuresSource, buf, s, e);
  decodeArrayRow(failuresSource, buf, s, e);
  expect(failuresSource.objectRow).toBeTypeOf('function');
  expect(failuresSource.arrayRow).toBeTypeOf('function');
  return failuresSource;
}

function generic(plan: ResultPlan): ResultPlan {
  // null: "cannot compile", so the generic loop stays in use for good.
  return { ...plan, objectRow: null, arrayRow: null };
}

const columnName = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', '0', '1', 'a"b', "it's", '\u2028', 'ünï', 'x\\y', ''),
);

const cell = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => ({ oid: INT4, bytes: int4(n) as Uint8Array | string })),
  fc.string({ maxLength: 20 }).map((s) => ({ oid: TEXT, bytes: s as Uint8Array | string })),
  fc.boolean().map((b) => ({ oid: BOOL, bytes: Buffer.from([b ? 1 : 0]) as Uint8Array | string })),
);

describe('generated row decoders', () => {
  it('build the same rows as the generic loop: values, key order, duplicate names, NULLs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(columnName, cell), { maxLength: 40 }), (cols) => {
        // A NULL cell still needs a column type; text is as good as any.
        const plan = planOf(cols.map(([name, c]) => [name, c === null ? TEXT : c.oid]));
        const [buf, s, e] = dataRow(cols.map(([, c]) => (c === null ? null : c.bytes)));
        const fast = compiled(plan);
        const slow = generic(plan);
        const a = decodeObjectRow(fast, buf, s, e);
        const b = decodeObjectRow(slow, buf, s, e);
        expect(Object.keys(a)).toEqual(Object.keys(b));
        expect(a).toEqual(b);
        expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
        expect(decodeArrayRow(fast, buf, s, e)).toEqual(decodeArrayRow(slow, buf, s, e));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a column named __proto__ an own property and leaves the prototype alone", () => {
    const plan = planOf([['__proto__', INT4], ['x', INT4]]);
    const [buf, s, e] = dataRow([int4(7), int4(8)]);
    for (const p of [compiled(plan), generic(plan)]) {
      const row = decodeObjectRow(p, buf, s, e);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(7);
      expect(row.x).toBe(8);
    }
  });

  it('switch a plan to the generated decoder after its warm-up rows, with the same results', () => {
    const plan = planOf([['a', INT4], ['b', TEXT]]);
    const [buf, s, e] = dataRow([int4(1), 'one']);
    const first = decodeObjectRow(plan, buf, s, e);
    expect(plan.objectRow).toBeUndefined();
    for (let i = 0; i < 100; i++) decodeObjectRow(plan, buf, s, e);
    expect(plan.objectRow).toBeTypeOf('function');
    expect(decodeObjectRow(plan, buf, s, e)).toEqual(first);
  });

  it('report a wrong field count, an overrun and a bad value exactly as the generic loop does', () => {
    const plan = planOf([['a', INT4], ['b', BOOL]]);
    const cases: [Buffer, number, number][] = [
      dataRow([int4(1)]), // one field, two described
      (() => {
        const [buf, s] = dataRow([int4(1), Buffer.from([1])]);
        return [buf, s, buf.length - 1] as [Buffer, number, number]; // last field runs past the end
      })(),
      dataRow([int4(1), Buffer.from([1, 2])]), // bool with two bytes
      [Buffer.from([0, 0, 0, 0, 0, 0]), 5, 6], // shorter than its field count
    ];
    for (const [buf, s, e] of cases) {
      const errors = [compiled(plan), generic(plan)].map((p) => {
        try {
          decodeObjectRow(p, buf, s, e);
        } catch (err) {
          return err as Error;
        }
        return null;
      });
      expect(errors[0]).not.toBeNull();
      expect(errors[0]?.constructor).toBe(errors[1]?.constructor);
      expect(errors[0]?.message).toBe(errors[1]?.message);
    }
    const [buf, s, e] = dataRow([int4(1), Buffer.from([1, 2])]);
    expect(() => decodeObjectRow(compiled(plan), buf, s, e)).toThrow(DataError);
    expect(() => decodeObjectRow(compiled(plan), buf, s, e)).toThrow(/column 1 "b" \(bool\)/);
    const [short, ss] = dataRow([int4(1), Buffer.from([1])]);
    expect(() => decodeArrayRow(compiled(plan), short, ss, short.length - 1)).toThrow(ProtocolError);
  });

  it('refuse a negative field length other than -1 (NULL) as a ProtocolError, generic and generated alike', () => {
    const plan = planOf([['a', INT4], ['b', TEXT]]);
    for (const length of [-2, -3, -0x8000_0000]) {
      const [buf, s, e] = dataRow([int4(7), null]);
      // The second field's length sits after the count (2), the first length (4) and its value (4).
      buf.writeInt32BE(length, s + 10);
      for (const variant of [generic(plan), compiled(plan)]) {
        for (const decode of [decodeObjectRow, decodeArrayRow]) {
          expect(() => decode(variant, buf, s, e)).toThrow(ProtocolError);
          expect(() => decode(variant, buf, s, e)).toThrow(`DataRow field 1 "b" (text) has invalid length ${length}`);
        }
      }
    }
  });

  it('leave rows wider than the limit to the generic loop', () => {
    const plan = planOf(Array.from({ length: MAX_COMPILED_COLUMNS + 1 }, (_, i) => [`c${i}`, INT4] as [string, number]));
    const failures = {
      badCount: () => { throw new Error('x'); },
      overrun: () => new Error('x'),
      badLength: () => new Error('x'),
      column: () => new Error('x'),
    };
    expect(compileObjectRow(plan, failures)).toBeNull();
    expect(compileArrayRow(plan, failures)).toBeNull();
  });
});
