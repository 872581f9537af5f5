/**
 * The users service's data layer on pgjet: one pool for the service, whose sessions see only the service's
 * schema (`serverSettings.search_path`), so the SQL names tables without a schema.
 */
import { createPool, sql, type Pool, type PoolConfig } from '../../src/index.js';

/** A user as the API returns it. `id` is an int8: a bigint from pgjet (a string from pg). */
export interface User {
  id: bigint | string;
  name: string;
  email: string;
  createdAt: Date;
}

/** What the HTTP layer needs from a data layer (the benchmark swaps in a node-postgres one). */
export interface UsersStore {
  /** Creates a user and its audit-log entry in one transaction: both or neither. */
  createUser(input: { name: string; email: string }, actor: string): Promise<User>;
  /** The users with these ids, in one query (`= ANY($1)`: no N+1), ordered by id. */
  usersByIds(ids: readonly bigint[]): Promise<User[]>;
  /** Pings the database (throws when it cannot be reached) and reports the pool's counters. */
  health(): Promise<Record<string, number>>;
  /** Drains and closes the pool. */
  close(): Promise<void>;
}

const USER_COLUMNS = 'id, name, email, created_at AS "createdAt"';

/**
 * The users service's pool: its own role's DSN, its own schema on the search path. Settings go in
 * `serverSettings` (sent at startup, they survive the pool's RESET ALL), not in a SET.
 */
export function createUsersPool(databaseUrl: string, options: PoolConfig = {}): Pool {
  return createPool(databaseUrl, {
    minSize: 2,
    maxSize: 10,
    ...options,
    serverSettings: { search_path: 'users_svc', application_name: 'users-svc', ...options.serverSettings },
  });
}

/** The pgjet data layer over the service's pool. */
export function createPgjetStore(pool: Pool): UsersStore {
  return {
    createUser: ({ name, email }, actor) =>
      pool.transaction(async (tx) => {
        const user = await tx.fetchRow<User>(sql`INSERT INTO users (name, email) VALUES (${name}, ${email}) RETURNING ${sql.unsafe(USER_COLUMNS)}`);
        // fetchRow of INSERT … RETURNING always has the row; the non-null assertion documents that.
        await tx.execute(sql`INSERT INTO audit_log (actor, action, user_id, details) VALUES (${actor}, 'create_user', ${user!.id}, ${{ email }})`);
        return user!;
      }),
    usersByIds: (ids) => pool.fetch<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1) ORDER BY id`, [ids]),
    async health() {
      await pool.fetchVal('SELECT 1', [], { timeout: 2_000 });
      return { ...pool.stats() };
    },
    close: () => pool.close(),
  };
}
