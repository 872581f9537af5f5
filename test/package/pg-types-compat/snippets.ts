// Typical code written against @types/pg. It is type-checked twice, unchanged: once with 'pg-under-test'
// resolving to @types/pg, once to pgjet/pg's declarations (see the tsconfig files beside it; the repository's
// own tsconfig maps it to the face too, so `npm run typecheck` checks the face side on every run).
import pg, { Client, DatabaseError, escapeIdentifier, escapeLiteral, types, Query } from 'pg-under-test';
import type { ClientConfig, FieldDef, Notification, QueryConfig, QueryResult, QueryResultRow } from 'pg-under-test';

interface User extends QueryResultRow {
  id: number;
  name: string;
}

const config: ClientConfig = {
  connectionString: process.env.DATABASE_URL,
  host: 'localhost',
  port: 5432,
  user: 'app',
  password: async () => 'secret',
  database: 'app',
  ssl: { rejectUnauthorized: false },
  application_name: 'svc',
  statement_timeout: 5_000,
  query_timeout: 10_000,
  connectionTimeoutMillis: 2_000,
  keepAlive: true,
};

export async function promises(): Promise<string> {
  const client = new Client(config);
  await client.connect();
  const res: QueryResult<User> = await client.query<User>('SELECT id, name FROM users WHERE id = $1', [1]);
  const first: User | undefined = res.rows[0];
  const count: number | null = res.rowCount;
  const command: string = res.command;
  const fields: FieldDef[] = res.fields;
  const typeId: number = fields[0].dataTypeID;
  const q: QueryConfig = { text: 'SELECT $1::text AS t', values: ['x'], name: 'named' };
  const untyped = await client.query(q);
  const value: string = untyped.rows[0].t;
  const arrays = await client.query({ text: 'SELECT 1, 2', rowMode: 'array' });
  const n: unknown = arrays.rows[0][0];
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO users(name) VALUES ($1)', ['Alice']);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    if (err instanceof DatabaseError && err.code === '23505') return err.detail ?? '';
    throw err;
  }
  await client.end();
  return `${first?.name}${count}${command}${typeId}${value}${String(n)}`;
}

export function callbacks(): void {
  const client = new pg.Client('postgres://localhost/app');
  client.connect((err: Error) => {
    if (err) throw err;
    client.query('SELECT now() AS t', (err2, res) => {
      if (err2) return;
      console.log(res.rows[0].t);
      client.query('SELECT $1::int AS n', [1], (err3, res3) => {
        console.log(err3?.message, res3.rowCount);
        void client.end();
      });
    });
  });
  client.on('notification', (msg: Notification) => console.log(msg.channel, msg.payload, msg.processId));
  client.on('notice', (notice) => console.log(notice.message));
  client.on('error', (err: Error) => console.error(err.message));
  client.on('end', () => console.log('bye'));
}

export function parsers(): void {
  types.setTypeParser(20, BigInt);
  types.setTypeParser(types.builtins.NUMERIC, (v: string) => parseFloat(v));
  pg.types.setTypeParser(1082, 'text', (v: string) => v);
  const parse = types.getTypeParser(1184, 'text');
  console.log(parse('2024-01-01 00:00:00+00'));
  pg.defaults.parseInputDatesAsUTC = true;
  const client = new Client({ types: { getTypeParser: types.getTypeParser } });
  client.setTypeParser(1700, (v: string) => Number(v));
  console.log(escapeIdentifier('t'), escapeLiteral("it's"), client.escapeLiteral('x'), client.escapeIdentifier('y'));
  const q = new Query('SELECT 1');
  q.on('end', () => console.log('done'));
  client.query(q);
}
