/**
 * The anonymous `record` type (`ROW(…)`, functions returning `record`) → array of its values, decode only:
 * PostgreSQL accepts no anonymous records as input ("input of anonymous composite types is not implemented").
 *
 * Binary (`record_send`, utils/adt/rowtypes.c) carries each field's type OID, so fields decode with their own
 * codecs, found through a lookup function. Text carries no types: fields come back as their text.
 */
import { parseRecordText } from '../composite-text.js';
import { truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';

/** Finds the codec of a field's type OID (the connection's registry `get`). */
export type CodecLookup = (oid: number) => Codec | undefined;

/**
 * Builds the record codec over `lookup`. A field whose type has no codec or no binary decoder (a type not
 * introspected yet, money, reg*) comes back as a Buffer of its raw binary bytes rather than failing the row.
 */
export function recordCodec(lookup: CodecLookup): Codec<unknown[]> {
  return {
    name: 'record',
    oid: Oid.record,
    decodeBinary(buf, offset, length) {
      const end = offset + length;
      if (length < 4) throw truncated('record');
      const count = buf.readInt32BE(offset);
      if (count < 0 || count * 8 > length - 4) throw truncated('record');
      const out: unknown[] = new Array(count);
      let pos = offset + 4;
      for (let i = 0; i < count; i++) {
        if (pos + 8 > end) throw truncated('record');
        const oid = buf.readUInt32BE(pos);
        const len = buf.readInt32BE(pos + 4);
        pos += 8;
        if (len === -1) {
          out[i] = null;
          continue;
        }
        if (len < 0 || pos + len > end) throw truncated('record');
        const codec = lookup(oid);
        if (codec?.decodeBinary !== undefined) out[i] = codec.decodeBinary(buf, pos, len);
        else out[i] = Buffer.from(buf.subarray(pos, pos + len));
        pos += len;
      }
      if (pos !== end) throw new CodecError('binary record has bytes after its last field');
      return out;
    },
    decodeText: parseRecordText,
  };
}
