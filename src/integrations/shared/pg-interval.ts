/**
 * node-postgres' interval value (postgres-interval 1.x): an object with only the non-zero parts among
 * `years`, `months`, `days`, `hours`, `minutes`, `seconds` and `milliseconds` as own properties (so
 * `deepEqual` against `{ days: 1 }` holds), and `toPostgres()`, `toISO()` / `toISOString()` on its prototype.
 */

const UNITS = ['seconds', 'minutes', 'hours', 'days', 'months', 'years'] as const;
const NUMBER = '([+-]?\\d+)';
const INTERVAL = new RegExp(
  [`${NUMBER}\\s+years?`, `${NUMBER}\\s+mons?`, `${NUMBER}\\s+days?`, '([+-])?([\\d]*):(\\d\\d):(\\d\\d)\\.?(\\d{1,6})?']
    .map((part) => `(${part})?`)
    .join('\\s*'),
);
/** Capture group of each part in {@link INTERVAL}; the time's sign is group 8. */
const GROUPS = { years: 2, months: 4, days: 6, hours: 9, minutes: 10, seconds: 11, milliseconds: 12 } as const;
const TIME_PARTS = new Set(['hours', 'minutes', 'seconds', 'milliseconds']);

/** An interval as node-postgres returns it (IntervalStyle `postgres` text parsed). */
export class PostgresInterval {
  /** Whole years. */
  declare years?: number;
  /** Months beyond the years. */
  declare months?: number;
  /** Days. */
  declare days?: number;
  /** Hours. */
  declare hours?: number;
  /** Minutes. */
  declare minutes?: number;
  /** Whole seconds. */
  declare seconds?: number;
  /** The fraction of a second, in milliseconds (microsecond precision, so possibly fractional). */
  declare milliseconds?: number;

  /** @param raw the server's text form, e.g. `'1 year 2 mons 3 days 04:05:06.789'`. */
  constructor(raw?: string) {
    if (!raw) return;
    const m = INTERVAL.exec(raw);
    if (m === null) return;
    const negative = m[8] === '-';
    for (const [unit, group] of Object.entries(GROUPS)) {
      const text = m[group];
      if (!text) continue;
      let value = unit === 'milliseconds' ? parseInt(text.padEnd(6, '0'), 10) / 1000 : parseInt(text, 10);
      if (!value) continue;
      if (negative && TIME_PARTS.has(unit)) value = -value;
      (this as unknown as Record<string, number>)[unit] = value;
    }
  }

  /** The interval as PostgreSQL input (`'1 years 2 days 3.5 seconds'`), for use as a parameter. */
  toPostgres(): string {
    const parts: string[] = UNITS.filter((u) => Object.prototype.hasOwnProperty.call(this, u));
    if (this.milliseconds && !parts.includes('seconds')) parts.push('seconds');
    if (parts.length === 0) return '0';
    return parts
      .map((unit) => {
        let value: number | string = (this as unknown as Record<string, number | undefined>)[unit] ?? 0;
        if (unit === 'seconds' && this.milliseconds) value = (value + this.milliseconds / 1000).toFixed(6).replace(/\.?0+$/, '');
        return `${value} ${unit}`;
      })
      .join(' ');
  }

  /** ISO 8601 duration, e.g. `'P1Y2M3DT4H5M6.789S'`. */
  toISO(): string {
    const part = (unit: (typeof UNITS)[number], letter: string): string => {
      let value: number | string = this[unit] ?? 0;
      if (unit === 'seconds' && this.milliseconds) value = (value + this.milliseconds / 1000).toFixed(6).replace(/0+$/, '');
      return `${value}${letter}`;
    };
    return `P${part('years', 'Y')}${part('months', 'M')}${part('days', 'D')}T${part('hours', 'H')}${part('minutes', 'M')}${part('seconds', 'S')}`;
  }

  /** Same as {@link toISO}. */
  toISOString(): string {
    return this.toISO();
  }
}

/** The interval parser pg-types registers for OID 1186. */
export function parseInterval(text: string): PostgresInterval {
  return new PostgresInterval(text);
}
