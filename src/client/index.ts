export { Connection, connect, type ConnectionEvents } from './connection.js';
export { PreparedStatement } from './prepared.js';
export { sql, SqlFragment, isSqlFragment, quoteIdentifier, type SqlTag } from './sql.js';
export type { QueryText } from './query.js';
export type { QueryOptions, FetchValOptions, QueryResult, Row, TypeOverride, ColumnInfo } from './types.js';
export { Transaction, type TransactionBody, type TransactionOptions, type IsolationLevel, type TransactionState } from './transaction.js';
