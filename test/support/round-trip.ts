/**
 * The round-trip helper of the type tests (docs/ARCHITECTURE.md "Tests": every codec case in every mode).
 *
 * A case runs in four modes, (cached prepared × unnamed statement) × (binary × text format):
 * - value → `SELECT $1::type` → the decoded value must deep-equal the expected JS value;
 * - SQL literal → `SELECT 'literal'::type` → the decoded value must deep-equal the expected JS value;
 * - both are also compared with the server's own text output of the same value (per-query `types` override
 *   `'text'`, which hands back what the type's output function printed): a string-valued type must decode to
 *   exactly that text, other types are checked through a `text` function or an expected text.
 *
 * ```ts
 * const conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
 * await roundTrip(conns, 'date', '0044-03-15 BC');
 * await roundTrip(conns, 'int4', 7, { literal: '7', text: '7' });
 * await literalTrip(conns, 'timestamptz', '2024-01-01 00:00+05:45', new Date('2023-12-31T18:15:00Z'));
 * ```
 * A failure names the mode, the SQL type and the value.
 */
import { expect } from 'vitest';
import { connect, type ConnectOptions, type Connection } from '../../src/index.js';
import { testDsn } from './env.js';

/** The two connections a case runs on: one caching named statements, one using only the unnamed statement. */
export interface RoundTripConns {
  /** Default connection: auto-prepared named statements in an LRU. */
  cached: Connection;
  /** `statementCacheSize: 0`: every query parses the unnamed statement. */
  unnamed: Connection;
}

/** {@link RoundTripConns} that close together. */
export interface OpenRoundTripConns extends RoundTripConns {
  /** Closes both connections. */
  close(): Promise<void>;
}

/** Opens the connection pair on the test server; `options` apply to both (the unnamed one gets cache size 0). */
export async function openRoundTripConns(options: ConnectOptions = {}): Promise<OpenRoundTripConns> {
  const cached = await connect(testDsn(), options);
  const unnamed = await connect(testDsn(), { ...options, statementCacheSize: 0 });
  return {
    cached,
    unnamed,
    close: async () => {
      await Promise.all([cached.close(), unnamed.close()]);
    },
  };
}

/** One of the four modes. */
export interface Mode {
  /** `'cached/binary'`, `'unnamed/text'`, … */
  readonly name: string;
  /** Which connection of the pair. */
  readonly statement: keyof RoundTripConns;
  /** The `format` query option. */
  readonly format: 'binary' | 'text';
}

/** Every mode, cached binary first. */
export const MODES: readonly Mode[] = [
  { name: 'cached/binary', statement: 'cached', format: 'binary' },
  { name: 'cached/text', statement: 'cached', format: 'text' },
  { name: 'unnamed/binary', statement: 'unnamed', format: 'binary' },
  { name: 'unnamed/text', statement: 'unnamed', format: 'text' },
];

/**
 * Both formats on the caching connection: what fast-check properties run, so that a few hundred cases stay
 * fast (the statement kind does not change how values are encoded; the edge-value tests cover both kinds).
 */
export const FORMAT_MODES: readonly Mode[] = MODES.filter((m) => m.statement === 'cached');

/**
 * How to compare a value with the server's text output of it:
 * - a string: the server must print exactly that;
 * - a function: it turns the server's text into a JS value that must deep-equal the expected value;
 * - `false`: no text comparison (the value has no canonical text in JS terms, e.g. a parsed JSON document);
 * - omitted: when the expected value is a string (or null), the server's text must equal it; otherwise the
 *   text comparison is left to text mode, whose decoder reads the server's text.
 */
export type TextCheck = string | ((serverText: string) => unknown) | false;

/** Options of {@link roundTrip}. */
export interface RoundTripOptions {
  /** The decoded value to expect; defaults to the value sent. */
  expected?: unknown;
  /** A SQL literal of the same value, checked with {@link literalTrip} too. */
  literal?: string;
  /** How the server's text output must relate to the expected value (see {@link TextCheck}). */
  text?: TextCheck;
  /** Modes to run (default {@link MODES}), e.g. binary only for a type the text format cannot send. */
  modes?: readonly Mode[];
}

/** A short, safe description of a JS value for failure messages (bigints, Dates, Buffers, -0). */
export function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, replacer);
  } catch {
    text = String(value); // circular
  }
  const out = text ?? String(value);
  return out.length > 300 ? `${out.slice(0, 300)}… (${out.length} chars)` : out;
}

/** JSON.stringify replacer for {@link show}: reads the raw value, before `toJSON` turned Dates and Buffers into strings. */
function replacer(this: unknown, key: string, v: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return `${raw}n`;
  if (typeof raw === 'number' && !Number.isFinite(raw)) return String(raw);
  if (Object.is(raw, -0)) return '-0';
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? 'Invalid Date' : `Date(${raw.toISOString()})`;
  if (Buffer.isBuffer(raw)) return `Buffer<${raw.length > 64 ? `${raw.subarray(0, 64).toString('hex')}… ${raw.length} bytes` : raw.toString('hex')}>`;
  if (raw === undefined) return 'undefined';
  return v;
}

/** Quotes a string as a SQL literal (standard_conforming_strings is on: only `'` needs doubling). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Runs one query in a mode and returns the first column of the first row, with the column's type OID. */
async function fetchOne(conns: RoundTripConns, mode: Mode, sql: string, args: readonly unknown[], overrideText: boolean): Promise<{ value: unknown; oid: number }> {
  const conn = conns[mode.statement];
  const first = await conn.query<unknown[]>(sql, args, { format: mode.format, rowMode: 'array' });
  const oid = first.columns[0].typeOid;
  if (!overrideText) return { value: first.rows[0][0], oid };
  const again = await conn.query<unknown[]>(sql, args, { format: mode.format, rowMode: 'array', types: { [oid]: 'text' } });
  return { value: again.rows[0][0], oid };
}

/**
 * `expect(actual).toEqual(expected)`, except that two Buffers are compared with `Buffer.equals` first: vitest's
 * deep equality walks a 1 MB Buffer element by element for seconds.
 */
export function expectDeepEqual(actual: unknown, expected: unknown, message: string): void {
  if (Buffer.isBuffer(actual) && Buffer.isBuffer(expected) && actual.equals(expected)) return;
  expect(actual, message).toEqual(expected);
}

/** Checks the server's text against the expected value as {@link TextCheck} says. */
function checkText(label: string, serverText: unknown, expected: unknown, check: TextCheck | undefined): void {
  if (check === false) return;
  if (expected === null && typeof check !== 'string') {
    expect(serverText, `${label}: server text of NULL`).toBeNull();
    return;
  }
  expect(typeof serverText, `${label}: the 'text' override returns a string`).toBe('string');
  if (typeof check === 'string') expect(serverText, `${label}: server text`).toBe(check);
  else if (typeof check === 'function') expectDeepEqual(check(serverText as string), expected, `${label}: decoded server text ${show(serverText)}`);
  else if (typeof expected === 'string') expect(expected, `${label}: decoded value vs the server's text`).toBe(serverText);
}

/**
 * Runs `sql` (one column) with `args` in every mode: the decoded value must deep-equal `expected`, and the
 * server's text of it must pass `text`. `label` names the case in failures.
 */
export async function sqlTrip(
  conns: RoundTripConns,
  label: string,
  sql: string,
  args: readonly unknown[],
  expected: unknown,
  options: { text?: TextCheck; modes?: readonly Mode[] } = {},
): Promise<void> {
  for (const mode of options.modes ?? MODES) {
    const where = `[${mode.name}] ${label}`;
    let decoded: { value: unknown; oid: number };
    let asText: { value: unknown; oid: number };
    try {
      decoded = await fetchOne(conns, mode, sql, args, false);
      // With no text check there is no need for the server's text.
      asText = options.text === false ? decoded : await fetchOne(conns, mode, sql, args, true);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
    }
    expectDeepEqual(decoded.value, expected, `${where}: decoded value`);
    checkText(where, asText.value, expected, options.text);
  }
}

/** value → `SELECT $1::type` → value, in every mode (see the module comment); then the literal, if given. */
export async function roundTrip(conns: RoundTripConns, type: string, value: unknown, options: RoundTripOptions = {}): Promise<void> {
  const expected = 'expected' in options ? options.expected : value;
  const label = `${type} value ${show(value)}`;
  await sqlTrip(conns, label, `SELECT $1::${type} AS v`, [value], expected, options);
  if (options.literal !== undefined) await literalTrip(conns, type, options.literal, expected, options);
}

/** SQL literal → `SELECT 'literal'::type` → value, in every mode, compared with the server's text of it. */
export async function literalTrip(
  conns: RoundTripConns,
  type: string,
  literal: string,
  expected: unknown,
  options: { text?: TextCheck; modes?: readonly Mode[] } = {},
): Promise<void> {
  await sqlTrip(conns, `${type} literal ${quoteLiteral(literal)}`, `SELECT ${quoteLiteral(literal)}::${type} AS v`, [], expected, options);
}
