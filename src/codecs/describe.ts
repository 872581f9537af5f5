import { CodecError } from './types.js';

/**
 * A short, human description of a JS value for error messages: strings quoted and cut at 40 characters, and
 * objects named by their kind rather than dumped (a parameter may be large or sensitive).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `'${value.slice(0, 40)}…'` : `'${value}'`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `an array of length ${value.length}`;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
      if (value instanceof Uint8Array) return `${value.constructor.name} of ${value.length} bytes`;
      return `an object (${(value as object).constructor?.name ?? 'null prototype'})`;
  }
}

/** `expected <what>, got <value>`: the common reason for a JS value of the wrong kind. */
export function expected(what: string, value: unknown): CodecError {
  return new CodecError(`expected ${what}, got ${describeValue(value)}`);
}

/** A binary value whose size does not fit its type's fixed layout. */
export function badLength(type: string, length: number, wanted: number | string): CodecError {
  return new CodecError(`binary ${type} value has ${length} bytes, expected ${wanted}`);
}

/** A variable-length binary value that ends before its declared content does. */
export function truncated(type: string): CodecError {
  return new CodecError(`truncated binary ${type} value`);
}

/** A text value that the type's output format cannot have produced. */
export function badText(type: string, text: string): CodecError {
  return new CodecError(`invalid ${type} text ${describeValue(text)}`);
}
