/**
 * The server side of the protocol ("Message Formats", protocol-message-formats.html): an encoder per backend
 * message and a parser for the frontend stream, for the test fake server (test/support/fake-server.ts) only.
 * The encoders validate nothing, so a fake server can send malformed messages on purpose; the parser is strict
 * (trailing bytes, a bad kind, an unknown type are a {@link ProtocolError}), so it also checks the client's encoders.
 */
import { ProtocolError } from '../errors/index.js';
import type { ByteWriter } from '../internal/index.js';
import { readCString, type FieldDescription } from './backend.js';
import { MessageFramer } from './framer.js';
import { AuthCode, BackendCode, CANCEL_REQUEST_CODE, FrontendCode, SSL_REQUEST_CODE } from './message-codes.js';

/** GSSENCRequest's magic "version" (1234 << 16 | 5680); pgjet never sends it, but a fake server may see it. */
const GSS_ENC_REQUEST_CODE = 80877104;
/** The server refuses longer untyped packets (MAX_STARTUP_PACKET_LENGTH in src/include/libpq/pqcomm.h). */
const MAX_STARTUP_PACKET_LENGTH = 10000;

/** Writes one typed message: the type byte, a length slot, whatever `fill` writes, then patches the length. */
function message(w: ByteWriter, code: number, fill?: () => void): void {
  w.u8(code);
  const at = w.reserve32();
  fill?.();
  w.endMessage(at);
}

/** Writes bytes, or a string as UTF-8, without terminator (SASL payloads, COPY data, text values are either). */
function writeData(w: ByteWriter, data: Uint8Array | string): void {
  if (typeof data === 'string') w.utf8(data);
  else w.bytes(data);
}

/** Writes an Authentication ('R') message: the subtype and whatever data follows it. */
function writeAuthentication(w: ByteWriter, type: number, fill?: () => void): void {
  message(w, BackendCode.Authentication, () => {
    w.i32(type);
    fill?.();
  });
}

/** AuthenticationOk: the client is in; ParameterStatus messages and BackendKeyData follow. */
export const writeAuthenticationOk = (w: ByteWriter): void => writeAuthentication(w, AuthCode.Ok);
/** AuthenticationCleartextPassword: asks for the password as is. */
export const writeAuthenticationCleartextPassword = (w: ByteWriter): void =>
  writeAuthentication(w, AuthCode.CleartextPassword);

/** AuthenticationMD5Password with its 4-byte salt (not checked, so a test can send a wrong one). */
export const writeAuthenticationMD5Password = (w: ByteWriter, salt: Uint8Array): void =>
  writeAuthentication(w, AuthCode.MD5Password, () => w.bytes(salt));

/** AuthenticationSASL: the mechanisms offered, each a String, the list closed by an empty one. */
export const writeAuthenticationSASL = (w: ByteWriter, mechanisms: readonly string[]): void =>
  writeAuthentication(w, AuthCode.SASL, () => w.utf8(mechanisms.map((name) => `${name}\0`).join('')).u8(0));

/** AuthenticationSASLContinue: a server challenge (SCRAM's server-first message). */
export const writeAuthenticationSASLContinue = (w: ByteWriter, data: Uint8Array | string): void =>
  writeAuthentication(w, AuthCode.SASLContinue, () => writeData(w, data));
/** AuthenticationSASLFinal: the outcome data (SCRAM's server-final message, `v=<signature>`). */
export const writeAuthenticationSASLFinal = (w: ByteWriter, data: Uint8Array | string): void =>
  writeAuthentication(w, AuthCode.SASLFinal, () => writeData(w, data));

/** ParameterStatus: a run-time parameter's value, sent at startup and whenever a reported GUC changes. */
export const writeParameterStatus = (w: ByteWriter, name: string, value: string): void =>
  message(w, BackendCode.ParameterStatus, () => w.cstring(name).cstring(value));

/** BackendKeyData: the process ID and cancel key; a number key is written as protocol 3.0's 4 bytes. */
export function writeBackendKeyData(w: ByteWriter, processId: number, secretKey: Uint8Array | number): void {
  message(w, BackendCode.BackendKeyData, () => {
    w.i32(processId);
    if (typeof secretKey === 'number') w.i32(secretKey);
    else w.bytes(secretKey);
  });
}

/** ReadyForQuery with the transaction status byte ('I' idle, 'T' in a transaction, 'E' failed transaction). */
export const writeReadyForQuery = (w: ByteWriter, status: 'I' | 'T' | 'E'): void =>
  message(w, BackendCode.ReadyForQuery, () => w.u8(status.charCodeAt(0)));

/** A RowDescription column; what is left out takes an expression column's values (no table, size -1, text). */
export type FieldDescriptionInput = Pick<FieldDescription, 'name' | 'typeOid'> & Partial<FieldDescription>;

/** RowDescription: one entry per result column (a full {@link FieldDescription}[] is accepted as is). */
export function writeRowDescription(w: ByteWriter, fields: readonly FieldDescriptionInput[]): void {
  message(w, BackendCode.RowDescription, () => {
    w.i16(fields.length);
    for (const f of fields) {
      w.cstring(f.name).u32(f.tableOid ?? 0).i16(f.columnAttr ?? 0).u32(f.typeOid);
      w.i16(f.typeSize ?? -1).i32(f.typeModifier ?? -1).i16(f.format ?? 0);
    }
  });
}

/** DataRow: each value as Int32 length and bytes, -1 for NULL; strings are written as UTF-8 (text format). */
export function writeDataRow(w: ByteWriter, values: readonly (Uint8Array | string | null)[]): void {
  message(w, BackendCode.DataRow, () => {
    w.i16(values.length);
    for (const value of values) {
      if (value === null) {
        w.i32(-1);
      } else {
        // A string's byte length is only known once written, hence a patched slot.
        const slot = w.reserve32();
        writeData(w, value);
        w.endValue(slot);
      }
    }
  });
}

/** CommandComplete with its tag, e.g. 'SELECT 1', 'INSERT 0 1'. */
export const writeCommandComplete = (w: ByteWriter, tag: string): void =>
  message(w, BackendCode.CommandComplete, () => w.cstring(tag));

/** EmptyQueryResponse: the answer to an empty query string, in place of CommandComplete. */
export const writeEmptyQueryResponse = (w: ByteWriter): void => message(w, BackendCode.EmptyQueryResponse);

/** One-char codes of "Error and Notice Message Fields" (protocol-error-fields.html) by friendly name. */
const ERROR_FIELD_CODES = {
  severity: 'S', code: 'C', message: 'M', detail: 'D', hint: 'H', position: 'P', internalPosition: 'p',
  internalQuery: 'q', where: 'W', schema: 's', table: 't', column: 'c', dataType: 'd', constraint: 'n',
  file: 'F', line: 'L', routine: 'R',
} as const;

/**
 * ErrorResponse / NoticeResponse fields by friendly name: `severity` (S, and V unless given), `code` (C), `message`
 * (M), `detail` (D), `hint` (H), `position` (P), `internalPosition` (p), `internalQuery` (q), `where` (W), `schema`
 * (s), `table` (t), `column` (c), `dataType` (d), `constraint` (n), `file` (F), `line` (L), `routine` (R).
 */
export type ErrorFieldsInput = { [K in keyof typeof ERROR_FIELD_CODES]?: string | number };

/**
 * Writes the fields of an ErrorResponse or NoticeResponse in the object's key order. A key is either a one-char
 * field code written as given (`{ S: 'ERROR', C: '42P01' }`, for exact or deliberately odd messages) or a name
 * of {@link ErrorFieldsInput}. Nothing is added: a message without S, C or M is for testing exactly that.
 */
function writeNoticeFields(w: ByteWriter, code: number, fields: ErrorFieldsInput | Record<string, string>): void {
  const given = fields as Record<string, string | number | undefined>;
  message(w, code, () => {
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined) continue;
      const fieldCode = key.length === 1 ? key : (ERROR_FIELD_CODES as Record<string, string | undefined>)[key];
      if (fieldCode === undefined) throw new TypeError(`unknown error field ${JSON.stringify(key)}`);
      w.u8(fieldCode.charCodeAt(0)).cstring(String(value));
      if (key === 'severity' && given['V'] === undefined) w.u8(0x56 /* 'V' */).cstring(String(value));
    }
    w.u8(0);
  });
}

/** ErrorResponse; `fields` keyed by one-char code or by {@link ErrorFieldsInput} name, written in key order. */
export const writeErrorResponse = (w: ByteWriter, fields: ErrorFieldsInput | Record<string, string>): void =>
  writeNoticeFields(w, BackendCode.ErrorResponse, fields);

/** NoticeResponse: the same fields as {@link writeErrorResponse}, for a message that does not fail the command. */
export const writeNoticeResponse = (w: ByteWriter, fields: ErrorFieldsInput | Record<string, string>): void =>
  writeNoticeFields(w, BackendCode.NoticeResponse, fields);

/** ParseComplete. */
export const writeParseComplete = (w: ByteWriter): void => message(w, BackendCode.ParseComplete);
/** BindComplete. */
export const writeBindComplete = (w: ByteWriter): void => message(w, BackendCode.BindComplete);
/** CloseComplete. */
export const writeCloseComplete = (w: ByteWriter): void => message(w, BackendCode.CloseComplete);
/** NoData: the described statement or portal returns no rows. */
export const writeNoData = (w: ByteWriter): void => message(w, BackendCode.NoData);
/** PortalSuspended: Execute's row limit was reached before the portal finished. */
export const writePortalSuspended = (w: ByteWriter): void => message(w, BackendCode.PortalSuspended);
/** CopyDone from the server: the end of COPY TO STDOUT data. */
export const writeCopyDone = (w: ByteWriter): void => message(w, BackendCode.CopyDone);

/** ParameterDescription: the type OID of each parameter of a described statement. */
export function writeParameterDescription(w: ByteWriter, oids: readonly number[]): void {
  message(w, BackendCode.ParameterDescription, () => {
    w.i16(oids.length);
    for (const oid of oids) w.u32(oid);
  });
}

/** NotificationResponse: a NOTIFY from process `processId` on `channel`. */
export const writeNotificationResponse = (w: ByteWriter, processId: number, channel: string, payload: string): void =>
  message(w, BackendCode.NotificationResponse, () => w.i32(processId).cstring(channel).cstring(payload));

function writeCopyResponse(w: ByteWriter, code: number, format: number, columnFormats: readonly number[]): void {
  message(w, code, () => {
    w.u8(format).i16(columnFormats.length);
    for (const f of columnFormats) w.i16(f);
  });
}

/** CopyInResponse: COPY FROM STDIN starts; overall format (0 text, 1 binary) and one format per column. */
export const writeCopyInResponse = (w: ByteWriter, format: number, columnFormats: readonly number[]): void =>
  writeCopyResponse(w, BackendCode.CopyInResponse, format, columnFormats);
/** CopyOutResponse: COPY TO STDOUT starts; CopyData messages follow, then CopyDone. */
export const writeCopyOutResponse = (w: ByteWriter, format: number, columnFormats: readonly number[]): void =>
  writeCopyResponse(w, BackendCode.CopyOutResponse, format, columnFormats);
/** CopyBothResponse: streaming replication's two-way copy starts. */
export const writeCopyBothResponse = (w: ByteWriter, format: number, columnFormats: readonly number[]): void =>
  writeCopyResponse(w, BackendCode.CopyBothResponse, format, columnFormats);

/** CopyData from the server (COPY TO STDOUT); a string is written as UTF-8. */
export const writeCopyData = (w: ByteWriter, data: Uint8Array | string): void =>
  message(w, BackendCode.CopyData, () => writeData(w, data));

/** NegotiateProtocolVersion: the newest minor version supported and the `_pq_.` options not recognised. */
export function writeNegotiateProtocolVersion(w: ByteWriter, minor: number, unknownOptions: readonly string[]): void {
  message(w, BackendCode.NegotiateProtocolVersion, () => {
    w.i32(minor).i32(unknownOptions.length);
    for (const name of unknownOptions) w.cstring(name);
  });
}

/** A frontend message as the server sees it, discriminated by `type` (the protocol docs' message names). */
export type FrontendMessage =
  | { type: 'Startup'; protocolVersion: number; params: Record<string, string> }
  | { type: 'SSLRequest' }
  | { type: 'GSSENCRequest' }
  | { type: 'CancelRequest'; processId: number; secretKey: Buffer }
  | { type: 'Query'; sql: string }
  | { type: 'Parse'; name: string; sql: string; paramTypes: number[] }
  | { type: 'Bind'; portal: string; statement: string; paramFormats: number[]; params: (Buffer | null)[]; resultFormats: number[] }
  | { type: 'Describe'; kind: 'S' | 'P'; name: string }
  | { type: 'Close'; kind: 'S' | 'P'; name: string }
  | { type: 'Execute'; portal: string; maxRows: number }
  | { type: 'Sync' }
  | { type: 'Flush' }
  | { type: 'Terminate' }
  | { type: 'CopyDone' }
  | { type: 'CopyData'; data: Buffer }
  | { type: 'CopyFail'; reason: string }
  // PasswordMessage, SASLInitialResponse and SASLResponse share 'p'; only the auth exchange tells them apart.
  | { type: 'Password'; data: Buffer };

/** The member of {@link FrontendMessage} whose `type` is `T`. */
export type FrontendMessageOf<T extends FrontendMessage['type']> = Extract<FrontendMessage, { type: T }>;

/** A cursor over one message's payload; running past `end` is a truncated message. */
class PayloadReader {
  constructor(readonly buf: Buffer, public pos: number, readonly end: number, readonly what: string) {}

  #advance(n: number): number {
    if (n < 0) throw new ProtocolError(`invalid length ${n} in ${this.what} message`);
    if (this.pos + n > this.end) throw new ProtocolError(`truncated ${this.what} message`);
    this.pos += n;
    return this.pos - n;
  }

  int16(): number { return this.buf.readInt16BE(this.#advance(2)); }
  /** A count, which the backend reads unsigned (pq_getmsgint(msg, 2)). */
  uint16(): number { return this.buf.readUInt16BE(this.#advance(2)); }
  int32(): number { return this.buf.readInt32BE(this.#advance(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.#advance(4)); }

  /** Copies: the framer's views are only valid during its callback. */
  bytes(n: number): Buffer {
    const at = this.#advance(n);
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  cstring(): string {
    const [value, next] = readCString(this.buf, this.pos, this.end);
    this.pos = next;
    return value;
  }

  kind(): 'S' | 'P' {
    const kind = String.fromCharCode(this.buf[this.#advance(1)]);
    if (kind !== 'S' && kind !== 'P') throw new ProtocolError(`invalid ${this.what} kind ${JSON.stringify(kind)}`);
    return kind;
  }

  /** Int16 count then that many Int16 (format codes). */
  int16Array(): number[] {
    const out = new Array<number>(this.uint16());
    for (let i = 0; i < out.length; i++) out[i] = this.int16();
    return out;
  }

  /** Strict end: leftover bytes mean the sender's layout differs from the docs'. */
  done<T>(result: T): T {
    if (this.pos !== this.end) throw new ProtocolError(`${this.end - this.pos} unexpected bytes at the end of ${this.what}`);
    return result;
  }
}

/** Typed frontend messages without payload. */
const EMPTY_MESSAGES = new Map<number, 'Sync' | 'Flush' | 'Terminate' | 'CopyDone'>(
  (['Sync', 'Flush', 'Terminate', 'CopyDone'] as const).map((type) => [FrontendCode[type], type]),
);

/** Decodes one typed frontend message from the payload bounds the {@link MessageFramer} hands out. */
export function parseFrontendMessage(code: number, buf: Buffer, start: number, end: number): FrontendMessage {
  const empty = EMPTY_MESSAGES.get(code);
  if (empty !== undefined) return new PayloadReader(buf, start, end, empty).done({ type: empty });
  switch (code) {
    case FrontendCode.Query: {
      const p = new PayloadReader(buf, start, end, 'Query');
      return p.done({ type: 'Query', sql: p.cstring() });
    }
    case FrontendCode.Parse: {
      const p = new PayloadReader(buf, start, end, 'Parse');
      const name = p.cstring();
      const sql = p.cstring();
      const paramTypes = new Array<number>(p.uint16());
      for (let i = 0; i < paramTypes.length; i++) paramTypes[i] = p.uint32();
      return p.done({ type: 'Parse', name, sql, paramTypes });
    }
    case FrontendCode.Bind: {
      const p = new PayloadReader(buf, start, end, 'Bind');
      const portal = p.cstring();
      const statement = p.cstring();
      const paramFormats = p.int16Array();
      const params = new Array<Buffer | null>(p.uint16());
      for (let i = 0; i < params.length; i++) {
        const length = p.int32();
        params[i] = length === -1 ? null : p.bytes(length);
      }
      return p.done({ type: 'Bind', portal, statement, paramFormats, params, resultFormats: p.int16Array() });
    }
    case FrontendCode.Describe:
    case FrontendCode.Close: {
      const type = code === FrontendCode.Describe ? 'Describe' : 'Close';
      const p = new PayloadReader(buf, start, end, type);
      const kind = p.kind();
      return p.done({ type, kind, name: p.cstring() });
    }
    case FrontendCode.Execute: {
      const p = new PayloadReader(buf, start, end, 'Execute');
      const portal = p.cstring();
      return p.done({ type: 'Execute', portal, maxRows: p.int32() });
    }
    case FrontendCode.CopyFail: {
      const p = new PayloadReader(buf, start, end, 'CopyFail');
      return p.done({ type: 'CopyFail', reason: p.cstring() });
    }
    case FrontendCode.CopyData:
      return { type: 'CopyData', data: Buffer.from(buf.subarray(start, end)) };
    case FrontendCode.PasswordMessage:
      return { type: 'Password', data: Buffer.from(buf.subarray(start, end)) };
    default:
      throw new ProtocolError(`unknown frontend message type 0x${code.toString(16).padStart(2, '0')}`);
  }
}

/** Decodes an untyped message (the connection's first, or the one after an SSLRequest) from `buf[0, length)`. */
function parseUntypedMessage(buf: Buffer, length: number): FrontendMessage {
  const p = new PayloadReader(buf, 4, length, 'startup packet');
  const version = p.int32();
  if (version === SSL_REQUEST_CODE) return p.done({ type: 'SSLRequest' });
  if (version === GSS_ENC_REQUEST_CODE) return p.done({ type: 'GSSENCRequest' });
  if (version === CANCEL_REQUEST_CODE) {
    const processId = p.int32();
    return { type: 'CancelRequest', processId, secretKey: p.bytes(length - p.pos) };
  }
  if (version >>> 16 !== 3) throw new ProtocolError(`unsupported frontend protocol ${version >>> 16}.${version & 0xffff}`);
  const params: Record<string, string> = {};
  // Name/value pairs until the empty name that closes the list.
  while (p.pos < length && buf[p.pos] !== 0) params[p.cstring()] = p.cstring();
  p.bytes(1);
  return p.done({ type: 'Startup', protocolVersion: version, params });
}

/**
 * Frames and decodes the client's byte stream on the server side. The stream opens with untyped messages
 * (Int32 length, Int32 code): a StartupMessage, or an SSLRequest/GSSENCRequest followed by another untyped
 * message, or a CancelRequest that ends the conversation; after a StartupMessage every message is typed.
 */
export class FrontendParser {
  #framer = new MessageFramer();
  #phase: 'startup' | 'typed' | 'cancelled' = 'startup';
  #pending: Buffer | null = null;

  /** Feeds one received chunk, calling `onMessage` for each complete message in order. */
  push(chunk: Buffer, onMessage: (message: FrontendMessage) => void): void {
    let rest = chunk;
    while (this.#phase === 'startup') {
      const buf = this.#pending === null ? rest : Buffer.concat([this.#pending, rest]);
      this.#pending = null;
      const length = buf.length >= 4 ? buf.readInt32BE(0) : Infinity;
      if (length !== Infinity && (length < 8 || length > MAX_STARTUP_PACKET_LENGTH)) {
        throw new ProtocolError(`invalid startup packet length ${length}`);
      }
      if (buf.length < length) {
        // Copied: the untyped phase is a few dozen bytes, and the socket's chunk is not ours to keep.
        if (buf.length > 0) this.#pending = Buffer.from(buf);
        return;
      }
      const message = parseUntypedMessage(buf, length);
      if (message.type === 'Startup') this.#phase = 'typed';
      else if (message.type === 'CancelRequest') this.#phase = 'cancelled';
      onMessage(message);
      rest = buf.subarray(length);
    }
    if (rest.length === 0) return;
    // PostgreSQL closes a cancel connection after reading the request; anything more is a client bug.
    if (this.#phase === 'cancelled') throw new ProtocolError('data after CancelRequest');
    this.#framer.push(rest, (code, buf, start, end) => onMessage(parseFrontendMessage(code, buf, start, end)));
  }

  /** True when bytes of an unfinished message are held (the client stopped mid-message if the socket closes now). */
  get hasPartial(): boolean {
    return this.#pending !== null || this.#framer.hasPartial;
  }
}
