/**
 * The platform's trusted root certificates, for `sslrootcert=system` (libpq 16+). libpq hands the choice to
 * OpenSSL's default verify paths, which honour `SSL_CERT_FILE` / `SSL_CERT_DIR` and otherwise read the
 * distribution's bundle. Node 20 has no API for the system store (Node's `tls.rootCertificates` is Mozilla's
 * list compiled into Node, not what the administrator installed), so the same places are read here.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { InterfaceError } from '../errors/index.js';

/** Where distributions keep their PEM bundle of trusted roots, most common first. */
const BUNDLE_FILES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, Gentoo
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // CentOS, RHEL 7+
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // Alpine, macOS, FreeBSD, OpenBSD
];

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let cached: { key: string; roots: Promise<SystemRoots> } | undefined;

/** The roots found and where they came from (for messages). */
export interface SystemRoots {
  /** PEM certificates. */
  certificates: string[];
  /** A file, a directory, Node's system-store API, or Node's built-in list when nothing else was found. */
  source: string;
}

async function pemFrom(file: string): Promise<string[] | undefined> {
  try {
    return (await readFile(file, 'utf8')).match(PEM_CERTIFICATE) ?? [];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') return undefined;
    throw err;
  }
}

async function pemFromDirectory(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = await Promise.all(names.map((name) => pemFrom(join(dir, name))));
  // A hashed directory (c_rehash) holds each certificate under several names: keep one of each.
  return [...new Set(found.flatMap((list) => list ?? []))];
}

async function load(env: Readonly<Record<string, string | undefined>>): Promise<SystemRoots> {
  const file = env.SSL_CERT_FILE;
  const dir = env.SSL_CERT_DIR;
  if (file !== undefined && file !== '') {
    const certificates = await pemFrom(file);
    if (certificates === undefined || certificates.length === 0) {
      throw new InterfaceError(`sslrootcert=system: SSL_CERT_FILE "${file}" holds no certificate`);
    }
    return { certificates, source: file };
  }
  if (dir !== undefined && dir !== '') {
    // OpenSSL takes a list separated like PATH.
    const certificates = (await Promise.all(dir.split(':').map(pemFromDirectory))).flat();
    if (certificates.length === 0) throw new InterfaceError(`sslrootcert=system: SSL_CERT_DIR "${dir}" holds no certificate`);
    return { certificates, source: dir };
  }
  // Node 22.15+/23.5+ can read the platform store itself (also on macOS and Windows).
  const fromNode = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (fromNode !== undefined) {
    const certificates = fromNode('system');
    if (certificates.length > 0) return { certificates, source: "Node's system certificate store" };
  }
  for (const candidate of BUNDLE_FILES) {
    const certificates = await pemFrom(candidate);
    if (certificates !== undefined && certificates.length > 0) return { certificates, source: candidate };
  }
  return { certificates: [...tls.rootCertificates], source: "Node's built-in root certificates (no system bundle found)" };
}

/**
 * The system's trusted roots, read once per process (and again if `SSL_CERT_FILE`/`SSL_CERT_DIR` change).
 * Rejects with `InterfaceError` when an explicit `SSL_CERT_FILE`/`SSL_CERT_DIR` holds no certificate.
 */
export function systemRoots(env: Readonly<Record<string, string | undefined>> = process.env): Promise<SystemRoots> {
  const key = `${env.SSL_CERT_FILE ?? ''}\0${env.SSL_CERT_DIR ?? ''}`;
  if (cached === undefined || cached.key !== key) {
    const roots = load(env);
    cached = { key, roots };
    // A failed read is not kept: the next connect tries again (the file may appear).
    roots.catch(() => {
      if (cached?.roots === roots) cached = undefined;
    });
  }
  return cached.roots;
}
