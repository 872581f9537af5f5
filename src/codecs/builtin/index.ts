/**
 * The built-in codecs, by OID. int8/xid8 (which depend on the connection's `int8` option) and record (which
 * needs a lookup) are built by the registry; arrays, ranges and multiranges of built-in types are derived from
 * the generated catalog.
 */
import type { Codec } from '../types.js';
import { bitCodec, varbitCodec } from './bit-string.js';
import { byteaCodec, uuidCodec } from './bytes.js';
import { dateCodec, timeCodec, timetzCodec } from './date-time.js';
import { float4Codec, float8Codec } from './float.js';
import { boxCodec, circleCodec, lineCodec, lsegCodec, pathCodec, pointCodec, polygonCodec } from './geometry.js';
import { cidCodec, int2Codec, int4Codec, oidCodec, xidCodec } from './integer.js';
import { intervalCodec } from './interval.js';
import { jsonbCodec, jsonCodec, jsonpathCodec } from './json.js';
import { cidrCodec, inetCodec, macaddr8Codec, macaddrCodec } from './network.js';
import { moneyCodec, numericCodec } from './numeric.js';
import { int2vectorCodec, oidvectorCodec, pgLsnCodec, pgSnapshotCodec, tidCodec, txidSnapshotCodec } from './system.js';
import {
  boolCodec,
  bpcharCodec,
  charCodec,
  nameCodec,
  refcursorCodec,
  regCodecs,
  textCodec,
  unknownCodec,
  varcharCodec,
  voidCodec,
  xmlCodec,
} from './text.js';
import { tsqueryCodec, tsvectorCodec } from './text-search.js';
import { timestampCodec, timestamptzCodec } from './timestamp.js';

const all: readonly Codec[] = [
  boolCodec,
  byteaCodec,
  charCodec,
  nameCodec,
  int2Codec,
  int2vectorCodec,
  int4Codec,
  textCodec,
  oidCodec,
  tidCodec,
  xidCodec,
  cidCodec,
  oidvectorCodec,
  jsonCodec,
  xmlCodec,
  pointCodec,
  lsegCodec,
  pathCodec,
  boxCodec,
  polygonCodec,
  lineCodec,
  float4Codec,
  float8Codec,
  unknownCodec,
  circleCodec,
  moneyCodec,
  macaddrCodec,
  inetCodec,
  cidrCodec,
  macaddr8Codec,
  bpcharCodec,
  varcharCodec,
  dateCodec,
  timeCodec,
  timestampCodec,
  timestamptzCodec,
  intervalCodec,
  timetzCodec,
  bitCodec,
  varbitCodec,
  numericCodec,
  refcursorCodec,
  uuidCodec,
  pgLsnCodec,
  tsvectorCodec,
  tsqueryCodec,
  jsonbCodec,
  jsonpathCodec,
  txidSnapshotCodec,
  pgSnapshotCodec,
  voidCodec,
  ...regCodecs,
];

/** Every fixed built-in codec keyed by OID (one shared, immutable table for all connections). */
export const builtinCodecTable: ReadonlyMap<number, Codec> = new Map(all.map((c) => [c.oid, c]));

export { int64Codec, type Int8Mode } from './integer.js';
export { recordCodec, type CodecLookup } from './record.js';
