/**
 * subscribeAbort: however many calls share a signal, the signal holds one listener, every subscriber still
 * hears the abort once, and unsubscribing the last one leaves the signal with none.
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subscribeAbort } from '../../../src/internal/index.js';

describe('subscribeAbort', () => {
  it('one listener on the signal for fifty subscribers; each is called once on abort', () => {
    const controller = new AbortController();
    const calls = new Array<number>(50).fill(0);
    for (let i = 0; i < 50; i++) subscribeAbort(controller.signal, () => calls[i]++);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.abort();
    expect(calls.every((n) => n === 1)).toBe(true);
  });

  it('unsubscribed callbacks are not called; the last unsubscribe removes the listener', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (keep) => {
        const controller = new AbortController();
        const called: boolean[] = keep.map(() => false);
        const stops = keep.map((_, i) => subscribeAbort(controller.signal, () => (called[i] = true)));
        keep.forEach((k, i) => {
          if (!k) stops[i]();
        });
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(keep.some((k) => k) ? 1 : 0);
        controller.abort();
        expect(called).toEqual(keep);
      }),
    );
  });

  it('a callback that unsubscribes another during the abort keeps it from being called', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    let stopB: () => void = () => undefined;
    subscribeAbort(controller.signal, () => {
      seen.push('a');
      stopB();
    });
    stopB = subscribeAbort(controller.signal, () => seen.push('b'));
    controller.abort();
    expect(seen).toEqual(['a']);
    // After an abort the signal starts afresh for new subscribers (who check `aborted` first in practice).
    subscribeAbort(controller.signal, () => seen.push('c'));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
  });
});
