/**
 * Per-query decoding overrides (README, "Custom codecs and overrides"): by type name or OID, `'text'` to receive the
 * server's text, or a function decoding that text. Integrations use this to get the values their tools expect
 * without changing codecs on a shared connection.
 */
import { FormatCode } from '../../codecs/index.js';
import { derivePlan, type ColumnDecoder, type ResultPlan } from '../statement.js';

/** Overrides keyed by type name (`'timestamptz'`) or OID. */
export type TypeOverrides = Readonly<Record<string | number, 'text' | ((text: string) => unknown)>>;

const textDecoder: ColumnDecoder = (buf, offset, length) => buf.toString('utf8', offset, offset + length);

/**
 * Derived plans by base plan and overrides object. A caller that passes the same overrides object on every
 * call (the pg face, the integrations) then gets one derived plan per statement, which keeps its compiled
 * row decoders, instead of a fresh plan decoded through the generic loop on every execution. Both levels are
 * weak: an evicted statement or a dropped overrides object takes its entries with it.
 */
const derived = new WeakMap<ResultPlan, WeakMap<TypeOverrides, ResultPlan>>();

/** Returns a plan where overridden columns are requested as text and decoded as the override says. */
export function applyTypeOverrides(plan: ResultPlan, types: TypeOverrides): ResultPlan {
  let byTypes = derived.get(plan);
  const known = byTypes?.get(types);
  if (known !== undefined) return known;
  const result = deriveOverridden(plan, types);
  if (byTypes === undefined) {
    byTypes = new WeakMap();
    derived.set(plan, byTypes);
  }
  byTypes.set(types, result);
  return result;
}

function deriveOverridden(plan: ResultPlan, types: TypeOverrides): ResultPlan {
  let changed = false;
  const decoders = plan.decoders.slice();
  const formats = plan.formats.slice();
  plan.columns.forEach((col, i) => {
    const rule = types[col.typeName] ?? types[col.typeOid];
    if (rule === undefined) return;
    changed = true;
    formats[i] = FormatCode.text;
    decoders[i] = rule === 'text' ? textDecoder : (buf, offset, length) => rule(buf.toString('utf8', offset, offset + length));
  });
  if (!changed) return plan;
  const allBinary = formats.every((f) => f === FormatCode.binary);
  return derivePlan(plan, { decoders, formats, allBinary, bindFormats: allBinary ? FormatCode.binary : formats });
}
