/**
 * The users service's HTTP layer on Fastify: POST /users (user + audit-log entry in one transaction),
 * GET /users?ids=1,2,3 (one `= ANY($1)` query), GET /health (the pool's counters). The data layer is passed
 * in, so the same routes run on pgjet (store.ts) and, for the benchmark, on node-postgres (store-pg.ts).
 *
 * Errors: bad input is a 400 saying what is wrong; a duplicate email a 409; any other database error a 500
 * whose body says only that, with the SQLSTATE and error class in the log, never the SQL text or the values.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DatabaseError, SqlState } from '../../src/index.js';
import type { UsersStore } from './store.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The data layer; closed (its pool drained) when the app closes. */
  store: UsersStore;
  /** Fastify's logger option (`false` by default). */
  logger?: FastifyServerOptions['logger'];
}

/** int8 columns decode to bigint, which JSON.stringify refuses: the one-line replacer from the README. */
const bigintReplacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/** The most ids one GET /users may ask for. */
const MAX_IDS = 100;
const INT8_MAX = 9223372036854775807n;

/** Parses `ids=1,2,3` into bigints, or says what is wrong with it. */
export function parseIds(raw: unknown): { ids: bigint[] } | { error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') {
    return { error: 'query parameter "ids" is required: a comma-separated list of user ids, e.g. ?ids=1,2,3' };
  }
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > MAX_IDS) return { error: `at most ${MAX_IDS} ids per request (got ${parts.length})` };
  const ids: bigint[] = [];
  for (const part of parts) {
    const id = /^[1-9][0-9]{0,18}$/.test(part) ? BigInt(part) : undefined;
    if (id === undefined || id > INT8_MAX) {
      return { error: `"ids" must be positive integers separated by commas; ${JSON.stringify(part.slice(0, 40))} is not one` };
    }
    ids.push(id);
  }
  return { ids };
}

/**
 * The SQLSTATE of a database error: pgjet's `DatabaseError` carries it as `code`; so does node-postgres'
 * error (the benchmark's pg variant). Undefined for anything that is not a server error.
 */
function sqlStateOf(err: unknown): string | undefined {
  if (err instanceof DatabaseError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** JSON schema of POST /users: Fastify answers 400 with a clear message when the body does not match. */
const createUserSchema = {
  body: {
    type: 'object',
    required: ['name', 'email'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      email: { type: 'string', minLength: 3, maxLength: 200, pattern: '^[^@\\s]+@[^@\\s]+$' },
    },
  },
} as const;

/**
 * Builds the service. Closing it (`app.close()`) closes the store, which drains the pool.
 * @example const app = buildApp({ store: createPgjetStore(createUsersPool(dsn)) }); await app.listen({ port: 3000 });
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const { store } = options;
  const app = Fastify({ logger: options.logger ?? false });
  app.setReplySerializer((payload) => JSON.stringify(payload, bigintReplacer));
  app.addHook('onClose', async () => {
    await store.close();
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation !== undefined) {
      return reply.code(400).send({ error: 'Bad Request', message: err.message });
    }
    const sqlstate = sqlStateOf(err);
    if (sqlstate === SqlState.uniqueViolation) {
      return reply.code(409).send({ error: 'Conflict', message: 'a user with this email already exists' });
    }
    // The log gets what identifies the failure; the SQL text (DatabaseError.query), the detail (which quotes
    // values) and the parameters stay out of it, and the response says nothing about the database at all.
    request.log.error({ sqlstate, errorClass: err.name, constraint: (err as { constraint?: unknown }).constraint }, sqlstate === undefined ? 'request failed' : 'database error');
    return reply.code(500).send({ error: 'Internal Server Error', message: 'the request could not be completed', requestId: request.id });
  });

  app.post<{ Body: { name: string; email: string } }>('/users', { schema: createUserSchema }, async (request, reply) => {
    const actor = typeof request.headers['x-actor'] === 'string' ? request.headers['x-actor'].slice(0, 100) : 'anonymous';
    const user = await store.createUser(request.body, actor);
    return reply.code(201).send({ user });
  });

  app.get<{ Querystring: { ids?: string } }>('/users', async (request, reply) => {
    const parsed = parseIds(request.query.ids);
    if ('error' in parsed) return reply.code(400).send({ error: 'Bad Request', message: parsed.error });
    return { users: await store.usersByIds(parsed.ids) };
  });

  app.get('/health', async (request, reply) => {
    try {
      return { status: 'ok', pool: await store.health() };
    } catch (err) {
      request.log.warn({ sqlstate: sqlStateOf(err), errorClass: (err as Error).name }, 'health check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  return app;
}
