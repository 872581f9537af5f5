/**
 * The same data layer on node-postgres, for the benchmark only (examples/fastify-service/bench.ts): same
 * SQL, same pool size, same search_path, so the two runs differ only in the driver.
 */
import pg from 'pg';
import type { User, UsersStore } from './store.js';

/** A pg pool configured like {@link createUsersPool}. */
export function createPgUsersPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, options: '-c search_path=users_svc', application_name: 'users-svc-pg' });
  pool.on('error', () => undefined); // an idle client's failure is reported on its next use
  return pool;
}

const USER_COLUMNS = 'id, name, email, created_at AS "createdAt"';

/** The node-postgres data layer. */
export function createPgStore(pool: pg.Pool): UsersStore {
  return {
    async createUser({ name, email }, actor) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<User>(`INSERT INTO users (name, email) VALUES ($1, $2) RETURNING ${USER_COLUMNS}`, [name, email]);
        await client.query("INSERT INTO audit_log (actor, action, user_id, details) VALUES ($1, 'create_user', $2, $3)", [actor, rows[0].id, { email }]);
        await client.query('COMMIT');
        return rows[0];
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async usersByIds(ids) {
      // pg sends parameters as text: bigints go as their decimal strings.
      const { rows } = await pool.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1) ORDER BY id`, [ids.map(String)]);
      return rows;
    },
    async health() {
      await pool.query('SELECT 1');
      return { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    close: () => pool.end(),
  };
}
