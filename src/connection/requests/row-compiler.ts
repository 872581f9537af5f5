/**
 * Straight-line row decoders, generated once per result plan.
 *
 * The generic loop in rows.ts stores each field with `row[names[i]] = value`: a keyed store whose key changes
 * from column to column, which V8 can only serve through its megamorphic store path, and an indirect call
 * through `decoders[i]` whose target changes too. A decoder written out for one plan has none of that: each
 * column is its own block with its own call site (monomorphic, so the JIT inlines small decoders such as
 * int4 or bool), and the row is one object literal, so every row is built with the plan's fixed shape in one
 * allocation. Profiles of the benchmark's 12-column `pg_type` query put the generic loop at about a third of
 * the client's CPU (docs/ARCHITECTURE.md, "One query, start to finish", step 4).
 *
 * The generated source contains no value from the server other than column names, and those only as
 * `JSON.stringify` output (a valid JavaScript string literal). A name that would mean something special in an
 * object literal (`__proto__`) is written as a computed key, which defines an own property like any other.
 *
 * Generation needs `new Function`; where code generation from strings is disabled
 * (`--disallow-code-generation-from-strings`) compilation returns null and the generic loop stays in use.
 */
import type { ColumnDecoder, ResultPlan, RowDecoder } from '../statement.js';

/** What a generated decoder calls on its failure paths (kept out of the generated text). */
export interface RowFailures {
  /** Throws for a DataRow whose field count is not the plan's. */
  badCount(buf: Buffer, start: number, end: number): never;
  /** The error for field `i` running past the end of the message. */
  overrun(i: number): Error;
  /** The error for field `i` with a negative length other than -1 (NULL). */
  badLength(i: number, length: number): Error;
  /** Wraps a decoder's failure in field `i`. */
  column(i: number, err: unknown): Error;
}

/** Wider rows keep the generic loop: the generated function would be too large for the optimizing compiler. */
export const MAX_COMPILED_COLUMNS = 200;

/** The source of one column's block: read the length, then the value or null, and advance. */
function columnBlock(i: number): string {
  return (
    `c=${i};if(p+4>end)throw f.overrun(${i});` +
    `n=(buf[p]<<24)|(buf[p+1]<<16)|(buf[p+2]<<8)|buf[p+3];p+=4;` +
    `if(n>=0){if(p+n>end)throw f.overrun(${i});v${i}=d${i}(buf,p,n);p+=n;}else if(n!==-1)throw f.badLength(${i},n);\n`
  );
}

/** A property of the object literal: `"name":v3`, or a computed key where a plain one would set the prototype. */
function objectEntry(name: string, i: number): string {
  const key = JSON.stringify(name);
  return name === '__proto__' ? `[${key}]:v${i}` : `${key}:v${i}`;
}

/**
 * Builds the source of a decoder for `n` columns returning `result` (an object or array literal over v0…vn-1).
 * The source is the body of an outer function whose parameters are the failure helpers `f` and the column
 * decoders d0…dn-1, so each column's call site has one target.
 */
function decoderSource(n: number, result: string): string {
  const values = Array.from({ length: n }, (_, i) => `v${i}=null`);
  let body = '';
  for (let i = 0; i < n; i++) body += columnBlock(i);
  return (
    `'use strict';\nreturn function decodeRow(buf,start,end){\n` +
    `if(end-start<2||((buf[start]<<8)|buf[start+1])!==${n})f.badCount(buf,start,end);\n` +
    `let p=start+2,n=0,c=0${n > 0 ? ',' + values.join(',') : ''};\n` +
    `try{\n${body}}catch(e){throw f.column(c,e);}\n` +
    `return ${result};\n};`
  );
}

/** Instantiates generated source with the failure helpers and the plan's decoders; null if generation is off. */
function instantiate(source: string, decoders: readonly ColumnDecoder[], failures: RowFailures): RowDecoder | null {
  const params = ['f', ...decoders.map((_, i) => `d${i}`)];
  try {
    const factory = new Function(...params, source) as (...args: unknown[]) => RowDecoder;
    return factory(failures, ...decoders);
  } catch {
    return null;
  }
}

/** A decoder building object rows keyed by column name, or null when it cannot be generated. */
export function compileObjectRow(plan: ResultPlan, failures: RowFailures): RowDecoder | null {
  const n = plan.decoders.length;
  if (n > MAX_COMPILED_COLUMNS) return null;
  const entries = plan.names.map(objectEntry);
  return instantiate(decoderSource(n, `{${entries.join(',')}}`), plan.decoders, failures);
}

/** A decoder building array rows (rowMode 'array'), or null when it cannot be generated. */
export function compileArrayRow(plan: ResultPlan, failures: RowFailures): RowDecoder | null {
  const n = plan.decoders.length;
  if (n > MAX_COMPILED_COLUMNS) return null;
  const values = Array.from({ length: n }, (_, i) => `v${i}`);
  return instantiate(decoderSource(n, `[${values.join(',')}]`), plan.decoders, failures);
}
