/**
 * Per-query decoding overrides (API.md `QueryOptions.types`): by type name or OID, `'text'` to receive the
 * server's text, or a function decoding that text. Integrations use this to get the values their tools expect
 * without changing codecs on a shared connection.
 */
import { FormatCode } from '../../codecs/index.js';
import { derivePlan, type ColumnDecoder, type ResultPlan } from '../statement.js';

/** Overrides keyed by type name (`'timestamptz'`) or OID. */
export type TypeOverrides = Readonly<Record<string | number, 'text' | ((text: string) => unknown)>>;

const textDecoder: ColumnDecoder = (buf, offset, length) => buf.toString('utf8', offset, offset + length);

/** Returns a plan where overridden columns are requested as text and decoded as the override says. */
export function applyTypeOverrides(plan: ResultPlan, types: TypeOverrides): ResultPlan {
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
