/**
 * Encoders for every frontend (client → server) message, appending to a connection's {@link ByteWriter}.
 * Names follow the protocol docs' message names. Each function writes exactly one message.
 */
import type { ByteWriter } from '../internal/index.js';
import { CANCEL_REQUEST_CODE, FrontendCode, PROTOCOL_VERSION_3_0, SSL_REQUEST_CODE } from './message-codes.js';

/** Begins a typed message: the type byte and a length slot. Returns the slot for `w.endMessage`. */
function begin(w: ByteWriter, code: number): number {
  w.u8(code);
  return w.reserve32();
}

/** StartupMessage: protocol 3.0 and NUL-terminated name/value pairs (user, database, options, GUCs). */
export function writeStartupMessage(w: ByteWriter, params: Record<string, string>): void {
  const at = w.reserve32();
  w.i32(PROTOCOL_VERSION_3_0);
  for (const [key, value] of Object.entries(params)) w.cstring(key).cstring(value);
  w.u8(0);
  w.endMessage(at);
}

/** SSLRequest: asks the server whether it will speak TLS on this socket. */
export function writeSSLRequest(w: ByteWriter): void {
  w.i32(8).i32(SSL_REQUEST_CODE);
}

/** CancelRequest, sent on a separate connection with the target's BackendKeyData. */
export function writeCancelRequest(w: ByteWriter, processId: number, secretKey: Uint8Array): void {
  w.i32(12 + secretKey.length).i32(CANCEL_REQUEST_CODE).i32(processId).bytes(secretKey);
}

/** PasswordMessage: a cleartext or MD5-hashed password. */
export function writePasswordMessage(w: ByteWriter, password: string): void {
  const at = begin(w, FrontendCode.PasswordMessage);
  w.cstring(password);
  w.endMessage(at);
}

/** SASLInitialResponse: the chosen mechanism and the client-first message. */
export function writeSASLInitialResponse(w: ByteWriter, mechanism: string, data: Uint8Array): void {
  const at = begin(w, FrontendCode.PasswordMessage);
  w.cstring(mechanism).i32(data.length).bytes(data);
  w.endMessage(at);
}

/** SASLResponse: a further SASL message (SCRAM's client-final message). */
export function writeSASLResponse(w: ByteWriter, data: Uint8Array): void {
  const at = begin(w, FrontendCode.PasswordMessage);
  w.bytes(data);
  w.endMessage(at);
}

/** Query: the simple protocol, one or more statements in one string. */
export function writeQuery(w: ByteWriter, sql: string): void {
  const at = begin(w, FrontendCode.Query);
  w.cstring(sql);
  w.endMessage(at);
}

/** Parse: prepares `sql` as statement `name` ('' = unnamed) with optional parameter type OIDs (0 = infer). */
export function writeParse(w: ByteWriter, name: string, sql: string, paramTypes: readonly number[]): void {
  const at = begin(w, FrontendCode.Parse);
  // The counts are read as unsigned (pq_getmsgint(msg, 2) in postgres.c): up to 65,535 parameters.
  w.cstring(name).cstring(sql).u16(paramTypes.length);
  for (const oid of paramTypes) w.u32(oid);
  w.endMessage(at);
}

/**
 * Bind, in two halves so parameter values are encoded straight into the output buffer without an
 * intermediate copy: `beginBind` writes up to the parameter count, the caller writes each value
 * (Int32 length, -1 for NULL, then bytes), and `endBind` writes the result formats and the length.
 */
export function beginBind(
  w: ByteWriter,
  portal: string,
  statement: string,
  paramFormats: readonly number[] | number,
  paramCount: number,
): number {
  const at = begin(w, FrontendCode.Bind);
  w.cstring(portal).cstring(statement);
  if (typeof paramFormats === 'number') {
    // One format code applies to every parameter (protocol: a count of 1).
    w.i16(1).i16(paramFormats);
  } else {
    w.u16(paramFormats.length);
    for (const f of paramFormats) w.i16(f);
  }
  w.u16(paramCount);
  return at;
}

/** Finishes a Bind begun with {@link beginBind}: result-column format codes, then the length. */
export function endBind(w: ByteWriter, at: number, resultFormats: readonly number[] | number): void {
  if (typeof resultFormats === 'number') {
    w.i16(1).i16(resultFormats);
  } else {
    w.u16(resultFormats.length);
    for (const f of resultFormats) w.i16(f);
  }
  w.endMessage(at);
}

/** Describe: 'S' for a prepared statement, 'P' for a portal. */
export function writeDescribe(w: ByteWriter, kind: 'S' | 'P', name: string): void {
  const at = begin(w, FrontendCode.Describe);
  w.u8(kind.charCodeAt(0)).cstring(name);
  w.endMessage(at);
}

/** Execute: runs a portal, returning at most `maxRows` rows (0 = all). */
export function writeExecute(w: ByteWriter, portal: string, maxRows: number): void {
  const at = begin(w, FrontendCode.Execute);
  w.cstring(portal).i32(maxRows);
  w.endMessage(at);
}

/** Close: 'S' for a prepared statement, 'P' for a portal. */
export function writeClose(w: ByteWriter, kind: 'S' | 'P', name: string): void {
  const at = begin(w, FrontendCode.Close);
  w.u8(kind.charCodeAt(0)).cstring(name);
  w.endMessage(at);
}

/** Sync: ends an extended-protocol batch; the server answers ReadyForQuery. */
export function writeSync(w: ByteWriter): void {
  w.u8(FrontendCode.Sync).i32(4);
}

/** Flush: asks the server to send what it has produced, without ending the batch. */
export function writeFlush(w: ByteWriter): void {
  w.u8(FrontendCode.Flush).i32(4);
}

/** Terminate: a polite goodbye before closing the socket. */
export function writeTerminate(w: ByteWriter): void {
  w.u8(FrontendCode.Terminate).i32(4);
}

/** CopyData: a chunk of COPY FROM STDIN data. */
export function writeCopyData(w: ByteWriter, data: Uint8Array): void {
  w.u8(FrontendCode.CopyData).i32(data.length + 4).bytes(data);
}

/** CopyDone: the end of COPY FROM STDIN data. */
export function writeCopyDone(w: ByteWriter): void {
  w.u8(FrontendCode.CopyDone).i32(4);
}

/** CopyFail: aborts COPY FROM STDIN with a reason the server puts in its error. */
export function writeCopyFail(w: ByteWriter, reason: string): void {
  const at = begin(w, FrontendCode.CopyFail);
  w.cstring(reason);
  w.endMessage(at);
}
