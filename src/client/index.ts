export { Connection, connect, type ConnectionEvents } from './connection.js';
export { PreparedStatement } from './prepared.js';
export { sql, SqlFragment, isSqlFragment, quoteIdentifier, type SqlTag } from './sql.js';
export type { QueryText } from './query.js';
export type { QueryOptions, FetchValOptions, QueryResult, Row, RowMode, RowOf, TypeOverride, ColumnInfo } from './types.js';
export { Transaction, type TransactionBody, type TransactionOptions, type IsolationLevel, type TransactionState } from './transaction.js';
export { Cursor, type CursorOptions, type CursorCallOptions } from './cursor.js';
export type {
  CopyFormat,
  CopyFormatOptions,
  CopyFromQueryOptions,
  CopyFromTableOptions,
  CopyLimits,
  CopyOutput,
  CopyRecordsOptions,
  CopySource,
  CopyToTableOptions,
} from './copy.js';
export { clearListeners, listeningChannels, type NotificationCallback } from './notifications.js';
export type { QueryEvent, QueryTraceContext, ConnectTraceContext } from './tracing.js';
export type { CopyRecordError } from '../connection/index.js';
export { CONNECT_OPTION_NAMES, POOL_OPTION_NAMES, rejectUnknownOptions } from '../connection/index.js';
