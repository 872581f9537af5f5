/**
 * Malformed binary values from a scripted server, for every codec family: a value its codec cannot read is a
 * `DataError` naming the column and its type, the call fails alone and the connection stays usable; a DataRow
 * whose structure is broken is a `ProtocolError` that closes the connection. Never a crash, never a hang (every
 * decoder bounds its loops by the bytes it was given, and refuses counts the bytes cannot hold before
 * allocating for them).
 *
 * The script answers pgjet's extended-query sequence: Parse/Describe S/Flush → ParseComplete,
 * ParameterDescription, RowDescription; then Bind/Execute/Sync → BindComplete, the DataRow under test,
 * CommandComplete, ReadyForQuery. Each query's SQL names its case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError, ProtocolError, type Connection } from '../../src/index.js';
import { Oid } from '../../src/codecs/index.js';
import { serverSide } from '../../src/protocol/index.js';
import { encodeMessages, startFakeServer, type FakeServer, type FakeSession } from '../support/fake-server.js';

/** What the server sends for one query: the column's type and the whole DataRow message. */
interface Reply {
  typeOid: number;
  dataRow: Buffer;
  /** Result format codes the client's Bind asked for, recorded for assertions. */
  resultFormats?: number[];
}

const replies = new Map<string, Reply>();
let nextId = 0;

/** A DataRow holding one value, as `writeDataRow` encodes it. */
function rowOf(value: Buffer | null): Buffer {
  return encodeMessages((w) => serverSide.writeDataRow(w, [value]));
}

/** A DataRow message built by hand: type 'D', Int32 length, then `payload` as given. */
function rawRow(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0x44;
  head.writeInt32BE(4 + payload.length, 1);
  return Buffer.concat([head, payload]);
}

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Registers a reply and returns the SQL that asks for it. */
function ask(typeOid: number, dataRow: Buffer): { sql: string; reply: Reply } {
  const sql = `SELECT 'case ${nextId++}' AS v`;
  const reply: Reply = { typeOid, dataRow };
  replies.set(sql, reply);
  return { sql, reply };
}

async function script(s: FakeSession): Promise<void> {
  await s.acceptStartup();
  for (;;) {
    const batch = await s.readUntil('Flush');
    const parse = batch.find((m) => m.type === 'Parse');
    if (parse === undefined || parse.type !== 'Parse') throw new Error('expected Parse');
    const reply = replies.get(parse.sql);
    if (reply === undefined) throw new Error(`no reply for ${parse.sql}`);
    s.send(
      (w) => serverSide.writeParseComplete(w),
      (w) => serverSide.writeParameterDescription(w, []),
      (w) => serverSide.writeRowDescription(w, [{ name: 'v', typeOid: reply.typeOid }]),
    );
    const executed = await s.readUntil('Sync');
    const bind = executed.find((m) => m.type === 'Bind');
    if (bind !== undefined && bind.type === 'Bind') reply.resultFormats = bind.resultFormats;
    s.send((w) => serverSide.writeBindComplete(w));
    s.sendRaw(reply.dataRow);
    s.send(
      (w) => serverSide.writeCommandComplete(w, 'SELECT 1'),
      (w) => serverSide.writeReadyForQuery(w, 'I'),
    );
  }
}

let server: FakeServer;
let conn: Connection;

beforeAll(async () => {
  server = await startFakeServer(script);
  conn = await connect(`postgres://fake:pw@${server.host}:${server.port}/fake?sslmode=disable`);
});

afterAll(async () => {
  conn.terminate();
  await server.close().catch(() => undefined);
});

/** Runs a case on `c` and returns what the call settled with. */
async function run(c: Connection, typeOid: number, dataRow: Buffer): Promise<{ value?: unknown; error?: unknown; reply: Reply }> {
  const { sql, reply } = ask(typeOid, dataRow);
  try {
    return { value: await c.fetchVal(sql), reply };
  } catch (error) {
    return { error, reply };
  }
}

/** Expects a DataError naming column 0 "v" and `typeName`, matching `reason`, and a usable connection after. */
async function expectDataError(typeOid: number, typeName: string, value: Buffer, reason: RegExp): Promise<void> {
  const { error } = await run(conn, typeOid, rowOf(value));
  expect(error, `${typeName} ${value.toString('hex')}`).toBeInstanceOf(DataError);
  const message = (error as Error).message;
  expect(message).toContain(`column 0 "v" (${typeName})`);
  expect(message).toMatch(reason);
  const ok = await run(conn, Oid.int4, rowOf(hex('0000002a')));
  expect(ok.value).toBe(42);
}

const TRUNCATED = /truncated|has \d+ bytes, expected/;

describe('fixed-size types: a value of the wrong length', () => {
  it.each([
    [Oid.bool, 'bool', '0101'],
    [Oid.int2, 'int2', '000102'],
    [Oid.int4, 'int4', '000102'],
    [Oid.int8, 'int8', '00010203040506'],
    [Oid.oid, 'oid', '0001020304'],
    [Oid.xid8, 'xid8', '00'],
    [Oid.float4, 'float4', '0001'],
    [Oid.float8, 'float8', '000102030405060708'],
    [Oid.uuid, 'uuid', '000102030405060708090a0b0c0d0e'],
    [Oid.date, 'date', '000102'],
    [Oid.time, 'time', '00010203'],
    [Oid.timetz, 'timetz', '0001020304050607080910'],
    [Oid.timestamp, 'timestamp', '00010203040506'],
    [Oid.timestamptz, 'timestamptz', ''],
    [Oid.interval, 'interval', '000102030405060708090a0b0c0d0e'],
    [Oid.macaddr, 'macaddr', '0001020304'],
    [Oid.macaddr8, 'macaddr8', '000102030405060708'],
    [Oid.point, 'point', '000102030405060708090a0b0c0d0e'],
    [Oid.circle, 'circle', '00'],
    [Oid.tid, 'tid', '0001020304'],
    [Oid.pg_lsn, 'pg_lsn', '00010203040506'],
    [Oid.char, 'char', '4142'],
  ])('%s (%s)', async (oid, name, bytes) => {
    await expectDataError(oid, name, hex(bytes), TRUNCATED);
  });
});

describe('numeric: short header, bad digits, bad sign', () => {
  it('a header shorter than 8 bytes', async () => {
    await expectDataError(Oid.numeric, 'numeric', hex('000100'), /has 3 bytes, expected at least 8/);
  });
  it('fewer digits than ndigits says (and a huge ndigits)', async () => {
    await expectDataError(Oid.numeric, 'numeric', hex('0002 0000 0000 0000 0001'), /truncated binary numeric/);
    await expectDataError(Oid.numeric, 'numeric', hex('ffff 0000 0000 0000 0001'), /truncated binary numeric/);
  });
  it('a base-10000 digit ≥ 10000', async () => {
    await expectDataError(Oid.numeric, 'numeric', hex('0001 0000 0000 0000 2710'), /invalid digit 10000/);
    await expectDataError(Oid.numeric, 'numeric', hex('0002 0000 4000 0004 0001 ffff'), /invalid digit 65535/);
  });
  it('an unknown sign word', async () => {
    await expectDataError(Oid.numeric, 'numeric', hex('0001 0000 1234 0000 0001'), /invalid sign 0x1234/);
  });
  it('extreme but valid weight and scale decode without hanging', async () => {
    const { value } = await run(conn, Oid.numeric, rowOf(hex('0001 7fff 0000 3fff 0001')));
    expect(typeof value).toBe('string');
    expect((value as string).length).toBe(1 + 4 * 32767 + 1 + 16383);
  });
});

describe('arrays: bad headers and elements', () => {
  const header = (ndim: number, flags: number, elem: number, dims: [number, number][]) => {
    const b = Buffer.alloc(12 + dims.length * 8);
    b.writeInt32BE(ndim, 0);
    b.writeInt32BE(flags, 4);
    b.writeUInt32BE(elem, 8);
    dims.forEach(([size, lower], i) => {
      b.writeInt32BE(size, 12 + i * 8);
      b.writeInt32BE(lower, 16 + i * 8);
    });
    return b;
  };
  const int4 = (n: number) => hex(`00000004${(n >>> 0).toString(16).padStart(8, '0')}`);

  it('shorter than the header', async () => {
    await expectDataError(Oid._int4, '_int4', hex('00000001 00000000'), /truncated binary array/);
  });
  it('a negative or excessive dimension count', async () => {
    await expectDataError(Oid._int4, '_int4', header(-1, 0, Oid.int4, []), /binary array has -1 dimensions/);
    await expectDataError(Oid._int4, '_int4', header(7, 0, Oid.int4, []), /binary array has 7 dimensions/);
  });
  it('dimensions the bytes cannot hold are refused before allocating', async () => {
    await expectDataError(Oid._int4, '_int4', header(1, 0, Oid.int4, [[2147483647, 1]]), /truncated binary array/);
    await expectDataError(Oid._int4, '_int4', header(2, 0, Oid.int4, [[65536, 1], [65536, 1]]), /truncated binary array/);
    await expectDataError(Oid._int4, '_int4', header(1, 0, Oid.int4, [[-1, 1]]), /dimension 1 has size -1/);
    await expectDataError(Oid._int4, '_int4', Buffer.concat([header(2, 0, Oid.int4, [[1, 1]])]), /truncated binary array/);
  });
  it('element lengths past the end, negative, or bytes left over', async () => {
    await expectDataError(Oid._int4, '_int4', Buffer.concat([header(1, 0, Oid.int4, [[2, 1]]), int4(1), hex('00000004 0000')]), /truncated binary array/);
    await expectDataError(Oid._int4, '_int4', Buffer.concat([header(1, 0, Oid.int4, [[1, 1]]), hex('fffffffe')]), /truncated binary array/);
    await expectDataError(Oid._int4, '_int4', Buffer.concat([header(1, 0, Oid.int4, [[1, 1]]), int4(1), hex('00')]), /bytes after its last element/);
  });
  it("an element its codec rejects names the element type's problem", async () => {
    await expectDataError(Oid._int4, '_int4', Buffer.concat([header(1, 0, Oid.int4, [[1, 1]]), hex('00000003 000001')]), /binary int4 value has 3 bytes, expected 4/);
  });
  it('a well-formed array with a non-default lower bound still decodes', async () => {
    const { value } = await run(conn, Oid._int4, rowOf(Buffer.concat([header(1, 1, Oid.int4, [[2, -5]]), int4(7), hex('ffffffff')])));
    expect(value).toEqual([7, null]);
  });
});

describe('records, ranges and multiranges', () => {
  it('record: a bad field count, a field past the end, bytes left over', async () => {
    await expectDataError(Oid.record, 'record', hex('ffffffff'), /truncated binary record/);
    await expectDataError(Oid.record, 'record', hex('7fffffff 00000017 00000004'), /truncated binary record/);
    await expectDataError(Oid.record, 'record', hex('00000001 00000017 00000008 0000002a'), /truncated binary record/);
    await expectDataError(Oid.record, 'record', hex('00000001 00000017 00000004 0000002a 00'), /bytes after its last field/);
    await expectDataError(Oid.record, 'record', hex('00000001 00000017 00000002 002a'), /binary int4 value has 2 bytes/);
  });
  it('record: a field of a type pgjet does not know comes back as its bytes', async () => {
    const { value } = await run(conn, Oid.record, rowOf(hex('00000001 000f4240 00000002 abcd')));
    expect(value).toEqual([Buffer.from([0xab, 0xcd])]);
  });
  it('range: bounds past the end, a bad bound, bytes left over', async () => {
    await expectDataError(Oid.int4range, 'int4range', hex(''), /truncated binary range/);
    await expectDataError(Oid.int4range, 'int4range', hex('02 00000004 0000'), /truncated binary range/);
    await expectDataError(Oid.int4range, 'int4range', hex('02 00000003 000001 00000004 00000002'), /binary int4 value has 3 bytes/);
    await expectDataError(Oid.int4range, 'int4range', hex('18 00'), /bytes after its bounds/);
  });
  it('multirange: a count the bytes cannot hold, an empty range slot', async () => {
    await expectDataError(Oid.int4multirange, 'int4multirange', hex('7fffffff'), /truncated binary multirange/);
    await expectDataError(Oid.int4multirange, 'int4multirange', hex('00000001 00000000'), /truncated binary multirange/);
    await expectDataError(Oid.int4multirange, 'int4multirange', hex('00000001 00000001 01 ff'), /bytes after its last range/);
  });
});

describe('text, json, network, geometry, bit strings, text search, system types', () => {
  it('text with invalid UTF-8 decodes with replacement characters, not a crash', async () => {
    const { value } = await run(conn, Oid.text, rowOf(hex('61ff62')));
    expect(value).toBe('a\ufffdb');
  });
  it('json and jsonb: invalid JSON, an unknown jsonb version, an empty jsonb', async () => {
    await expectDataError(Oid.json, 'json', Buffer.from('{"a":'), /invalid JSON from the server/);
    await expectDataError(Oid.jsonb, 'jsonb', hex('02 7b7d'), /unsupported binary jsonb version 2/);
    await expectDataError(Oid.jsonb, 'jsonb', hex(''), /expected at least 1/);
    await expectDataError(Oid.jsonpath, 'jsonpath', hex('09 24'), /unsupported binary jsonpath version 9/);
  });
  it('timestamps and intervals beyond what JS holds, times beyond a day', async () => {
    await expectDataError(Oid.timestamptz, 'timestamptz', hex('7fffffff fffffffe'), /outside the range of a JS Date/);
    await expectDataError(Oid.interval, 'interval', hex('7fffffff fffffffe 00000000 00000000'), /beyond ±Number.MAX_SAFE_INTEGER/);
    await expectDataError(Oid.time, 'time', hex('ffffffff ffffffff'), /time value -1 is out of range/);
    await expectDataError(Oid.timetz, 'timetz', hex('00000015 00000000 00000000'), /out of range/);
  });
  it('inet and cidr: a bad family, a bad size, a short address', async () => {
    await expectDataError(Oid.inet, 'inet', hex('09 20 00 04 01020304'), /invalid binary inet header/);
    await expectDataError(Oid.inet, 'inet', hex('02 21 00 04 01020304'), /invalid binary inet header/);
    await expectDataError(Oid.cidr, 'cidr', hex('03 80 01 10 0001'), /truncated binary cidr/);
    await expectDataError(Oid.inet, 'inet', hex('02'), /truncated binary inet/);
  });
  it('geometry: point counts that do not match the bytes', async () => {
    await expectDataError(Oid.polygon, 'polygon', hex('ffffffff'), /truncated binary polygon/);
    await expectDataError(Oid.polygon, 'polygon', hex('7fffffff'), /truncated binary polygon/);
    await expectDataError(Oid.path, 'path', hex('01 00000002 0000000000000000 0000000000000000'), /truncated binary path/);
    await expectDataError(Oid.path, 'path', hex(''), /truncated binary path/);
    await expectDataError(Oid.lseg, 'lseg', hex('00'), /expected 32/);
  });
  it('bit strings: a bit length that does not match the bytes', async () => {
    await expectDataError(Oid.varbit, 'varbit', hex('00000009 ff'), /truncated binary varbit/);
    await expectDataError(Oid.bit, 'bit', hex('ffffffff'), /truncated binary bit/);
    await expectDataError(Oid.bit, 'bit', hex('0000'), /truncated binary bit/);
  });
  it('tsvector: a lexeme without its terminator, positions past the end, bytes left over', async () => {
    await expectDataError(Oid.tsvector, 'tsvector', hex('00000001 6162'), /truncated binary tsvector/);
    await expectDataError(Oid.tsvector, 'tsvector', hex('00000001 6100 0005 0001'), /truncated binary tsvector/);
    await expectDataError(Oid.tsvector, 'tsvector', hex('00000001 6100 0000 ff'), /truncated binary tsvector/);
    await expectDataError(Oid.tsvector, 'tsvector', hex('7fffffff'), /truncated binary tsvector/);
  });
  it('int2vector, oidvector and snapshots: bad shapes', async () => {
    await expectDataError(Oid.int2vector, 'int2vector', hex('00000002 00000000 00000015 00000001 00000000 00000001 00000000'), /one-dimensional/);
    await expectDataError(Oid.oidvector, 'oidvector', hex('00000001 00000000 0000001a 7fffffff 00000000'), /truncated binary oidvector/);
    await expectDataError(Oid.pg_snapshot, 'pg_snapshot', hex('00000002 0000000000000001 0000000000000002'), /truncated binary pg_snapshot/);
    await expectDataError(Oid.pg_snapshot, 'pg_snapshot', hex('00'), /truncated binary pg_snapshot/);
  });
});

describe('the int8 option', () => {
  it("'number' refuses a value beyond Number.MAX_SAFE_INTEGER with a DataError, never rounding", async () => {
    const c = await connect(`postgres://fake:pw@${server.host}:${server.port}/fake?sslmode=disable`, { int8: 'number' });
    try {
      const { error } = await run(c, Oid.int8, rowOf(hex('0020000000000001')));
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(/column 0 "v" \(int8\).*MAX_SAFE_INTEGER/);
      expect((await run(c, Oid.int8, rowOf(hex('001fffffffffffff')))).value).toBe(Number.MAX_SAFE_INTEGER);
    } finally {
      c.terminate();
    }
  });
});

describe('formats', () => {
  it('binary results are requested for types with binary decoders, text for the others', async () => {
    expect((await run(conn, Oid.int4, rowOf(hex('00000001')))).reply.resultFormats).toEqual([1]);
    const money = await run(conn, Oid.money, rowOf(Buffer.from('$1.00')));
    expect(money.value).toBe('$1.00');
    expect(money.reply.resultFormats).toEqual([0]);
    const unknownType = await run(conn, Oid.aclitem, rowOf(Buffer.from('=r/postgres')));
    expect(unknownType.value).toBe('=r/postgres');
  });
});

describe('a DataRow of the wrong shape is a ProtocolError and closes the connection', () => {
  const cases: [string, Buffer][] = [
    ['a field length past the end of the message', rawRow(hex('0001 00000010 0000002a'))],
    ['a negative field count', rawRow(hex('ffff'))],
    ['more fields than the row description', rawRow(hex('0002 00000004 0000002a ffffffff'))],
    ['fewer fields than the row description', rawRow(hex('0000'))],
    ['no field count at all', rawRow(hex(''))],
    ['a field length cut off', rawRow(hex('0001 0000'))],
    ['a field length of -2 (only -1, NULL, is negative)', rawRow(hex('0001 fffffffe'))],
    ['a field length of -2^31', rawRow(hex('0001 80000000'))],
  ];
  it.each(cases)('%s', async (_label, dataRow) => {
    const c = await connect(`postgres://fake:pw@${server.host}:${server.port}/fake?sslmode=disable`);
    const closed = new Promise<Error | undefined>((resolve) => c.once('close', resolve));
    const { error } = await run(c, Oid.int4, dataRow);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(await closed).toBeInstanceOf(ProtocolError);
    expect(c.isClosed).toBe(true);
  });
});
