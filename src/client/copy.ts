/**
 * COPY's public options and the statement text built from them. Identifiers are always quoted; option values
 * are string constants pgjet writes itself (E'…' when a backslash makes the escape form necessary), and a
 * `where` condition is SQL the caller wrote, as in asyncpg.
 */
import type { Readable, Writable } from 'node:stream';
import { InterfaceError } from '../errors/index.js';
import { quoteIdentifier } from './sql.js';

/** COPY's data formats. */
export type CopyFormat = 'text' | 'csv' | 'binary';

/** Where `copyToTable` reads: a Readable, an (async) iterable of chunks, or a file path. */
export type CopySource = Readable | AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string> | string;

/**
 * Where COPY out data goes: a Writable (ended before the call resolves), a file path (created or truncated),
 * or a function called with each chunk (awaited when it returns a promise).
 */
export type CopyOutput = Writable | string | ((chunk: Buffer) => void | Promise<void>);

/** Limits shared by every COPY call. */
export interface CopyLimits {
  /** Milliseconds for the whole call; default the connection's `commandTimeout`. */
  timeout?: number;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** COPY's format options (PostgreSQL docs, COPY, "Parameters"). */
export interface CopyFormatOptions extends CopyLimits {
  /** `'text'` (the default), `'csv'` or `'binary'`. */
  format?: CopyFormat;
  /** Column separator: one single-byte character (tab in text, comma in CSV by default). */
  delimiter?: string;
  /** The string that stands for NULL. */
  null?: string;
  /** CSV/text header line: `true`, or `'match'` (PostgreSQL 15+) to check the names on input. */
  header?: boolean | 'match';
  /** CSV quote character. */
  quote?: string;
  /** CSV escape character. */
  escape?: string;
  /** CSV output: quote these columns' non-NULL values (`'*'`: every column). */
  forceQuote?: readonly string[] | '*';
  /** CSV input: never match these columns against the NULL string. */
  forceNotNull?: readonly string[] | '*';
  /** CSV input: match these columns against the NULL string even when quoted. */
  forceNull?: readonly string[] | '*';
  /** The data's encoding, when not the client encoding (UTF-8). */
  encoding?: string;
}

/** Options of `copyToTable`. */
export interface CopyToTableOptions extends CopyFormatOptions {
  /** The data. */
  source: CopySource;
  /** Target columns, in the data's order; default every column. */
  columns?: readonly string[];
  /** The table's schema; default the search path. */
  schemaName?: string;
  /** COPY FREEZE. */
  freeze?: boolean;
  /** Keep only rows matching this SQL condition (COPY … WHERE). */
  where?: string;
  /** `'ignore'` skips rows with malformed values (PostgreSQL 17+); default `'stop'`. */
  onError?: 'stop' | 'ignore';
}

/** Options of `copyRecordsToTable`. */
export interface CopyRecordsOptions extends CopyLimits {
  /** Arrays in column order (or objects keyed by column name) from an array, iterable or async iterable. */
  records: Iterable<unknown> | AsyncIterable<unknown>;
  /** Target columns, in the records' order; default every column except generated ones. */
  columns?: readonly string[];
  /** The table's schema; default the search path. */
  schemaName?: string;
  /** Keep only rows matching this SQL condition (COPY … WHERE). */
  where?: string;
}

/** Options of `copyFromTable`. */
export interface CopyFromTableOptions extends CopyFormatOptions {
  /** Where the data goes. */
  output: CopyOutput;
  /** Columns to copy; default every column. */
  columns?: readonly string[];
  /** The table's schema; default the search path. */
  schemaName?: string;
}

/** Options of `copyFromQuery`. */
export interface CopyFromQueryOptions extends CopyFormatOptions {
  /** Where the data goes. */
  output: CopyOutput;
}

/** A string constant for a COPY option. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new InterfaceError('a COPY option cannot contain a NUL character');
  const doubled = value.replaceAll("'", "''");
  // With a backslash, E'…' means the same whatever standard_conforming_strings says.
  return value.includes('\\') ? `E'${doubled.replaceAll('\\', '\\\\')}'` : `'${doubled}'`;
}

/** `"schema"."table"` or `"table"`. The table name is one identifier (a dot is part of the name), as in asyncpg. */
export function qualifiedTable(table: string, schemaName?: string): string {
  if (typeof table !== 'string' || table.length === 0) throw new InterfaceError('the table name must be a non-empty string');
  if (schemaName !== undefined && typeof schemaName !== 'string') throw new InterfaceError('schemaName must be a string');
  return schemaName === undefined ? quoteIdentifier(table) : `${quoteIdentifier(schemaName)}.${quoteIdentifier(table)}`;
}

/** ` ("a", "b")`, or '' for no list. */
export function columnList(columns: readonly string[] | undefined): string {
  if (columns === undefined) return '';
  if (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string')) throw new InterfaceError('columns must be an array of column names');
  if (columns.length === 0) throw new InterfaceError('columns must name at least one column');
  return ` (${columns.map(quoteIdentifier).join(', ')})`;
}

function columnsOrAll(value: readonly string[] | '*'): string {
  return value === '*' ? '*' : `(${value.map(quoteIdentifier).join(', ')})`;
}

function stringOption(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new InterfaceError(`the COPY option ${name} must be a string`);
  return `${name} ${quoteLiteral(value)}`;
}

/** The ` WITH (…)` clause for the options given, or ''. */
export function copyOptionsClause(opts: CopyFormatOptions & { freeze?: boolean; onError?: 'stop' | 'ignore' }): string {
  const parts: string[] = [];
  if (opts.format !== undefined) {
    if (opts.format !== 'text' && opts.format !== 'csv' && opts.format !== 'binary') {
      throw new InterfaceError(`COPY format must be 'text', 'csv' or 'binary', not ${JSON.stringify(opts.format)}`);
    }
    parts.push(`FORMAT ${opts.format}`);
  }
  if (opts.freeze !== undefined) parts.push(`FREEZE ${opts.freeze ? 'true' : 'false'}`);
  if (opts.delimiter !== undefined) parts.push(stringOption('DELIMITER', opts.delimiter));
  if (opts.null !== undefined) parts.push(stringOption('NULL', opts.null));
  if (opts.header !== undefined) parts.push(`HEADER ${opts.header === 'match' ? 'match' : opts.header ? 'true' : 'false'}`);
  if (opts.quote !== undefined) parts.push(stringOption('QUOTE', opts.quote));
  if (opts.escape !== undefined) parts.push(stringOption('ESCAPE', opts.escape));
  if (opts.forceQuote !== undefined) parts.push(`FORCE_QUOTE ${columnsOrAll(opts.forceQuote)}`);
  if (opts.forceNotNull !== undefined) parts.push(`FORCE_NOT_NULL ${columnsOrAll(opts.forceNotNull)}`);
  if (opts.forceNull !== undefined) parts.push(`FORCE_NULL ${columnsOrAll(opts.forceNull)}`);
  if (opts.encoding !== undefined) parts.push(stringOption('ENCODING', opts.encoding));
  if (opts.onError !== undefined) {
    if (opts.onError !== 'stop' && opts.onError !== 'ignore') throw new InterfaceError("onError must be 'stop' or 'ignore'");
    parts.push(`ON_ERROR ${opts.onError}`);
  }
  return parts.length === 0 ? '' : ` WITH (${parts.join(', ')})`;
}

/** ` WHERE <condition>`, or ''. */
export function whereClause(where: string | undefined): string {
  if (where === undefined) return '';
  if (typeof where !== 'string' || where.trim().length === 0) throw new InterfaceError('where must be a non-empty SQL condition');
  return ` WHERE ${where}`;
}

/** The row count of a COPY tag ('COPY 42' → 42). */
export function copyTagCount(tag: string): number {
  const n = Number(tag.slice(tag.lastIndexOf(' ') + 1));
  return Number.isInteger(n) ? n : 0;
}
