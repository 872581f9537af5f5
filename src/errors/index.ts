/**
 * The errors module's public surface: other folders import from here, never from the files behind it.
 */
export {
  AbortError,
  AuthenticationError,
  CommitOutcomeUnknownError,
  ConnectionError,
  DataError,
  InterfaceError,
  InvalidCachedStatementError,
  PgjetError,
  PoolTimeoutError,
  ProtocolError,
  TimeoutError,
  type PgjetErrorOptions,
} from './base.js';
export { withCallerStack } from './caller-stack.js';
export { DatabaseError, type DatabaseErrorFields, type DatabaseErrorOptions } from './database-error.js';
export {
  databaseErrorFromFields,
  errorClassForSqlState,
  noticeFromFields,
  type NoticeMessage,
} from './server-fields.js';
// Every generated class, SqlState, SqlStateCode and errorClassBySqlState.
export * from './sqlstate.generated.js';
// asyncpg and most drivers call 40001 a serialization error; the alias keeps that name working for
// `instanceof` and in type positions alike, which a `const` copy would not.
export { SerializationFailureError as SerializationError } from './sqlstate.generated.js';
