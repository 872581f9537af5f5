/**
 * Composite types ↔ objects keyed by attribute name.
 *
 * Binary (`record_send` / `record_recv` in utils/adt/rowtypes.c): int32 number of (non-dropped) columns,
 * then per column its type OID (uint32), int32 length (-1 for NULL) and its binary bytes. record_recv checks
 * that each OID matches the column's type, so encoders send the attribute's own type OID.
 */
import type { ByteWriter } from '../internal/index.js';
import { formatRecordText, parseRecordText } from './composite-text.js';
import { describeValue, expected, truncated } from './describe.js';
import { CodecError, type Codec } from './types.js';

/** One attribute of a composite type, in `attnum` order, dropped columns left out. */
export interface CompositeAttribute {
  /** `pg_attribute.attname`. */
  name: string;
  /** `pg_attribute.atttypid`. */
  oid: number;
  /** The codec of that type. */
  codec: Codec;
}

/** What {@link compositeCodec} needs: the composite type and its attributes. */
export interface CompositeCodecOptions {
  /** The composite type's OID (`pg_type.oid`, whose `typrelid` names the attributes' relation). */
  oid: number;
  /** The type's name. */
  name: string;
  /** Its live attributes in order. */
  attributes: readonly CompositeAttribute[];
}

/** A decoded composite value. */
export type CompositeValue = Record<string, unknown>;

function decodeCompositeBinary(
  buf: Buffer,
  offset: number,
  length: number,
  name: string,
  attributes: readonly CompositeAttribute[],
): CompositeValue {
  const end = offset + length;
  if (length < 4) throw truncated(name);
  const count = buf.readInt32BE(offset);
  if (count !== attributes.length) {
    throw new CodecError(
      `composite ${name} has ${count} columns but ${attributes.length} were introspected; the type may have ` +
        'changed (reloadSchemaState() refreshes it)',
    );
  }
  const out: CompositeValue = {};
  let pos = offset + 4;
  for (let i = 0; i < count; i++) {
    if (pos + 8 > end) throw truncated(name);
    const attribute = attributes[i];
    const len = buf.readInt32BE(pos + 4);
    pos += 8;
    if (len === -1) {
      out[attribute.name] = null;
      continue;
    }
    if (len < 0 || pos + len > end) throw truncated(name);
    out[attribute.name] = attribute.codec.decodeBinary!(buf, pos, len);
    pos += len;
  }
  if (pos !== end) throw new CodecError(`binary ${name} has bytes after its last column`);
  return out;
}

function toComposite(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    throw expected(`an object for composite type ${name}`, value);
  }
  return value as Record<string, unknown>;
}

function encodeCompositeBinary(value: unknown, w: ByteWriter, name: string, attributes: readonly CompositeAttribute[]): void {
  const object = toComposite(value, name);
  w.i32(attributes.length);
  for (const attribute of attributes) {
    w.u32(attribute.oid);
    const field = object[attribute.name];
    // A missing key is NULL (README, "Types"), like a column left out of an INSERT.
    if (field === null || field === undefined) {
      w.i32(-1);
      continue;
    }
    const at = w.reserve32();
    try {
      attribute.codec.encodeBinary!(field, w);
    } catch (err) {
      throw fieldError(err, name, attribute.name);
    }
    w.endValue(at);
  }
}

/** Prefixes a field's CodecError with where it happened, so nested values are easy to find. */
function fieldError(err: unknown, type: string, field: string): unknown {
  if (!(err instanceof CodecError)) return err;
  return new CodecError(`${type}.${field}: ${err.message}`, { cause: err });
}

/** Builds the codec of a composite type; each direction exists when every attribute's codec supports it. */
export function compositeCodec(options: CompositeCodecOptions): Codec<CompositeValue> {
  const { oid, name, attributes } = options;
  const codec: Codec<CompositeValue> = {
    name,
    oid,
    decodeText(text) {
      const fields = parseRecordText(text);
      // `()` is how record_out writes a one-column row whose column is NULL.
      if (fields.length === 0 && attributes.length === 1) fields.push(null);
      if (fields.length !== attributes.length) {
        throw new CodecError(`composite ${name} text ${describeValue(text)} has ${fields.length} columns, expected ${attributes.length}`);
      }
      const out: CompositeValue = {};
      for (let i = 0; i < attributes.length; i++) {
        const f = fields[i];
        out[attributes[i].name] = f === null ? null : attributes[i].codec.decodeText(f);
      }
      return out;
    },
  };
  if (attributes.every((a) => a.codec.decodeBinary !== undefined)) {
    codec.decodeBinary = (buf, offset, length) => decodeCompositeBinary(buf, offset, length, name, attributes);
  }
  if (attributes.every((a) => a.codec.encodeBinary !== undefined)) {
    codec.encodeBinary = (value, w) => encodeCompositeBinary(value, w, name, attributes);
  }
  if (attributes.every((a) => a.codec.encodeText !== undefined)) {
    codec.encodeText = (value) => {
      const object = toComposite(value, name);
      return formatRecordText(
        attributes.map((a) => {
          const field = object[a.name];
          if (field === null || field === undefined) return null;
          try {
            return a.codec.encodeText!(field);
          } catch (err) {
            throw fieldError(err, name, a.name);
          }
        }),
      );
    };
  }
  return codec;
}
