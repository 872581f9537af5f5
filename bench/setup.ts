/**
 * Creates the tables the workloads read and write, through node-postgres (a dependency that already works,
 * so the benchmark can run while pgjet is still landing), and reports facts the workloads need.
 *
 * Every value is chosen so all drivers decode it to the same checksum: float4 values are exact binary
 * fractions (a text-format driver parsing "0.1" and a binary one reading the float32 would differ otherwise),
 * timestamps have millisecond precision, and text has non-ASCII characters only inside the Basic
 * Multilingual Plane (JavaScript and Python count those the same way).
 */
import pg from 'pg';
import { WORKLOADS } from './workloads.js';

const SETUP_SQL = `
DROP TABLE IF EXISTS bench_wide, bench_accounts, bench_int4_arrays, bench_batch;

CREATE TABLE bench_wide (
  id int4 PRIMARY KEY,
  big int8 NOT NULL,
  small int2 NOT NULL,
  name text NOT NULL,
  code varchar(32) NOT NULL,
  flag bool NOT NULL,
  score float8 NOT NULL,
  ratio float4 NOT NULL,
  amount numeric(14, 2) NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamp NOT NULL,
  birthday date NOT NULL,
  uid uuid NOT NULL,
  doc jsonb NOT NULL,
  blob bytea NOT NULL,
  ints int4[] NOT NULL,
  tags text[] NOT NULL,
  note text,
  grade char(4) NOT NULL,
  counter int4
);
INSERT INTO bench_wide
SELECT
  i,
  i::int8 * 1000003 - 4000000000,
  (i % 30000 - 15000)::int2,
  'name-' || i || CASE WHEN i % 10 = 0 THEN '-Grüße' ELSE '' END,
  'C' || lpad(i::text, 8, '0'),
  i % 2 = 0,
  i::float8 / 7,
  (i % 1000) * 0.25,
  round(i * 12.34, 2)::numeric(14, 2) * CASE WHEN i % 13 = 0 THEN -1 ELSE 1 END,
  timestamptz '2024-01-01 00:00:00+00' + i * interval '1.123 seconds',
  timestamp '2020-06-15 12:00:00' + i * interval '1 minute',
  date '1995-01-01' + i,
  md5(i::text)::uuid,
  jsonb_build_object('id', i, 'label', 'item ' || i, 'tags', jsonb_build_array('a', 'b', i % 5), 'ok', i % 3 = 0, 'w', i * 0.5),
  decode(md5(i::text) || md5((i + 1)::text), 'hex'),
  ARRAY[i, i + 1, i + 2, -i],
  ARRAY['t' || (i % 7), 'tag-' || (i % 11), 'é'],
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END,
  chr(65 + i % 26) || 'x',
  CASE WHEN i % 5 = 0 THEN NULL ELSE i * 7 END
FROM generate_series(1, 10000) AS i;

CREATE TABLE bench_accounts (
  id int4 PRIMARY KEY,
  username text NOT NULL,
  email text NOT NULL,
  balance int8 NOT NULL,
  score float8 NOT NULL,
  active bool NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO bench_accounts
SELECT i, 'user_' || i, 'user' || i || '@example.com', i::int8 * 7919 - 5000000, i::float8 / 3, i % 4 <> 0,
       timestamptz '2023-03-01 00:00:00+00' + i * interval '37.5 seconds'
FROM generate_series(1, 10000) AS i;

CREATE TABLE bench_int4_arrays (id int4 PRIMARY KEY, a int4[] NOT NULL);
INSERT INTO bench_int4_arrays
SELECT g, ARRAY(SELECT generate_series((g - 1) * 100 + 1, g * 100)) FROM generate_series(1, 100) AS g;

CREATE TABLE bench_batch (a int4, b int4, c int4, t text, f float8, d int4, u text);
`;

export interface SetupFacts {
  /** PostgreSQL's version string (`SHOW server_version`). */
  serverVersion: string;
  /** Rows M1 returns on this server (pg_type's contents depend on the version). */
  m1Rows: number;
}

export async function setupDatabase(dsn: string): Promise<SetupFacts> {
  const client = new pg.Client({ connectionString: dsn });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(SETUP_SQL);
    // Separately: a multi-statement string runs as one implicit transaction, and VACUUM refuses those.
    // Vacuumed tables have their visibility map set, so every driver reads the same settled pages.
    await client.query('VACUUM ANALYZE bench_wide, bench_accounts, bench_int4_arrays, bench_batch');
    const m1 = WORKLOADS.find((w) => w.id === 'M1');
    const count = m1 ? (await client.query({ text: m1.sql, values: m1.args })).rowCount ?? 0 : 0;
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    return { serverVersion: version, m1Rows: count };
  } finally {
    await client.end();
  }
}

/** Removes the benchmark's tables (matters only for a server given by PGJET_BENCH_DSN). */
export async function dropTables(dsn: string): Promise<void> {
  const client = new pg.Client({ connectionString: dsn });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_wide, bench_accounts, bench_int4_arrays, bench_batch');
  } finally {
    await client.end();
  }
}
