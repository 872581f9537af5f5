/**
 * The shape of a nested JS array about to become a PostgreSQL array: its dimensions, and a check that it is
 * rectangular (PostgreSQL arrays are; `array_in` rejects "multidimensional arrays must have sub-arrays with
 * matching dimensions").
 */
import { describeValue } from './describe.js';
import { CodecError } from './types.js';

/** MAXDIM in utils/array.h: the most dimensions a PostgreSQL array may have. */
export const MAX_ARRAY_DIMS = 6;

/**
 * Whether `value` is one element rather than a level of nesting. For types whose values are arrays
 * (`hasArrayValues`), an array is an element unless its first non-null item is itself an array, or it holds
 * only NULLs: no value of those types (polygon, lseg, box, int2vector, oidvector, multirange) contains a NULL,
 * so `[null]` is a level of one NULL element, while `[]` stays an (empty) element.
 */
export function isElementValue(value: unknown, hasArrayValues: boolean): boolean {
  if (!Array.isArray(value)) return true;
  if (!hasArrayValues) return false;
  for (const item of value) if (item !== null && item !== undefined) return !Array.isArray(item);
  return value.length === 0;
}

/** Dimensions of a nested array, following the first item at each level; checked later by {@link checkLevel}. */
export function arrayDims(value: unknown[], hasArrayValues: boolean): number[] {
  const dims: number[] = [];
  let level: unknown = value;
  while (!isElementValue(level, hasArrayValues) || level === value) {
    const items = level as unknown[];
    dims.push(items.length);
    if (dims.length > MAX_ARRAY_DIMS) {
      throw new CodecError(`array has more than ${MAX_ARRAY_DIMS} dimensions (PostgreSQL's MAXDIM)`);
    }
    if (items.length === 0) break;
    level = items[0];
  }
  return dims;
}

function path(indexes: number[]): string {
  return indexes.map((i) => `[${i}]`).join('');
}

/**
 * Checks that the level of nesting at `indexes` has the shape `dims` says it must, naming the problem
 * otherwise (a ragged array, or an element where a sub-array belongs, or the reverse).
 */
export function checkLevel(level: unknown, depth: number, dims: number[], indexes: number[], hasArrayValues: boolean): unknown[] {
  // The outermost array is always a level, even when it could pass for one element of an array-valued type
  // (an empty polygon[] is `[]`, like an empty polygon).
  const isOutermost = depth === 0 && Array.isArray(level);
  if (!isOutermost && isElementValue(level, hasArrayValues)) {
    throw new CodecError(
      `ragged array: expected a sub-array of ${dims[depth]} elements at ${path(indexes)}, got ${describeValue(level)}`,
    );
  }
  const items = level as unknown[];
  if (items.length !== dims[depth]) {
    throw new CodecError(
      `ragged array: sub-array at ${path(indexes)} has ${items.length} elements, expected ${dims[depth]} like the first`,
    );
  }
  return items;
}

/** Rejects an element slot holding something that is not an element (a sub-array deeper than the first). */
export function checkElement(value: unknown, indexes: number[], hasArrayValues: boolean): void {
  if (value === undefined) throw new CodecError(`array element at ${path(indexes)} is undefined (use null for NULL)`);
  if (!isElementValue(value, hasArrayValues)) {
    throw new CodecError(`ragged array: expected an element at ${path(indexes)}, got a sub-array`);
  }
}

/**
 * Walks a rectangular nested array in order, calling `visit` for each element; throws on ragged input.
 * Shared by the binary and text encoders so both accept exactly the same shapes.
 */
export function forEachElement(
  value: unknown[],
  dims: number[],
  hasArrayValues: boolean,
  visit: (element: unknown) => void,
  onLevelStart?: (depth: number) => void,
  onLevelEnd?: (depth: number) => void,
): void {
  const indexes: number[] = [];
  const walk = (level: unknown, depth: number): void => {
    const items = checkLevel(level, depth, dims, indexes, hasArrayValues);
    onLevelStart?.(depth);
    for (let i = 0; i < items.length; i++) {
      indexes.push(i);
      if (depth + 1 < dims.length) walk(items[i], depth + 1);
      else {
        checkElement(items[i], indexes, hasArrayValues);
        visit(items[i]);
      }
      indexes.pop();
    }
    onLevelEnd?.(depth);
  };
  walk(value, 0);
}
