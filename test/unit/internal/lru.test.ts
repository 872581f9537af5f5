/**
 * Lru against a model (an array of keys in recency order): any sequence of gets, sets, peeks and deletes must
 * give the same values, the same evictions and the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Lru } from '../../../src/internal/lru.js';

type Op = { kind: 'get' | 'peek' | 'delete'; key: number } | { kind: 'set'; key: number; value: number } | { kind: 'drain' };

const key = fc.integer({ min: 0, max: 5 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('get' as const, 'peek' as const, 'delete' as const), key }),
  fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() }),
  fc.record({ kind: fc.constant('drain' as const) }),
);

describe('Lru', () => {
  it('behaves as the model LRU for any sequence of operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const lru = new Lru<number, number>(capacity);
        // Least recently used first.
        let model: { key: number; value: number }[] = [];
        for (const o of ops) {
          if (o.kind === 'set') {
            model = model.filter((e) => e.key !== o.key);
            model.push({ key: o.key, value: o.value });
            const evicted = model.splice(0, Math.max(0, model.length - capacity)).map((e) => e.value);
            expect(lru.set(o.key, o.value)).toEqual(evicted);
          } else if (o.kind === 'get') {
            const i = model.findIndex((e) => e.key === o.key);
            if (i >= 0) model.push(...model.splice(i, 1));
            expect(lru.get(o.key)).toBe(i >= 0 ? model[model.length - 1].value : undefined);
          } else if (o.kind === 'peek') {
            expect(lru.peek(o.key)).toBe(model.find((e) => e.key === o.key)?.value);
          } else if (o.kind === 'delete') {
            const had = model.some((e) => e.key === o.key);
            model = model.filter((e) => e.key !== o.key);
            expect(lru.delete(o.key)).toBe(had);
          } else {
            expect(lru.drain()).toEqual(model.map((e) => e.value));
            model = [];
          }
          expect([...lru.values()]).toEqual(model.map((e) => e.value));
          expect(lru.size).toBe(model.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
