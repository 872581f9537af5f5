/**
 * Enum types ↔ their label strings. Both formats are the label's text (`enum_send` / `enum_recv` in
 * utils/adt/enum.c).
 */
import { describeValue, expected } from './describe.js';
import { CodecError, type Codec } from './types.js';
import { readUtf8 } from './wire.js';

/** What {@link enumCodec} needs: the enum type and, optionally, its labels (`pg_enum.enumlabel`). */
export interface EnumCodecOptions {
  /** The enum type's OID. */
  oid: number;
  /** The enum type's name. */
  name: string;
  /**
   * The labels, when known: parameters outside them fail before reaching the server with a clearer message.
   * Leave out to let the server judge (labels can be added by `ALTER TYPE … ADD VALUE` at any time).
   */
  labels?: readonly string[];
}

/** Builds an enum codec. */
export function enumCodec(options: EnumCodecOptions): Codec<string> {
  const { oid, name } = options;
  const labels = options.labels === undefined ? undefined : new Set(options.labels);
  const toLabel = (value: unknown): string => {
    if (typeof value !== 'string') throw expected(`a label of enum ${name}`, value);
    if (labels !== undefined && !labels.has(value)) {
      throw new CodecError(`${describeValue(value)} is not a label of enum ${name}`);
    }
    return value;
  };
  return {
    name,
    oid,
    decodeBinary: readUtf8,
    encodeBinary(value, w) {
      w.utf8(toLabel(value));
    },
    decodeText: (text) => text,
    encodeText: toLabel,
  };
}
