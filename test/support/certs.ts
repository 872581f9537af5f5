/**
 * Certificates made at test time with the `openssl` command: certificate authorities, server certificates for
 * chosen names, client certificates for `cert` authentication, and certificates whose validity period is in the
 * past. OpenSSL 3.0's `x509 -req` cannot back-date (`-days` must be positive, `-not_after` came in 3.4), so
 * explicit dates go through `openssl ca`, which takes `-startdate`/`-enddate`.
 *
 * ```ts
 * const pki = new TestPki(dir);
 * const ca = pki.authority('test CA');
 * const server = pki.issue(ca, 'server', { cn: 'localhost', altNames: ['DNS:localhost'], usage: 'server' });
 * const expired = pki.issue(ca, 'old', { cn: 'localhost', usage: 'server', notBefore: '20200101000000Z', notAfter: '20200102000000Z' });
 * ```
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { postgresOwner } from './bindir-postgres.js';

/** A certificate and its private key on disk. */
export interface CertFiles {
  /** PEM certificate file. */
  certFile: string;
  /** PEM private key file (mode 0600). */
  keyFile: string;
  /** The certificate's PEM text. */
  pem: string;
}

/** What to put in a certificate. */
export interface IssueOptions {
  /** Subject common name (a client certificate's CN is the role `cert` authentication logs in as). */
  cn: string;
  /** subjectAltName entries, e.g. `['DNS:localhost', 'IP:127.0.0.1']`; none by default. */
  altNames?: string[];
  /** Extended key usage. */
  usage: 'server' | 'client';
  /** Validity start as `YYYYMMDDHHMMSSZ`; with `notAfter`, the certificate is issued through `openssl ca`. */
  notBefore?: string;
  /** Validity end as `YYYYMMDDHHMMSSZ`. */
  notAfter?: string;
}

/** A scratch PKI in one directory (which must exist); see the module comment. */
export class TestPki {
  readonly #dir: string;
  #serial = 1;

  /** @param dir where every file goes (world-traversable, so the server's OS user can read certificates). */
  constructor(dir: string) {
    this.#dir = dir;
    fs.chmodSync(dir, 0o755);
  }

  #file(name: string): string {
    return path.join(this.#dir, name);
  }

  #openssl(...args: string[]): void {
    execFileSync('openssl', args, { stdio: 'pipe' });
  }

  /** A new EC key (fast to make) and a certificate request for `cn`. */
  #request(name: string, cn: string): void {
    this.#openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', this.#file(`${name}.key`), '-out', this.#file(`${name}.csr`), '-subj', `/CN=${cn}`);
    fs.chmodSync(this.#file(`${name}.key`), 0o600);
  }

  #result(name: string): CertFiles {
    const certFile = this.#file(`${name}.crt`);
    return { certFile, keyFile: this.#file(`${name}.key`), pem: fs.readFileSync(certFile, 'utf8') };
  }

  /** A self-signed certificate authority valid for two days. */
  authority(name: string): CertFiles {
    this.#request(name, `pgjet ${name}`);
    fs.writeFileSync(this.#file(`${name}.ext`), 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n');
    this.#openssl('x509', '-req', '-in', this.#file(`${name}.csr`), '-key', this.#file(`${name}.key`), '-days', '2',
      '-sha256', '-extfile', this.#file(`${name}.ext`), '-out', this.#file(`${name}.crt`));
    return this.#result(name);
  }

  /** A certificate signed by `ca`. */
  issue(ca: CertFiles, name: string, options: IssueOptions): CertFiles {
    this.#request(name, options.cn);
    const ext = [
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      `extendedKeyUsage = ${options.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
      ...(options.altNames?.length ? [`subjectAltName = ${options.altNames.join(', ')}`] : []),
    ];
    fs.writeFileSync(this.#file(`${name}.ext`), `[v3]\n${ext.join('\n')}\n`);
    if (options.notBefore === undefined && options.notAfter === undefined) {
      this.#openssl('x509', '-req', '-in', this.#file(`${name}.csr`), '-CA', ca.certFile, '-CAkey', ca.keyFile,
        '-set_serial', String(this.#serial++), '-days', '2', '-sha256', '-extfile', this.#file(`${name}.ext`),
        '-extensions', 'v3', '-out', this.#file(`${name}.crt`));
      return this.#result(name);
    }
    this.#signWithDates(ca, name, options.notBefore ?? '20200101000000Z', options.notAfter ?? '20300101000000Z');
    return this.#result(name);
  }

  /** `openssl ca` with an explicit validity period (its database files live in a per-certificate folder). */
  #signWithDates(ca: CertFiles, name: string, start: string, end: string): void {
    const db = this.#file(`${name}.ca`);
    fs.mkdirSync(db, { recursive: true });
    fs.writeFileSync(path.join(db, 'index.txt'), '');
    fs.writeFileSync(path.join(db, 'serial'), `${(this.#serial++).toString(16).padStart(2, '0')}\n`);
    const config = [
      '[ca]', 'default_ca = scratch',
      '[scratch]', `database = ${path.join(db, 'index.txt')}`, `new_certs_dir = ${db}`, `serial = ${path.join(db, 'serial')}`,
      'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
      '[any]', 'commonName = supplied',
    ];
    fs.writeFileSync(path.join(db, 'ca.cnf'), `${config.join('\n')}\n`);
    this.#openssl('ca', '-batch', '-notext', '-config', path.join(db, 'ca.cnf'), '-cert', ca.certFile, '-keyfile', ca.keyFile,
      '-in', this.#file(`${name}.csr`), '-out', this.#file(`${name}.crt`), '-startdate', start, '-enddate', end,
      '-extfile', this.#file(`${name}.ext`), '-extensions', 'v3');
  }

  /** Hands a server certificate's files to the `postgres` OS user when we are root (the server checks the key's owner). */
  forServer(files: CertFiles): CertFiles {
    const owner = postgresOwner();
    if (owner) for (const file of [files.certFile, files.keyFile]) fs.chownSync(file, owner.uid, owner.gid);
    return files;
  }
}
