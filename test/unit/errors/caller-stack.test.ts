import { describe, expect, it } from 'vitest';
import { DataError, TimeoutError, withCallerStack } from '../../../src/index.js';

/** Builds an error the way pgjet's socket and timer handlers do: outside any async chain of the caller. */
function errorFromTimer(): Promise<TimeoutError> {
  return new Promise((resolve) => setTimeout(() => resolve(new TimeoutError('query timed out after 1 ms')), 0));
}

/** A public verb as pgjet writes one: await, and re-stamp in the catch clause. */
async function verb(): Promise<never> {
  const err = await errorFromTimer();
  try {
    await Promise.reject(err);
  } catch (e) {
    throw withCallerStack(e);
  }
  throw new Error('unreachable');
}

describe('withCallerStack', () => {
  it('gives an error built in a timer the frames of the async caller, under its own first line', async () => {
    const before = await errorFromTimer();
    expect(before.stack).not.toContain('someCallerOfVerb');
    const err = await (async function someCallerOfVerb() {
      return await verb().catch((e: unknown) => e as Error);
    })();
    expect(err.stack?.split('\n')[0]).toBe('TimeoutError: query timed out after 1 ms');
    expect(err.stack).toContain('someCallerOfVerb');
    expect(err.stack).not.toContain('withCallerStack');
  });

  it('re-stamps an error once: an outer verb does not shorten the chain the inner one recorded', async () => {
    const err = new DataError('bad value');
    withCallerStack(err);
    const first = err.stack;
    await (async function outerVerb() {
      await Promise.resolve();
      withCallerStack(err);
    })();
    expect(err.stack).toBe(first);
    expect(err.stack).not.toContain('outerVerb');
  });

  it("leaves anything that is not a pgjet error alone (a callback's error, an abort reason)", () => {
    const own = new Error('mine');
    const stack = own.stack;
    expect(withCallerStack(own)).toBe(own);
    expect(own.stack).toBe(stack);
    expect(withCallerStack('a string')).toBe('a string');
    expect(withCallerStack(undefined)).toBeUndefined();
  });
});
