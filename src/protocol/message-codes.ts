/**
 * Message type bytes of the PostgreSQL frontend/backend protocol 3.0, named as in the protocol docs
 * ("Message Formats", protocol-message-formats.html).
 */

/** Type bytes of messages the server sends. */
export const BackendCode = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  CopyBothResponse: 0x57, // 'W'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  FunctionCallResponse: 0x56, // 'V'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  NotificationResponse: 0x41, // 'A'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const;

/** Type bytes of messages the client sends. */
export const FrontendCode = {
  Bind: 0x42, // 'B'
  Close: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Flush: 0x48, // 'H'
  Parse: 0x50, // 'P'
  PasswordMessage: 0x70, // 'p' (also SASLInitialResponse, SASLResponse, GSSResponse)
  Query: 0x51, // 'Q'
  Sync: 0x53, // 'S'
  Terminate: 0x58, // 'X'
} as const;

/** Authentication request subtypes carried in an 'R' message (AuthenticationOk = 0, …). */
export const AuthCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** Protocol version 3.0 as sent in StartupMessage. */
export const PROTOCOL_VERSION_3_0 = 196608;
/** The magic "version" of SSLRequest (1234 << 16 | 5679). */
export const SSL_REQUEST_CODE = 80877103;
/** The magic "version" of CancelRequest (1234 << 16 | 5678). */
export const CANCEL_REQUEST_CODE = 80877102;

/** Returns a printable name for a backend type byte, for error messages. */
export function backendCodeName(code: number): string {
  for (const [name, value] of Object.entries(BackendCode)) if (value === code) return name;
  return `unknown message type 0x${code.toString(16).padStart(2, '0')}`;
}
