/**
 * Database setup for the example services: each service gets a login role and a schema that role owns, and
 * nothing else. The users service may touch `users_svc` only; `billing_svc` belongs to the billing service.
 * A join from one service into the other's schema is refused by PostgreSQL itself (42501, pgjet's
 * `InsufficientPrivilegeError`): the boundary is enforced by the database, not by convention.
 *
 * Run as a role that may create roles (a superuser, or CREATEROLE on PostgreSQL 16+). Idempotent: running it
 * again keeps the data and only rotates the service passwords.
 */
import { randomBytes } from 'node:crypto';
import { connect, quoteIdentifier, type Connection } from '../../src/index.js';

/** A service's schema, which is also its login role's name. */
export type ServiceName = 'users_svc' | 'billing_svc';

/** What each service needs to connect: its own DSN (its role, its password). */
export type ServiceDsns = Record<ServiceName, string>;

/** Each service's tables, created by the service role itself so that it owns them. */
const SCHEMA_SQL: Record<ServiceName, string> = {
  users_svc: `
    CREATE TABLE IF NOT EXISTS users_svc.users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      email text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS users_svc.audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      actor text NOT NULL,
      action text NOT NULL,
      user_id bigint REFERENCES users_svc.users (id),
      details jsonb NOT NULL DEFAULT '{}',
      at timestamptz NOT NULL DEFAULT now()
    )`,
  billing_svc: `
    CREATE TABLE IF NOT EXISTS billing_svc.invoices (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL,
      amount numeric(12, 2) NOT NULL,
      issued_at timestamptz NOT NULL DEFAULT now()
    )`,
};

/** Creates (or updates) the role and its schema, then its tables as that role. */
async function setUpService(admin: Connection, service: ServiceName, password: string): Promise<void> {
  const role = quoteIdentifier(service);
  // Utility commands take no bind parameters; the password is hex we generated, safe as a literal.
  await admin.execute(`
    DO $$ BEGIN CREATE ROLE ${role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
    ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}';
    CREATE SCHEMA IF NOT EXISTS ${role} AUTHORIZATION ${role};
    REVOKE ALL ON SCHEMA ${role} FROM PUBLIC;
  `);
  await admin.transaction(async (tx) => {
    await tx.execute(`SET LOCAL ROLE ${role}`);
    await tx.execute(SCHEMA_SQL[service]);
  });
}

/** `adminDsn` with another user and password. */
function dsnFor(adminDsn: string, user: string, password: string): string {
  const url = new URL(adminDsn);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * Sets up both services' roles, schemas and tables through `adminDsn` and returns each service's DSN.
 * @example const { users_svc } = await setupServices(process.env.DATABASE_URL!);
 */
export async function setupServices(adminDsn: string): Promise<ServiceDsns> {
  const admin = await connect(adminDsn);
  try {
    const dsns = {} as ServiceDsns;
    for (const service of ['users_svc', 'billing_svc'] as const) {
      const password = randomBytes(16).toString('hex');
      await setUpService(admin, service, password);
      dsns[service] = dsnFor(adminDsn, service, password);
    }
    return dsns;
  } finally {
    await admin.close();
  }
}
