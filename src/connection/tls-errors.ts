/**
 * Turns Node's TLS failures into reasons a user can act on. OpenSSL's verification codes
 * (`X509_V_ERR_*`, surfaced by Node as `err.code`) and Node's own host-name check are mapped to one sentence
 * saying what was wrong and which setting governs it; the original message is kept after it.
 */
import type { ResolvedSsl } from './config-types.js';

/** OpenSSL verification codes meaning "the chain does not lead to a root we trust". */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

/** Where the trusted roots came from, for the "unknown CA" message. */
function rootSource(ssl: ResolvedSsl): string {
  if (ssl.rootSource === 'system') return 'the system certificate store (sslrootcert=system)';
  if (ssl.rootSource === 'file') return 'the root certificate file (sslrootcert)';
  return "Node's built-in root certificates (no sslrootcert given)";
}

/**
 * A one-line explanation of a failed TLS handshake with `host`: why the certificate was refused, or what the
 * handshake error means, followed by Node's own message.
 */
export function explainTlsFailure(err: Error, host: string, ssl: ResolvedSsl): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server certificate does not match the host name "${host}" (sslmode=verify-full checks it): ${err.message}`;
  }
  if (code === 'CERT_HAS_EXPIRED') return `the server certificate has expired (${err.message})`;
  if (code === 'CERT_NOT_YET_VALID') return `the server certificate is not valid yet (${err.message})`;
  if (code === 'CERT_REVOKED') return `the server certificate has been revoked (${err.message})`;
  if (UNTRUSTED.has(code)) {
    return `the server certificate is not signed by a trusted certificate authority; trusted roots come from ${rootSource(ssl)} (${err.message})`;
  }
  if (/wrong version number|packet length too long|unexpected eof|socket disconnected/i.test(err.message) && ssl.negotiation === 'direct') {
    return `the server did not answer a direct TLS handshake (sslnegotiation=direct needs PostgreSQL 17 or later): ${err.message}`;
  }
  // With TLS 1.3 the server judges the client certificate after the client's handshake has finished, so its
  // alert arrives on the first read: these may come from the wire rather than the handshake.
  if (/alert (certificate required|unknown ca|bad certificate|certificate expired|certificate unknown)/i.test(err.message)) {
    return `the server refused the client certificate (sslcert/sslkey), TLS ${alertName(err.message)}`;
  }
  if (/alert handshake failure/i.test(err.message)) return `the server refused the TLS handshake: ${err.message}`;
  return err.message;
}

function alertName(message: string): string {
  return /alert [a-z ]+/i.exec(message)?.[0] ?? message;
}

/** True for an OpenSSL error raised by a TLS alert or record failure (not a plain socket error). */
export function isTlsError(err: unknown): err is Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_SSL_');
}
