/**
 * The `tls-server-end-point` channel-binding data (RFC 5929 section 4.1) that SCRAM-SHA-256-PLUS signs: a hash
 * of the server's DER certificate, made with the hash of the certificate's own signature algorithm, where MD5
 * and SHA-1 are replaced by SHA-256. PostgreSQL computes the same on its side
 * (be_tls_get_certificate_hash), so the choice of hash must match exactly.
 */
import { createHash } from 'node:crypto';

/** Hashes by signature-algorithm OID (DER content bytes, hex). MD5 and SHA-1 map to SHA-256 per RFC 5929. */
const HASH_BY_SIGNATURE: Readonly<Record<string, string>> = {
  '2a864886f70d010104': 'sha256', // md5WithRSAEncryption
  '2a864886f70d010105': 'sha256', // sha1WithRSAEncryption
  '2a864886f70d01010e': 'sha224', // sha224WithRSAEncryption
  '2a864886f70d01010b': 'sha256', // sha256WithRSAEncryption
  '2a864886f70d01010c': 'sha384', // sha384WithRSAEncryption
  '2a864886f70d01010d': 'sha512', // sha512WithRSAEncryption
  '2a8648ce3d0401': 'sha256', // ecdsa-with-SHA1
  '2a8648ce3d040301': 'sha224', // ecdsa-with-SHA224
  '2a8648ce3d040302': 'sha256', // ecdsa-with-SHA256
  '2a8648ce3d040303': 'sha384', // ecdsa-with-SHA384
  '2a8648ce3d040304': 'sha512', // ecdsa-with-SHA512
  '2a8648ce380403': 'sha256', // dsa-with-sha1
  '608648016503040302': 'sha256', // dsa-with-sha256
};

/** Reads one DER TLV header at `pos`: tag, where the content starts, and where it ends. */
function readTlv(der: Uint8Array, pos: number): { tag: number; start: number; end: number } {
  if (pos + 2 > der.length) throw new RangeError('truncated DER');
  const tag = der[pos];
  let length = der[pos + 1];
  let start = pos + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > der.length) throw new RangeError('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  if (start + length > der.length) throw new RangeError('truncated DER');
  return { tag, start, end: start + length };
}

/**
 * The signature algorithm's OID (hex of its DER content) from `Certificate ::= SEQUENCE { tbsCertificate,
 * signatureAlgorithm, signatureValue }`.
 */
function signatureAlgorithmOid(der: Uint8Array): string {
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.start);
  const algorithm = readTlv(der, tbs.end);
  const oid = readTlv(der, algorithm.start);
  if (certificate.tag !== 0x30 || algorithm.tag !== 0x30 || oid.tag !== 0x06) throw new RangeError('not a certificate');
  return Buffer.from(der.subarray(oid.start, oid.end)).toString('hex');
}

/**
 * The tls-server-end-point binding data for a DER-encoded server certificate (`tlsSocket.getPeerX509Certificate()
 * .raw`), or undefined when its signature algorithm has no single hash (RSA-PSS, Ed25519, Ed448, unknown): the
 * server cannot bind to such a certificate either, so the client must not attempt SCRAM-SHA-256-PLUS.
 */
export function tlsServerEndPointHash(certificateDer: Uint8Array): Buffer | undefined {
  let hash: string | undefined;
  try {
    hash = HASH_BY_SIGNATURE[signatureAlgorithmOid(certificateDer)];
  } catch {
    return undefined;
  }
  return hash === undefined ? undefined : createHash(hash).update(certificateDer).digest();
}
