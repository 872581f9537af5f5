import { eq, getTableUniqueName, is, Table } from 'drizzle-orm';
import { Cache, type MutationOption } from 'drizzle-orm/cache/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from '../../../src/integrations/drizzle/index.js';
import { drizzleFixture } from './fixture.js';

/** A cache in memory that records what Drizzle asks of it, invalidated by schema-qualified table name. */
class MemoryCache extends Cache {
  readonly entries = new Map<string, { rows: unknown[]; tables: string[] }>();
  readonly calls: string[] = [];

  strategy(): 'all' {
    return 'all';
  }

  override async get(key: string): Promise<unknown[] | undefined> {
    this.calls.push('get');
    return this.entries.get(key)?.rows;
  }

  override async put(key: string, rows: unknown, tables: string[]): Promise<void> {
    this.calls.push('put');
    this.entries.set(key, { rows: rows as unknown[], tables });
  }

  override async onMutate(params: MutationOption): Promise<void> {
    this.calls.push('onMutate');
    const named = [params.tables ?? []].flat().map((t) => (is(t, Table) ? getTableUniqueName(t) : String(t)));
    for (const [key, entry] of this.entries) if (entry.tables.some((t) => named.includes(t))) this.entries.delete(key);
  }
}

let fx: Awaited<ReturnType<typeof drizzleFixture>>;

beforeAll(async () => {
  fx = await drizzleFixture('drizzle_cache', 2);
});

afterAll(async () => {
  await fx.pool.close();
});

describe('db.$cache is the configured cache, as on Drizzle’s own drivers', () => {
  it('is the same object, its invalidate is onMutate, and the session uses its get/put/onMutate', async () => {
    const cache = new MemoryCache();
    const db = drizzle(fx.pool, { schema: fx.app, cache });
    expect(db.$cache).toBe(cache);
    const users = fx.app.users;

    const names = () => db.select({ name: users.name }).from(users).where(eq(users.isActive, true));
    expect(await names()).toEqual([]);
    expect(cache.calls).toEqual(['get', 'put']);

    // Written behind Drizzle's back: the cached answer stands until the table is invalidated.
    await fx.pool.execute(`INSERT INTO drizzle_cache.users (name, email) VALUES ('Ann', 'ann@example.com')`);
    expect(await names()).toEqual([]);
    expect(cache.calls.slice(2)).toEqual(['get']);

    await db.$cache.invalidate({ tables: 'drizzle_cache.users' });
    expect(cache.calls.slice(3)).toEqual(['onMutate']);
    expect(await names()).toEqual([{ name: 'Ann' }]);

    // A write through Drizzle invalidates by itself.
    await db.insert(users).values({ name: 'Bob', email: 'bob@example.com' });
    expect(cache.calls.slice(-1)).toEqual(['onMutate']);
    expect(await names()).toEqual([{ name: 'Ann' }, { name: 'Bob' }]);
  });

  it('without a cache, invalidate is Drizzle’s no-op (so code written for a cache still runs)', async () => {
    const db = drizzle(fx.pool);
    await expect(db.$cache.invalidate({ tables: 'users' })).resolves.toBeUndefined();
  });
});
