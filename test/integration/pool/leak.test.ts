import { describe, expect, it } from 'vitest';
import { createPool, type LeakInfo } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

describe('leak detection', () => {
  it("a connection held longer than leakTimeout emits 'leak' with the acquire() stack and the time held", async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 2, leakTimeout: 80 });
    const leaks: LeakInfo[] = [];
    pool.on('leak', (info) => leaks.push(info));
    const held = await pool.acquire(); // the line the report must point at
    await pool.withConnection((c) => c.fetchVal('SELECT 1')); // released in time: no report
    await new Promise((r) => setTimeout(r, 150));
    expect(leaks).toHaveLength(1);
    expect(leaks[0].heldMs).toBeGreaterThanOrEqual(80);
    expect(leaks[0].stack).toMatch(/^acquired at:/);
    // The pool's own frames are cut: the first frame shown is the caller's acquire() line.
    expect(leaks[0].stack.split('\n')[1]).toContain('leak.test.ts');
    await held.release();
    await new Promise((r) => setTimeout(r, 100));
    expect(leaks).toHaveLength(1); // reported once per borrowing
    await pool.close();
  });

  it('without a listener the leak becomes a process warning', async () => {
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 1, leakTimeout: 50 });
    const warned = new Promise<Error & { code?: string }>((resolve) => {
      const onWarning = (w: Error & { code?: string }): void => {
        if (w.code !== 'PGJET_POOL_LEAK') return;
        process.off('warning', onWarning);
        resolve(w);
      };
      process.on('warning', onWarning);
    });
    const c = await pool.acquire();
    const w = await warned;
    expect(w.message).toMatch(/held for \d+ ms/);
    expect(w.message).toContain('leak.test.ts');
    await c.release();
    await pool.close();
  });

  it('the shortcuts are watched too', async () => {
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 1, leakTimeout: 50 });
    const leaks: LeakInfo[] = [];
    pool.on('leak', (info) => leaks.push(info));
    await pool.fetchVal('SELECT pg_sleep(0.12)');
    expect(leaks).toHaveLength(1);
    expect(leaks[0].stack).toContain('leak.test.ts');
    await pool.close();
  });
});
