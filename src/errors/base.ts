/** Options every pgjet error accepts. */
export interface PgjetErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** True when nothing of the failed call reached the server, so it can be retried as is. */
  safeToRetry?: boolean;
}

/** The base of every error pgjet throws. */
export class PgjetError extends Error {
  /** True when nothing of the failed call reached the server: retrying cannot apply it twice. */
  safeToRetry: boolean;

  /** @param message what went wrong, for a human. */
  constructor(message: string, options: PgjetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.safeToRetry = options.safeToRetry ?? false;
  }

  /** Every subclass reports its own class name without having to set it. */
  override get name(): string {
    return this.constructor.name;
  }
}

/** Misuse of the API: wrong argument count, a released connection, a closed pool, a finished transaction. */
export class InterfaceError extends PgjetError {}

/** A value that cannot be encoded for a parameter or decoded from a column. */
export class DataError extends PgjetError {}

/** The socket could not be opened, was reset, or TLS failed. Carries the host and port in its message. */
export class ConnectionError extends PgjetError {
  /** The host that failed, when known. */
  host: string | undefined;
  /** The port that failed, when known. */
  port: number | undefined;

  /** @param message the reason; host and port are appended by the caller. */
  constructor(message: string, options: PgjetErrorOptions & { host?: string; port?: number } = {}) {
    super(message, options);
    this.host = options.host;
    this.port = options.port;
  }
}

/**
 * The connection was lost after COMMIT was sent and before its answer arrived: the server may have committed
 * the transaction or not, and nothing on the client can tell which. Check the data (or an idempotency key)
 * before retrying; `safeToRetry` is false.
 */
export class CommitOutcomeUnknownError extends ConnectionError {}

/** An authentication failure detected by the client (bad SCRAM signature, refused channel binding). */
export class AuthenticationError extends PgjetError {}

/** Unexpected bytes from the server; the connection is closed rather than risk a desynchronised stream. */
export class ProtocolError extends PgjetError {}

/** A call that exceeded its timeout. */
export class TimeoutError extends PgjetError {}

/** No pooled connection became available within `acquireTimeout`. */
export class PoolTimeoutError extends TimeoutError {}

/** A call aborted through its `AbortSignal`; `cause` is the signal's reason. */
export class AbortError extends PgjetError {}

/** A cached statement became invalid (schema change) where pgjet could not re-prepare it safely. */
export class InvalidCachedStatementError extends PgjetError {}
