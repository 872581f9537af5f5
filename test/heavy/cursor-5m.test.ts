/**
 * Issue 6's memory bound at full size: 5 million rows through `cursor()` with a slow consumer keep RSS growth
 * under 100 MB. Too long for `npm test`, so it lives in the heavy suite (vitest.heavy.config.ts); the normal
 * suite has the 200k-row version in test/integration/streams/cursor.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { testDsn } from '../support/env.js';

describe('heavy: 5M-row cursor', () => {
  it('keeps RSS growth under 100 MB with a slow consumer', async () => {
    const conn = await connect(testDsn());
    try {
      const start = process.memoryUsage().rss;
      let peak = 0;
      let n = 0;
      const rows = conn.cursor<{ g: number; pad: string }>(
        "SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 5000000) g",
        [],
        { prefetch: 1000 },
      );
      for await (const row of rows) {
        n++;
        if (row.pad.length !== 200) throw new Error(`bad row ${row.g}`);
        // Slow consumer: yield to the event loop regularly, and pause now and then.
        if (n % 10_000 === 0) {
          await new Promise((r) => setTimeout(r, n % 500_000 === 0 ? 50 : 0));
          peak = Math.max(peak, process.memoryUsage().rss - start);
        }
      }
      expect(n).toBe(5_000_000);
      expect(peak).toBeLessThan(100 * 1024 * 1024);
      expect(await conn.fetchVal('SELECT 1')).toBe(1);
    } finally {
      await conn.close();
    }
  }, 600_000);
});
