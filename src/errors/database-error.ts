/**
 * The error for a server ErrorResponse. Its subclasses, one per SQLSTATE, are generated into
 * sqlstate.generated.ts; turning the wire fields into the right subclass is server-fields.ts's job (kept
 * apart because it needs the generated classes, which need this file: one module would be an import cycle).
 */
import { PgjetError, type PgjetErrorOptions } from './base.js';

/**
 * The fields of an ErrorResponse or NoticeResponse, named (protocol docs, "Error and Notice Message
 * Fields"). Fields the server did not send are `undefined`.
 */
export interface DatabaseErrorFields {
  /**
   * ERROR, FATAL, PANIC (errors) or WARNING, NOTICE, DEBUG, INFO, LOG (notices), never translated: the 'V'
   * field, or 'S' from servers before 9.6 that do not send 'V'.
   */
  severity: string;
  /** The severity in the server's `lc_messages` language ('S'); equals `severity` when untranslated. */
  localizedSeverity?: string | undefined;
  /** The SQLSTATE ('C'), e.g. '23505'; compare with `SqlState`. */
  code: string;
  /** The primary message ('M'). */
  message: string;
  /** Secondary detail ('D'), possibly several lines. */
  detail?: string | undefined;
  /** A suggestion what to do ('H'). */
  hint?: string | undefined;
  /** 1-based character (not byte) index into the query where the error is ('P'). */
  position?: number | undefined;
  /** Like `position`, but into `internalQuery` ('p'). */
  internalPosition?: number | undefined;
  /** An internally generated command that failed, such as a PL/pgSQL function's query ('q'). */
  internalQuery?: string | undefined;
  /** The call stack context, one line per level, most recent first ('W'). */
  where?: string | undefined;
  /** Schema of the object the error concerns ('s'). */
  schema?: string | undefined;
  /** Table of the object the error concerns ('t'). */
  table?: string | undefined;
  /** Column the error concerns ('c'); `table` then names its table. */
  column?: string | undefined;
  /** Data type the error concerns ('d'). */
  dataType?: string | undefined;
  /** Constraint the error concerns ('n'). */
  constraint?: string | undefined;
  /** Server source file that reported the error ('F'). */
  file?: string | undefined;
  /** Line in `file` ('L'). */
  line?: number | undefined;
  /** Server source routine that reported the error ('R'). */
  routine?: string | undefined;
}

/** Options of a {@link DatabaseError} besides the server's fields. */
export interface DatabaseErrorOptions extends PgjetErrorOptions {
  /** The SQL text that failed, when the caller knows it; `position` points into it. */
  query?: string | undefined;
}

/**
 * An error the server reported (ErrorResponse). Catch a generated subclass such as `UniqueViolationError`,
 * or compare `code` with `SqlState`. `message` is the server's primary message.
 */
export class DatabaseError extends PgjetError {
  /** The SQLSTATE a generated subclass stands for; `undefined` on DatabaseError itself. */
  static readonly code: string | undefined = undefined;

  /** {@inheritDoc DatabaseErrorFields.severity} */
  readonly severity: string;
  /** {@inheritDoc DatabaseErrorFields.localizedSeverity} */
  readonly localizedSeverity: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.code} */
  readonly code: string;
  /** {@inheritDoc DatabaseErrorFields.detail} */
  readonly detail: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.hint} */
  readonly hint: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.position} */
  readonly position: number | undefined;
  /** {@inheritDoc DatabaseErrorFields.internalPosition} */
  readonly internalPosition: number | undefined;
  /** {@inheritDoc DatabaseErrorFields.internalQuery} */
  readonly internalQuery: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.where} */
  readonly where: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.schema} */
  readonly schema: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.table} */
  readonly table: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.column} */
  readonly column: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.dataType} */
  readonly dataType: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.constraint} */
  readonly constraint: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.file} */
  readonly file: string | undefined;
  /** {@inheritDoc DatabaseErrorFields.line} */
  readonly line: number | undefined;
  /** {@inheritDoc DatabaseErrorFields.routine} */
  readonly routine: string | undefined;
  /** The SQL text that failed, when known. */
  readonly query: string | undefined;

  /**
   * @param fields the server's fields, already named (see `databaseErrorFromFields` for raw ones).
   * @param options the failed query, and the usual `cause` / `safeToRetry` (false: the server saw the call).
   */
  constructor(fields: DatabaseErrorFields, options: DatabaseErrorOptions = {}) {
    super(fields.message, options);
    // Every field is assigned, present or not, so all instances share one shape.
    this.severity = fields.severity;
    this.localizedSeverity = fields.localizedSeverity;
    this.code = fields.code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.internalPosition = fields.internalPosition;
    this.internalQuery = fields.internalQuery;
    this.where = fields.where;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
    this.file = fields.file;
    this.line = fields.line;
    this.routine = fields.routine;
    this.query = options.query;
  }
}
