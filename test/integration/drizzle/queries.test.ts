import { and, arrayContains, asc, count, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolationError } from '../../../src/index.js';
import { drizzleFixture } from './fixture.js';

let fx: Awaited<ReturnType<typeof drizzleFixture>>;

beforeAll(async () => {
  fx = await drizzleFixture('drizzle_queries');
  const { db, app } = fx;
  const [ann, bob] = await db
    .insert(app.users)
    .values([
      { name: 'Ann', email: 'ann@example.com', role: 'admin' },
      { name: 'Bob', email: 'bob@example.com' },
      { name: 'Cid', email: 'cid@example.com', isActive: false },
    ])
    .returning();
  await db.insert(app.posts).values([
    { authorId: ann.id, title: 'Hello', tags: ['intro', 'hello, world'] },
    { authorId: ann.id, title: 'Again' },
    { authorId: bob.id, title: 'Bob here', tags: ['bob'] },
  ]);
});

afterAll(async () => {
  await fx.pool.close();
});

describe('insert, select, update, delete', () => {
  it('select with where, orderBy, limit', async () => {
    const { db, app } = fx;
    const rows = await db
      .select({ name: app.users.name, role: app.users.role })
      .from(app.users)
      .where(eq(app.users.isActive, true))
      .orderBy(desc(app.users.name))
      .limit(1);
    expect(rows).toEqual([{ name: 'Bob', role: 'member' }]);
  });

  it('joins map rows per table, with null for a missing left-joined row', async () => {
    const { db, app } = fx;
    const rows = await db
      .select()
      .from(app.users)
      .leftJoin(app.posts, eq(app.posts.authorId, app.users.id))
      .orderBy(asc(app.users.id), asc(app.posts.id));
    expect(rows.map((r) => [r.users.name, r.posts?.title ?? null])).toEqual([
      ['Ann', 'Hello'],
      ['Ann', 'Again'],
      ['Bob', 'Bob here'],
      ['Cid', null],
    ]);
    expect(rows[0].users.createdAt).toBeInstanceOf(Date);
    expect(rows[0].posts?.tags).toEqual(['intro', 'hello, world']);
  });

  it('aggregates and array parameters (inArray, array column filters)', async () => {
    const { db, app } = fx;
    const perAuthor = await db
      .select({ authorId: app.posts.authorId, n: count() })
      .from(app.posts)
      .groupBy(app.posts.authorId)
      .orderBy(app.posts.authorId);
    expect(perAuthor.map((r) => r.n)).toEqual([2, 1]);
    const some = await db.select({ name: app.users.name }).from(app.users).where(inArray(app.users.email, ['ann@example.com', 'cid@example.com']));
    expect(some.map((r) => r.name).sort()).toEqual(['Ann', 'Cid']);
    const tagged = await db.select({ title: app.posts.title }).from(app.posts).where(arrayContains(app.posts.tags, ['bob']));
    expect(tagged).toEqual([{ title: 'Bob here' }]);
    expect(await db.$count(app.posts)).toBe(3);
  });

  it('update … returning and delete', async () => {
    const { db, app } = fx;
    const updated = await db.update(app.users).set({ role: 'guest', isActive: true }).where(eq(app.users.name, 'Cid')).returning({ id: app.users.id, role: app.users.role });
    expect(updated).toEqual([{ id: expect.any(Number), role: 'guest' }]);
    const [post] = await db.insert(app.posts).values({ authorId: updated[0].id, title: 'temp', tags: ['x'] }).returning();
    const deleted = await db.delete(app.posts).where(eq(app.posts.id, post.id)).returning({ id: app.posts.id });
    expect(deleted).toEqual([{ id: post.id }]);
  });

  it('errors come wrapped in DrizzleQueryError, with the typed pgjet error as cause', async () => {
    const { db, app } = fx;
    const err = await db.insert(app.users).values({ name: 'Dup', email: 'ann@example.com' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrizzleQueryError);
    expect((err as DrizzleQueryError).cause).toBeInstanceOf(UniqueViolationError);
  });
});

describe('relational queries', () => {
  it('findMany with nested posts', async () => {
    const { db } = fx;
    const users = await db.query.users.findMany({
      columns: { name: true },
      with: { posts: { columns: { title: true, tags: true }, orderBy: (p, { asc }) => [asc(p.id)] } },
      orderBy: (u, { asc }) => [asc(u.id)],
    });
    expect(users).toEqual([
      { name: 'Ann', posts: [{ title: 'Hello', tags: ['intro', 'hello, world'] }, { title: 'Again', tags: [] }] },
      { name: 'Bob', posts: [{ title: 'Bob here', tags: ['bob'] }] },
      { name: 'Cid', posts: [] },
    ]);
  });

  it('findFirst with the author relation; timestamps decode as Dates inside nested JSON too', async () => {
    const { db, app } = fx;
    const post = await db.query.posts.findFirst({ where: eq(app.posts.title, 'Bob here'), with: { author: true } });
    expect(post?.author.name).toBe('Bob');
    expect(post?.author.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - post!.author.createdAt.getTime())).toBeLessThan(60_000);
  });
});

describe('prepared queries', () => {
  it('.prepare(name) with placeholders runs many times', async () => {
    const { db, app } = fx;
    const byEmail = db.select({ name: app.users.name }).from(app.users).where(eq(app.users.email, sql.placeholder('email'))).prepare('user_by_email');
    expect(await byEmail.execute({ email: 'bob@example.com' })).toEqual([{ name: 'Bob' }]);
    expect(await byEmail.execute({ email: 'ann@example.com' })).toEqual([{ name: 'Ann' }]);
    expect(await byEmail.execute({ email: 'nobody@example.com' })).toEqual([]);
  });

  it('placeholders for array, date and point columns are converted when filled', async () => {
    const { db, app } = fx;
    const insert = db
      .insert(app.everything)
      .values({ ints: sql.placeholder('ints'), dayDate: sql.placeholder('day'), where: sql.placeholder('pt'), label: sql.placeholder('label') })
      .returning({ ints: app.everything.ints, dayDate: app.everything.dayDate, where: app.everything.where, label: app.everything.label })
      .prepare('insert_everything');
    const day = new Date('2020-02-29T00:00:00.000Z');
    const rows = await insert.execute({ ints: [3, 2, 1], day, pt: [1, 2], label: '{not,an,array}' });
    expect(rows).toEqual([{ ints: [3, 2, 1], dayDate: day, where: [1, 2], label: '{not,an,array}' }]);
    const relational = db.query.users.findMany({ where: (u, { gt }) => gt(u.id, sql.placeholder('min')), columns: { name: true } }).prepare('users_after');
    expect((await relational.execute({ min: 1 })).map((u) => u.name)).toEqual(['Bob', 'Cid']);
  });

  it('db.execute with a sql`` template, and several statements in one raw string', async () => {
    const { db, app } = fx;
    const res = await db.execute<{ name: string }>(sql`SELECT name FROM ${app.users} WHERE ${and(eq(app.users.role, 'admin'), gt(app.users.id, 0))}`);
    expect(res.rows).toEqual([{ name: 'Ann' }]);
    const multi = await db.execute(sql.raw('CREATE TEMP TABLE IF NOT EXISTS t1 (x int); DROP TABLE IF EXISTS t1'));
    expect(multi.rows).toEqual([]);
  });
});
