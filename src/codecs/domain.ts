/**
 * Domains ↔ their base type's values: a domain's wire formats are its base type's (`typbasetype`), and the
 * server checks the domain's constraints on input.
 */
import type { Codec } from './types.js';

/** What {@link domainCodec} needs: the domain type and its base type's codec. */
export interface DomainCodecOptions<T = unknown> {
  /** The domain's OID. */
  oid: number;
  /** The domain's name. */
  name: string;
  /** The codec of `pg_type.typbasetype` (resolved through nested domains). */
  base: Codec<T>;
}

/**
 * Builds a domain codec: the base codec's conversions under the domain's name and OID. Methods are bound to the
 * base codec, so codecs written as classes keep their `this`.
 */
export function domainCodec<T>(options: DomainCodecOptions<T>): Codec<T> {
  const { base } = options;
  const codec: Codec<T> = { name: options.name, oid: options.oid, decodeText: base.decodeText.bind(base) };
  if (base.decodeBinary !== undefined) codec.decodeBinary = base.decodeBinary.bind(base);
  if (base.encodeBinary !== undefined) codec.encodeBinary = base.encodeBinary.bind(base);
  if (base.encodeText !== undefined) codec.encodeText = base.encodeText.bind(base);
  if (base.hasArrayValues === true) return { ...codec, hasArrayValues: true };
  return codec;
}
