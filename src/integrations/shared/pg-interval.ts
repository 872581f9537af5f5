/**
 * An `interval` as node-postgres hands it out (the `postgres-interval` object of its default type parsers): own
 * properties `years`, `months`, `days`, `hours`, `minutes`, `seconds`, `milliseconds`, each present only when
 * not zero, and the methods `toPostgres()`, `toISO()` / `toISOString()`. The text parsed is PostgreSQL's
 * default `IntervalStyle` ('postgres'): `1 year 2 mons -3 days -04:05:06.789`, where a sign before the clock
 * part applies to hours, minutes, seconds and the fraction alike.
 */

const UNITS: Readonly<Record<string, 'years' | 'months' | 'days'>> = {
  year: 'years', years: 'years', mon: 'months', mons: 'months', day: 'days', days: 'days',
};
const CLOCK = /^([+-])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;

/** Seconds with the milliseconds folded in, six decimals at most, trailing zeros cut by `trim`. */
function secondsText(seconds: number, milliseconds: number, trim: RegExp): string {
  return (seconds + milliseconds / 1000).toFixed(6).replace(trim, '');
}

/** An interval with node-postgres' shape; see the module comment. */
export class PostgresInterval {
  // `declare`: a field with no value must not become an own property (absent means zero, as in pg).
  declare years?: number;
  declare months?: number;
  declare days?: number;
  declare hours?: number;
  declare minutes?: number;
  declare seconds?: number;
  declare milliseconds?: number;

  /** Parses the server's text; fields that are zero stay absent. */
  constructor(text: string) {
    const words = text.split(' ');
    for (let i = 0; i < words.length; i++) {
      const clock = CLOCK.exec(words[i]);
      if (clock !== null) {
        const sign = clock[1] === '-' ? -1 : 1;
        this.#set('hours', sign * Number(clock[2]));
        this.#set('minutes', sign * Number(clock[3]));
        this.#set('seconds', sign * Number(clock[4]));
        if (clock[5] !== undefined) this.#set('milliseconds', (sign * Number(clock[5].padEnd(6, '0'))) / 1000);
        continue;
      }
      const unit = UNITS[words[i + 1]];
      if (unit !== undefined && /^[+-]?\d+$/.test(words[i])) {
        this.#set(unit, Number(words[i]));
        i++;
      }
    }
  }

  #set(field: 'years' | 'months' | 'days' | 'hours' | 'minutes' | 'seconds' | 'milliseconds', value: number): void {
    if (value !== 0) this[field] = value;
  }

  /**
   * The interval as PostgreSQL input, in pg's order: the fields present from seconds up to years, then the
   * seconds when only a fraction of a second was present (`'2 days 0.5 seconds'`); `'0'` when all are zero.
   */
  toPostgres(): string {
    const fields = (['seconds', 'minutes', 'hours', 'days', 'months', 'years'] as const).filter((f) => Object.hasOwn(this, f));
    if (this.milliseconds !== undefined && !fields.includes('seconds')) fields.push('seconds');
    if (fields.length === 0) return '0';
    return fields
      .map((f) => {
        const value = f === 'seconds' && this.milliseconds !== undefined ? secondsText(this.seconds ?? 0, this.milliseconds, /\.?0+$/) : String(this[f] ?? 0);
        return `${value} ${f}`;
      })
      .join(' ');
  }

  /** ISO 8601 duration with every field spelled out: `P1Y2M3DT4H5M6.7S`. */
  toISO(): string {
    const seconds = this.milliseconds === undefined ? String(this.seconds ?? 0) : secondsText(this.seconds ?? 0, this.milliseconds, /0+$/);
    return `P${this.years ?? 0}Y${this.months ?? 0}M${this.days ?? 0}DT${this.hours ?? 0}H${this.minutes ?? 0}M${seconds}S`;
  }

  /** Same as {@link PostgresInterval.toISO}. */
  toISOString(): string {
    return this.toISO();
  }
}
