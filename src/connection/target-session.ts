/**
 * `targetSessionAttrs` (libpq's target_session_attrs): decides whether a server is acceptable from the
 * `in_hot_standby` and `default_transaction_read_only` parameters the server reports (PostgreSQL 14+), or by
 * asking when an older server did not report them.
 */
import type { TargetSessionAttrs } from './config-types.js';
import type { Session } from './session.js';

async function flag(session: Session, name: string, sql: string): Promise<boolean> {
  const reported = session.wire.parameters.get(name);
  if (reported !== undefined) return reported === 'on';
  const res = await session.simple(sql).promise;
  const row = res.rows[0] as Record<string, unknown> | undefined;
  return row !== undefined && Object.values(row)[0] === 'on';
}

/** True when the session's server matches `attrs`. `prefer-standby` is resolved by the caller's host order. */
export async function matchesTargetSessionAttrs(session: Session, attrs: TargetSessionAttrs): Promise<boolean> {
  switch (attrs) {
    case 'any':
    case 'prefer-standby':
      return true;
    case 'read-write':
      return !(await flag(session, 'default_transaction_read_only', 'SHOW transaction_read_only'));
    case 'read-only':
      return await flag(session, 'default_transaction_read_only', 'SHOW transaction_read_only');
    case 'primary':
      return !(await flag(session, 'in_hot_standby', "SELECT CASE WHEN pg_is_in_recovery() THEN 'on' ELSE 'off' END"));
    case 'standby':
      return await flag(session, 'in_hot_standby', "SELECT CASE WHEN pg_is_in_recovery() THEN 'on' ELSE 'off' END");
  }
}
