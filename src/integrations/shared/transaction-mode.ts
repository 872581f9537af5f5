/**
 * Transaction settings as Kysely and Drizzle spell them ('repeatable read', 'read only', deferrable), turned
 * into pgjet's `TransactionOptions`. pgjet's BEGIN only spells out what differs from the server defaults
 * (`readOnly: false` and `deferrable: false` add nothing, as in asyncpg); the tools promise the explicit
 * forms, which matter when `default_transaction_read_only` or `default_transaction_deferrable` is on, so
 * those come back as a `SET TRANSACTION` to run first inside the transaction.
 */
import { InterfaceError, type IsolationLevel, type TransactionOptions } from '../../index.js';

/** The settings both tools use (Drizzle's `PgTransactionConfig`, Kysely's `TransactionSettings`). */
export interface ToolTransactionSettings {
  /** 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable' (Kysely also has 'snapshot'). */
  isolationLevel?: string;
  /** 'read only' | 'read write'. */
  accessMode?: string;
  /** DEFERRABLE / NOT DEFERRABLE. */
  deferrable?: boolean;
}

const ISOLATION: Readonly<Record<string, IsolationLevel>> = {
  'read uncommitted': 'read_uncommitted',
  'read committed': 'read_committed',
  'repeatable read': 'repeatable_read',
  serializable: 'serializable',
};

/** pgjet options for BEGIN, and the `SET TRANSACTION` to run right after it (or null). */
export function transactionMode(settings: ToolTransactionSettings | undefined): { options: TransactionOptions; setTransaction: string | null } {
  const options: TransactionOptions = {};
  const explicit: string[] = [];
  if (settings === undefined) return { options, setTransaction: null };
  const { isolationLevel, accessMode, deferrable } = settings;
  if (isolationLevel !== undefined) {
    const level = Object.hasOwn(ISOLATION, isolationLevel) ? ISOLATION[isolationLevel] : undefined;
    if (level === undefined) throw new InterfaceError(`PostgreSQL has no isolation level ${JSON.stringify(isolationLevel)}`);
    options.isolation = level;
  }
  if (accessMode === 'read only') options.readOnly = true;
  else if (accessMode === 'read write') explicit.push('READ WRITE');
  else if (accessMode !== undefined) throw new InterfaceError(`unknown transaction access mode ${JSON.stringify(accessMode)}`);
  if (deferrable === true) options.deferrable = true;
  else if (deferrable === false) explicit.push('NOT DEFERRABLE');
  return { options, setTransaction: explicit.length === 0 ? null : `SET TRANSACTION ${explicit.join(' ')}` };
}
