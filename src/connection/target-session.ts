/**
 * `targetSessionAttrs` (libpq's target_session_attrs): whether a freshly opened session is on an acceptable
 * server. PostgreSQL 14+ reports `in_hot_standby` and `default_transaction_read_only` as ParameterStatus at
 * startup, so the answer costs nothing; older servers (and poolers that do not relay those parameters) are
 * asked with the queries libpq uses.
 *
 * Meanings, as in libpq:
 * - `read-write`: accepts writes by default: not a hot standby and `default_transaction_read_only` off;
 * - `read-only`: the opposite (a standby, or a primary with `default_transaction_read_only` on);
 * - `primary` / `standby`: not in / in hot standby, whatever the read-only default;
 * - `prefer-standby`: a standby if any host is one, else any server (decided by the connector, which needs
 *   to see every host first: see {@link isStandby}).
 */
import type { TargetSessionAttrs } from './config-types.js';
import type { Session } from './session.js';

async function askOnOff(session: Session, sql: string): Promise<boolean> {
  const res = await session.simple(sql, 'array').promise;
  const row = res.rows[0] as unknown[] | undefined;
  return row?.[0] === 'on' || row?.[0] === true || row?.[0] === 't';
}

/** True when the server is in hot standby (recovery), from `in_hot_standby` or `pg_is_in_recovery()`. */
export async function isStandby(session: Session): Promise<boolean> {
  const reported = session.wire.parameters.get('in_hot_standby');
  if (reported !== undefined) return reported === 'on';
  return askOnOff(session, "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'on' ELSE 'off' END");
}

/**
 * True when a transaction started now would be read-only by default. With both parameters reported, that is
 * `in_hot_standby` or `default_transaction_read_only`; otherwise `SHOW transaction_read_only`, which a
 * standby answers `on` whatever its default.
 */
export async function isReadOnly(session: Session): Promise<boolean> {
  const standby = session.wire.parameters.get('in_hot_standby');
  const readOnlyDefault = session.wire.parameters.get('default_transaction_read_only');
  if (standby !== undefined && readOnlyDefault !== undefined) return standby === 'on' || readOnlyDefault === 'on';
  return askOnOff(session, 'SHOW transaction_read_only');
}

/**
 * True when the session's server satisfies `attrs`. `prefer-standby` accepts any server here: the connector
 * prefers a standby by trying every host before settling for one that is not.
 */
export async function matchesTargetSessionAttrs(session: Session, attrs: TargetSessionAttrs): Promise<boolean> {
  switch (attrs) {
    case 'any':
    case 'prefer-standby':
      return true;
    case 'read-write':
      return !(await isReadOnly(session));
    case 'read-only':
      return await isReadOnly(session);
    case 'primary':
      return !(await isStandby(session));
    case 'standby':
      return await isStandby(session);
  }
}

/** What a host that did not match is called in the final error ("not a read-write server"). */
export function describeMismatch(attrs: TargetSessionAttrs): string {
  switch (attrs) {
    case 'read-write':
      return 'server is read-only (target_session_attrs=read-write)';
    case 'read-only':
      return 'server accepts writes (target_session_attrs=read-only)';
    case 'primary':
      return 'server is a standby (target_session_attrs=primary)';
    case 'standby':
    case 'prefer-standby':
      return 'server is not a standby (target_session_attrs=standby)';
    case 'any':
      return 'server was not acceptable';
  }
}
