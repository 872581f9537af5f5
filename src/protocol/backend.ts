/**
 * Decoders for backend (server → client) message payloads. Each takes the payload bounds handed out by the
 * {@link MessageFramer} and returns plain data; DataRow is deliberately absent: the connection decodes its
 * fields in place with the statement's column decoders (the hot path), using {@link readInt32}.
 */
import { ProtocolError } from '../errors/index.js';
import { internAscii } from '../internal/index.js';

/** One column of a RowDescription. */
export interface FieldDescription {
  /** Column name as the server labels it. */
  name: string;
  /** OID of the source table, or 0. */
  tableOid: number;
  /** Attribute number in the source table, or 0. */
  columnAttr: number;
  /** Type OID. */
  typeOid: number;
  /** pg_type.typlen (negative for variable width). */
  typeSize: number;
  /** Type modifier (e.g. varchar length + 4), -1 when none. */
  typeModifier: number;
  /** Format code the values will arrive in (0 text, 1 binary); 0 in a statement Describe. */
  format: number;
}

/** Reads a NUL-terminated UTF-8 string; returns it and the offset after the terminator. */
export function readCString(buf: Buffer, start: number, end: number): [string, number] {
  const nul = buf.indexOf(0, start);
  if (nul < 0 || nul >= end) throw new ProtocolError('unterminated string in server message');
  return [buf.toString('utf8', start, nul), nul + 1];
}

function need(start: number, bytes: number, end: number, what: string): void {
  if (start + bytes > end) throw new ProtocolError(`truncated ${what} message`);
}

/** Reads an Int32 (bounds-checked by the caller's framing). */
export function readInt32(buf: Buffer, at: number): number {
  return buf.readInt32BE(at);
}

/** Authentication ('R'): the subtype and any data after it (salt, SASL mechanisms or payload). */
export function parseAuthentication(buf: Buffer, start: number, end: number): { type: number; data: Buffer } {
  need(start, 4, end, 'Authentication');
  return { type: buf.readInt32BE(start), data: buf.subarray(start + 4, end) };
}

/** AuthenticationSASL's list of mechanisms. */
export function parseSASLMechanisms(data: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const [name, next] = readCString(data, pos, data.length);
    out.push(name);
    pos = next;
  }
  return out;
}

/** ParameterStatus ('S'): a run-time parameter's current value. */
export function parseParameterStatus(buf: Buffer, start: number, end: number): [string, string] {
  const [name, next] = readCString(buf, start, end);
  const [value] = readCString(buf, next, end);
  return [name, value];
}

/** BackendKeyData ('K'): process ID and the secret key for CancelRequest (4 bytes in protocol 3.0). */
export function parseBackendKeyData(buf: Buffer, start: number, end: number): { processId: number; secretKey: Buffer } {
  need(start, 8, end, 'BackendKeyData');
  return { processId: buf.readInt32BE(start), secretKey: Buffer.from(buf.subarray(start + 4, end)) };
}

/** ReadyForQuery ('Z'): the transaction status byte: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
export function parseReadyForQuery(buf: Buffer, start: number, end: number): 'I' | 'T' | 'E' {
  need(start, 1, end, 'ReadyForQuery');
  const status = String.fromCharCode(buf[start]);
  if (status !== 'I' && status !== 'T' && status !== 'E') {
    throw new ProtocolError(`invalid transaction status ${JSON.stringify(status)} in ReadyForQuery`);
  }
  return status;
}

/** CommandComplete ('C'): the command tag, e.g. 'INSERT 0 1'; repeated tags share one string. */
export function parseCommandComplete(buf: Buffer, start: number, end: number): string {
  // Tags are a few bytes: a JS scan is cheaper than `indexOf`'s call into C++.
  let nul = start;
  while (nul < end && buf[nul] !== 0) nul++;
  if (nul >= end) throw new ProtocolError('unterminated string in server message');
  return internAscii(buf, start, nul - start);
}

/** ErrorResponse / NoticeResponse: field code byte → value. */
export function parseErrorFields(buf: Buffer, start: number, end: number): Map<number, string> {
  const fields = new Map<number, string>();
  let pos = start;
  while (pos < end && buf[pos] !== 0) {
    const code = buf[pos];
    const [value, next] = readCString(buf, pos + 1, end);
    fields.set(code, value);
    pos = next;
  }
  return fields;
}

/** RowDescription ('T'): one {@link FieldDescription} per column. */
export function parseRowDescription(buf: Buffer, start: number, end: number): FieldDescription[] {
  need(start, 2, end, 'RowDescription');
  const count = buf.readInt16BE(start);
  // A negative Int16 count is garbage; without this check `new Array` throws a RangeError instead. Each field
  // takes at least 19 bytes (an empty name's NUL and 18 bytes of attributes): a larger count cannot be true.
  if (count < 0) throw new ProtocolError(`invalid column count ${count} in RowDescription`);
  if (count * 19 > end - start - 2) throw new ProtocolError(`RowDescription claims ${count} columns but holds ${end - start - 2} bytes`);
  const fields = new Array<FieldDescription>(count);
  let pos = start + 2;
  for (let i = 0; i < count; i++) {
    const [name, next] = readCString(buf, pos, end);
    need(next, 18, end, 'RowDescription');
    fields[i] = {
      name,
      tableOid: buf.readUInt32BE(next),
      columnAttr: buf.readInt16BE(next + 4),
      typeOid: buf.readUInt32BE(next + 6),
      typeSize: buf.readInt16BE(next + 10),
      typeModifier: buf.readInt32BE(next + 12),
      format: buf.readInt16BE(next + 16),
    };
    pos = next + 18;
  }
  return fields;
}

/** ParameterDescription ('t'): the type OID the server chose for each parameter. */
export function parseParameterDescription(buf: Buffer, start: number, end: number): number[] {
  need(start, 2, end, 'ParameterDescription');
  const count = buf.readUInt16BE(start);
  need(start + 2, count * 4, end, 'ParameterDescription');
  const oids = new Array<number>(count);
  for (let i = 0; i < count; i++) oids[i] = buf.readUInt32BE(start + 2 + i * 4);
  return oids;
}

/** NotificationResponse ('A'): a NOTIFY delivered to this session. */
export function parseNotificationResponse(
  buf: Buffer,
  start: number,
  end: number,
): { processId: number; channel: string; payload: string } {
  need(start, 4, end, 'NotificationResponse');
  const processId = buf.readInt32BE(start);
  const [channel, next] = readCString(buf, start + 4, end);
  const [payload] = readCString(buf, next, end);
  return { processId, channel, payload };
}

/** CopyInResponse / CopyOutResponse / CopyBothResponse: overall format and per-column formats. */
export function parseCopyResponse(buf: Buffer, start: number, end: number): { format: number; columnFormats: number[] } {
  need(start, 3, end, 'CopyResponse');
  const format = buf[start];
  const count = buf.readInt16BE(start + 1);
  if (count < 0) throw new ProtocolError(`invalid column count ${count} in CopyResponse`);
  need(start + 3, count * 2, end, 'CopyResponse');
  const columnFormats = new Array<number>(count);
  for (let i = 0; i < count; i++) columnFormats[i] = buf.readInt16BE(start + 3 + i * 2);
  return { format, columnFormats };
}

/** NegotiateProtocolVersion ('v'): the newest minor version the server supports and options it did not know. */
export function parseNegotiateProtocolVersion(buf: Buffer, start: number, end: number): { minor: number; unknown: string[] } {
  need(start, 8, end, 'NegotiateProtocolVersion');
  const minor = buf.readInt32BE(start);
  const count = buf.readInt32BE(start + 4);
  // Each option name takes at least its NUL.
  if (count < 0 || count > end - start - 8) throw new ProtocolError(`invalid option count ${count} in NegotiateProtocolVersion`);
  const unknown: string[] = [];
  let pos = start + 8;
  for (let i = 0; i < count; i++) {
    const [name, next] = readCString(buf, pos, end);
    unknown.push(name);
    pos = next;
  }
  return { minor, unknown };
}
