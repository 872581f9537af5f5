/**
 * The Drizzle schema the tests use, built in a PostgreSQL schema of the caller's choosing (test files run in
 * parallel, each in its own schema). test/fixtures/drizzle/schema.ts instantiates it for drizzle-kit.
 */
import { relations, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  char,
  date,
  doublePrecision,
  index,
  integer,
  interval,
  json,
  jsonb,
  line,
  numeric,
  pgSchema,
  point,
  real,
  serial,
  smallint,
  text,
  time,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/** The tables, enum and relations, in the PostgreSQL schema `name`. */
export function appSchema(name: string) {
  const schema = pgSchema(name);
  const role = schema.enum('role', ['admin', 'member', 'guest']);

  const users = schema.table('users', {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    email: varchar('email', { length: 200 }).notNull().unique(),
    role: role('role').notNull().default('member'),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  });

  const posts = schema.table('posts', {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  }, (t) => [index('posts_author_idx').on(t.authorId)]);

  /** One column per common type, in each mode Drizzle offers. */
  const everything = schema.table('everything', {
    id: serial('id').primaryKey(),
    small: smallint('small'),
    int: integer('int'),
    bigNumber: bigint('big_number', { mode: 'number' }),
    bigBig: bigint('big_big', { mode: 'bigint' }),
    amount: numeric('amount', { precision: 20, scale: 4 }),
    ratio: real('ratio'),
    exact: doublePrecision('exact'),
    label: text('label'),
    code: varchar('code', { length: 10 }),
    letter: char('letter', { length: 1 }),
    flag: boolean('flag'),
    at: timestamp('at'),
    atString: timestamp('at_string', { mode: 'string' }),
    atTz: timestamp('at_tz', { withTimezone: true }),
    atTzString: timestamp('at_tz_string', { withTimezone: true, mode: 'string' }),
    day: date('day'),
    dayDate: date('day_date', { mode: 'date' }),
    clock: time('clock'),
    span: interval('span'),
    doc: json('doc').$type<{ a: number; b: string[] }>(),
    docb: jsonb('docb').$type<Record<string, unknown>>(),
    uid: uuid('uid'),
    ints: integer('ints').array(),
    texts: text('texts').array(),
    bigs: bigint('bigs', { mode: 'bigint' }).array(),
    stamps: timestamp('stamps').array(),
    role: role('role'),
    roles: role('roles').array(),
    where: point('where'),
    wherexy: point('wherexy', { mode: 'xy' }),
    edge: line('edge'),
  });

  const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
  const postsRelations = relations(posts, ({ one }) => ({ author: one(users, { fields: [posts.authorId], references: [users.id] }) }));

  return { schema, role, users, posts, everything, usersRelations, postsRelations };
}
