/**
 * Geometric types (utils/adt/geo_ops.c). Every coordinate is a float8; binary layouts:
 * point x,y (`point_send`); line a,b,c (`line_send`); lseg p1,p2 (`lseg_send`); box high,low (`box_send`,
 * upper-right corner first); path: closed byte, int32 npts, points (`path_send`); polygon: int32 npts,
 * points (`poly_send`); circle x,y,radius (`circle_send`).
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, badText, expected, truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import type { Codec } from '../types.js';
import { formatFloat } from './float.js';

/** A point `{ x, y }`. */
export interface Point {
  x: number;
  y: number;
}
/** A line `ax + by + c = 0`. */
export interface Line {
  a: number;
  b: number;
  c: number;
}
/** A line segment between two points. */
export type LineSegment = [Point, Point];
/** A box as two opposite corners; decoded as PostgreSQL stores it, upper-right corner first. */
export type Box = [Point, Point];
/** An open or closed path. */
export interface Path {
  closed: boolean;
  points: Point[];
}
/** A polygon's vertices. */
export type Polygon = Point[];
/** A circle. */
export interface Circle {
  x: number;
  y: number;
  radius: number;
}

function readPoint(buf: Buffer, at: number): Point {
  return { x: buf.readDoubleBE(at), y: buf.readDoubleBE(at + 8) };
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number') throw expected(`a number for ${what}`, value);
  return value;
}

function toPoint(value: unknown): Point {
  if (typeof value !== 'object' || value === null) throw expected('a point { x, y }', value);
  const p = value as Partial<Record<'x' | 'y', unknown>>;
  return { x: num(p.x, 'x'), y: num(p.y, 'y') };
}

function toPoints(value: unknown, count?: number): Point[] {
  if (!Array.isArray(value) || (count !== undefined && value.length !== count)) {
    throw expected(count === undefined ? 'an array of points' : `an array of ${count} points`, value);
  }
  return value.map(toPoint);
}

function writePoint(w: ByteWriter, p: Point): void {
  w.f64(p.x).f64(p.y);
}

function formatPoint(p: Point): string {
  return `(${formatFloat(p.x)},${formatFloat(p.y)})`;
}

// Numbers as float8out prints them (shortest round-trip, `Infinity`, `NaN`, exponent `e+20`).
const numberPattern = /[+-]?(?:Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/g;

/** Extracts the numbers of a geometric text value, checking how many there are (`count`, else an even number). */
function numbersOf(type: string, text: string, count?: number): number[] {
  const found = text.match(numberPattern)?.map(Number) ?? [];
  // Fixed shapes have a known count; paths and polygons need whole points.
  if (count !== undefined ? found.length !== count : found.length % 2 !== 0) throw badText(type, text);
  return found;
}

function pairs(values: number[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) out.push({ x: values[i], y: values[i + 1] });
  return out;
}

function fixed(type: string, length: number, wanted: number): void {
  if (length !== wanted) throw badLength(type, length, wanted);
}

/** point ↔ `{ x, y }`. */
export const pointCodec: Codec<Point> = {
  name: 'point',
  oid: Oid.point,
  decodeBinary(buf, offset, length) {
    fixed('point', length, 16);
    return readPoint(buf, offset);
  },
  encodeBinary: (value, w) => writePoint(w, toPoint(value)),
  decodeText: (text) => pairs(numbersOf('point', text, 2))[0],
  encodeText: (value) => formatPoint(toPoint(value)),
};

function toLine(value: unknown): Line {
  if (typeof value !== 'object' || value === null) throw expected('a line { a, b, c }', value);
  const l = value as Partial<Record<'a' | 'b' | 'c', unknown>>;
  return { a: num(l.a, 'a'), b: num(l.b, 'b'), c: num(l.c, 'c') };
}

/** line ↔ `{ a, b, c }` (text `{a,b,c}`). */
export const lineCodec: Codec<Line> = {
  name: 'line',
  oid: Oid.line,
  decodeBinary(buf, offset, length) {
    fixed('line', length, 24);
    return { a: buf.readDoubleBE(offset), b: buf.readDoubleBE(offset + 8), c: buf.readDoubleBE(offset + 16) };
  },
  encodeBinary(value, w) {
    const l = toLine(value);
    w.f64(l.a).f64(l.b).f64(l.c);
  },
  decodeText(text) {
    const [a, b, c] = numbersOf('line', text, 3);
    return { a, b, c };
  },
  encodeText(value) {
    const l = toLine(value);
    return `{${formatFloat(l.a)},${formatFloat(l.b)},${formatFloat(l.c)}}`;
  },
};

/** lseg ↔ `[p1, p2]` (text `[(x1,y1),(x2,y2)]`). */
export const lsegCodec: Codec<LineSegment> = {
  name: 'lseg',
  hasArrayValues: true,
  oid: Oid.lseg,
  decodeBinary(buf, offset, length) {
    fixed('lseg', length, 32);
    return [readPoint(buf, offset), readPoint(buf, offset + 16)];
  },
  encodeBinary(value, w) {
    for (const p of toPoints(value, 2)) writePoint(w, p);
  },
  decodeText: (text) => pairs(numbersOf('lseg', text, 4)) as LineSegment,
  encodeText: (value) => `[${toPoints(value, 2).map(formatPoint).join(',')}]`,
};

/** Orders two corners as box_in/box_recv store them: upper-right, then lower-left. */
function toBoxCorners(value: unknown): Box {
  const [p, q] = toPoints(value, 2);
  return [
    { x: Math.max(p.x, q.x), y: Math.max(p.y, q.y) },
    { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y) },
  ];
}

/** box ↔ `[high, low]` corners (text `(x2,y2),(x1,y1)`; arrays of boxes use `;` between elements). */
export const boxCodec: Codec<Box> = {
  name: 'box',
  hasArrayValues: true,
  oid: Oid.box,
  decodeBinary(buf, offset, length) {
    fixed('box', length, 32);
    return [readPoint(buf, offset), readPoint(buf, offset + 16)];
  },
  encodeBinary(value, w) {
    for (const p of toBoxCorners(value)) writePoint(w, p);
  },
  decodeText: (text) => pairs(numbersOf('box', text, 4)) as Box,
  encodeText: (value) => toBoxCorners(value).map(formatPoint).join(','),
};

function readPoints(type: string, buf: Buffer, at: number, end: number): Point[] {
  if (at + 4 > end) throw truncated(type);
  const count = buf.readInt32BE(at);
  if (count < 0 || at + 4 + count * 16 !== end) throw truncated(type);
  const points: Point[] = new Array(count);
  for (let i = 0; i < count; i++) points[i] = readPoint(buf, at + 4 + i * 16);
  return points;
}

function toPath(value: unknown): Path {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw expected('a path { closed, points }', value);
  const p = value as Partial<Record<'closed' | 'points', unknown>>;
  if (typeof p.closed !== 'boolean') throw expected('a boolean for closed', p.closed);
  return { closed: p.closed, points: toPoints(p.points) };
}

/** path ↔ `{ closed, points }` (text `((…))` closed, `[(…)]` open). */
export const pathCodec: Codec<Path> = {
  name: 'path',
  oid: Oid.path,
  decodeBinary(buf, offset, length) {
    if (length < 1) throw truncated('path');
    return { closed: buf[offset] !== 0, points: readPoints('path', buf, offset + 1, offset + length) };
  },
  encodeBinary(value, w) {
    const path = toPath(value);
    w.u8(path.closed ? 1 : 0).i32(path.points.length);
    for (const p of path.points) writePoint(w, p);
  },
  decodeText(text) {
    const t = text.trim();
    return { closed: t[0] === '(', points: pairs(numbersOf('path', t)) };
  },
  encodeText(value) {
    const path = toPath(value);
    const inner = path.points.map(formatPoint).join(',');
    return path.closed ? `(${inner})` : `[${inner}]`;
  },
};

/** polygon ↔ array of points (text `((x1,y1),…)`). */
export const polygonCodec: Codec<Polygon> = {
  name: 'polygon',
  hasArrayValues: true,
  oid: Oid.polygon,
  decodeBinary: (buf, offset, length) => readPoints('polygon', buf, offset, offset + length),
  encodeBinary(value, w) {
    const points = toPoints(value);
    w.i32(points.length);
    for (const p of points) writePoint(w, p);
  },
  decodeText: (text) => pairs(numbersOf('polygon', text)),
  encodeText: (value) => `(${toPoints(value).map(formatPoint).join(',')})`,
};

function toCircle(value: unknown): Circle {
  if (typeof value !== 'object' || value === null) throw expected('a circle { x, y, radius }', value);
  const c = value as Partial<Record<'x' | 'y' | 'radius', unknown>>;
  return { x: num(c.x, 'x'), y: num(c.y, 'y'), radius: num(c.radius, 'radius') };
}

/** circle ↔ `{ x, y, radius }` (text `<(x,y),r>`). */
export const circleCodec: Codec<Circle> = {
  name: 'circle',
  oid: Oid.circle,
  decodeBinary(buf, offset, length) {
    fixed('circle', length, 24);
    return { x: buf.readDoubleBE(offset), y: buf.readDoubleBE(offset + 8), radius: buf.readDoubleBE(offset + 16) };
  },
  encodeBinary(value, w) {
    const c = toCircle(value);
    w.f64(c.x).f64(c.y).f64(c.radius);
  },
  decodeText(text) {
    const [x, y, radius] = numbersOf('circle', text, 3);
    return { x, y, radius };
  },
  encodeText(value) {
    const c = toCircle(value);
    return `<(${formatFloat(c.x)},${formatFloat(c.y)}),${formatFloat(c.radius)}>`;
  },
};
