/**
 * System types read as strings or number arrays: tid, pg_lsn, pg_snapshot / txid_snapshot, int2vector and
 * oidvector.
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, badText, expected, truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { toInteger } from './integer.js';

function identity(text: string): string {
  return text;
}

const tidInput = /^\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*$/;

function toTid(value: unknown): [number, number] {
  const m = typeof value === 'string' ? tidInput.exec(value) : null;
  if (m === null) throw expected("a tid like '(0,1)'", value);
  return [toInteger(m[1], 'tid block', 0, 4294967295), toInteger(m[2], 'tid offset', 0, 65535)];
}

/** tid ↔ `'(block,offset)'` (`tidsend`, utils/adt/tid.c: uint32 block number, uint16 offset). */
export const tidCodec: Codec<string> = {
  name: 'tid',
  oid: Oid.tid,
  decodeBinary(buf, offset, length) {
    if (length !== 6) throw badLength('tid', length, 6);
    return `(${buf.readUInt32BE(offset)},${buf.readUInt16BE(offset + 4)})`;
  },
  encodeBinary(value, w) {
    const [block, item] = toTid(value);
    w.u32(block).u16(item);
  },
  decodeText: identity,
  encodeText: (value) => `(${toTid(value).join(',')})`,
};

function toLsn(value: unknown): [number, number] {
  const m = typeof value === 'string' ? /^\s*([0-9a-fA-F]{1,8})\/([0-9a-fA-F]{1,8})\s*$/.exec(value) : null;
  if (m === null) throw expected("an LSN like '16/B374D848'", value);
  return [parseInt(m[1], 16), parseInt(m[2], 16)];
}

function formatLsn(hi: number, lo: number): string {
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** pg_lsn ↔ `'16/B374D848'` (`pg_lsn_send`: uint64; `pg_lsn_out` prints `%X/%X` of its halves). */
export const pgLsnCodec: Codec<string> = {
  name: 'pg_lsn',
  oid: Oid.pg_lsn,
  decodeBinary(buf, offset, length) {
    if (length !== 8) throw badLength('pg_lsn', length, 8);
    return formatLsn(buf.readUInt32BE(offset), buf.readUInt32BE(offset + 4));
  },
  encodeBinary(value, w) {
    const [hi, lo] = toLsn(value);
    w.u32(hi).u32(lo);
  },
  decodeText: identity,
  encodeText: (value) => formatLsn(...toLsn(value)),
};

const snapshotInput = /^\s*(\d+):(\d+):((?:\d+(?:,\d+)*)?)\s*$/;

function toSnapshot(value: unknown): bigint[] {
  const m = typeof value === 'string' ? snapshotInput.exec(value) : null;
  if (m === null) throw expected("a snapshot like '10:20:10,14,15'", value);
  return [m[1], m[2], ...(m[3] === '' ? [] : m[3].split(','))].map(BigInt);
}

function writeSnapshot(value: unknown, w: ByteWriter): void {
  const [xmin, xmax, ...xip] = toSnapshot(value);
  w.i32(xip.length);
  for (const x of [xmin, xmax, ...xip]) w.i64(BigInt.asIntN(64, x));
}

function snapshotCodec(name: string, oid: number): Codec<string> {
  return {
    name,
    oid,
    decodeBinary(buf, offset, length) {
      if (length < 20) throw truncated(name);
      const count = buf.readInt32BE(offset);
      if (count < 0 || length !== 20 + count * 8) throw truncated(name);
      const xmin = buf.readBigUInt64BE(offset + 4);
      const xmax = buf.readBigUInt64BE(offset + 12);
      let xip = '';
      for (let i = 0; i < count; i++) xip += (i > 0 ? ',' : '') + buf.readBigUInt64BE(offset + 20 + i * 8);
      return `${xmin}:${xmax}:${xip}`;
    },
    encodeBinary: writeSnapshot,
    decodeText: identity,
    encodeText(value) {
      const [xmin, xmax, ...xip] = toSnapshot(value);
      return `${xmin}:${xmax}:${xip.join(',')}`;
    },
  };
}

/**
 * pg_snapshot ↔ `'xmin:xmax:xip,…'` (`pg_snapshot_send` in utils/adt/xid8funcs.c: int32 nxip, int64 xmin,
 * int64 xmax, nxip int64 in-progress ids).
 */
export const pgSnapshotCodec = snapshotCodec('pg_snapshot', Oid.pg_snapshot);
/** txid_snapshot: the older name of pg_snapshot, same formats. */
export const txidSnapshotCodec = snapshotCodec('txid_snapshot', Oid.txid_snapshot);

/**
 * int2vector / oidvector ↔ number[]. Their binary form is a one-dimensional array without NULLs and with lower
 * bound 0; the text form is the numbers separated by spaces. Parameters go as text: `int2vectorrecv` /
 * `oidvectorrecv` (utils/adt/int.c, oid.c) demand exactly one dimension, which an empty array cannot have in
 * the binary array format, so the empty vector could not be sent in binary.
 */
function vectorCodec(name: string, oid: number, size: 2 | 4): Codec<number[]> {
  const [min, max] = size === 2 ? [-32768, 32767] : [0, 4294967295];
  const toNumbers = (value: unknown): number[] => {
    if (!Array.isArray(value)) throw expected('an array of numbers', value);
    return value.map((v) => toInteger(v, name, min, max));
  };
  return {
    name,
    oid,
    hasArrayValues: true,
    decodeBinary(buf, offset, length) {
      if (length < 12) throw truncated(name);
      const ndim = buf.readInt32BE(offset);
      if (ndim === 0) return [];
      if (ndim !== 1 || length < 20) throw new CodecError(`binary ${name} must be a one-dimensional array`);
      const count = buf.readInt32BE(offset + 12);
      if (count < 0 || length !== 20 + count * (4 + size)) throw truncated(name);
      const out: number[] = new Array(count);
      for (let i = 0, at = offset + 20; i < count; i++, at += 4 + size) {
        if (buf.readInt32BE(at) !== size) throw new CodecError(`${name} element has length ${buf.readInt32BE(at)}`);
        out[i] = size === 2 ? buf.readInt16BE(at + 4) : buf.readUInt32BE(at + 4);
      }
      return out;
    },
    decodeText(text) {
      const t = text.trim();
      if (t === '') return [];
      const out = t.split(/\s+/).map(Number);
      if (out.some((n) => !Number.isInteger(n))) throw badText(name, text);
      return out;
    },
    encodeText: (value) => toNumbers(value).join(' '),
  };
}

/** int2vector ↔ number[]. */
export const int2vectorCodec = vectorCodec('int2vector', Oid.int2vector, 2);
/** oidvector ↔ number[]. */
export const oidvectorCodec = vectorCodec('oidvector', Oid.oidvector, 4);
