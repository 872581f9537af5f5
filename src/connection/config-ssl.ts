import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { InterfaceError } from '../errors/index.js';
import type { ConfigLayer, ResolvedSsl, SslMode } from './config-types.js';
import { systemRoots } from './system-ca.js';

/** Returns the first layer's value for `key` that is set (layers are given highest priority first). */
function pick<K extends keyof ConfigLayer>(layers: readonly ConfigLayer[], key: K): ConfigLayer[K] {
  for (const layer of layers) if (layer[key] !== undefined) return layer[key];
  return undefined;
}

/** A file's content, or undefined when it does not exist (other read errors are reported). */
async function readIfExists(path: string, what: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InterfaceError(`could not read the ${what} "${path}": ${(err as Error).message}`, { cause: err });
  }
}

const WEAK_MODES: ReadonlySet<SslMode> = new Set(['disable', 'allow', 'prefer']);

/**
 * Applies libpq's TLS rules to the configured layers (options, DSN, environment, in that order):
 *
 * - a `tls.ConnectionOptions` object in the `ssl` option means verify-full with those options (or require when
 *   it sets `rejectUnauthorized: false`), and the DSN's file parameters are then ignored;
 * - `sslrootcert` (default `~/.postgresql/root.crt`) is read when it exists; as in libpq, its presence makes any
 *   mode up to `require` verify the certificate chain, and a missing explicit file is an error in `verify-*`;
 * - `sslrootcert=system` uses the platform's trusted roots (see system-ca.ts) and implies `verify-full`; any
 *   other explicit sslmode with it is an error, since trusting the whole public PKI without checking the host
 *   name would accept any certificate bought for any name (libpq 16);
 * - unlike libpq, `verify-ca`/`verify-full` with no root certificate anywhere use Node's built-in trusted roots
 *   (as a `tls.ConnectionOptions` object does) instead of failing;
 * - `sslcert`/`sslkey` (default `~/.postgresql/postgresql.crt` / `.key`) are sent when the certificate exists;
 * - `sslnegotiation=direct` needs `require` or stronger, since there is no plaintext fallback (libpq 17).
 */
export async function resolveSsl(
  layers: readonly ConfigLayer[],
  homeDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ResolvedSsl> {
  const negotiation = pick(layers, 'sslNegotiation') ?? 'postgres';
  const given = layers[0].tlsOptions;
  if (given !== undefined) {
    const verify = given.rejectUnauthorized === false ? 'none' : 'full';
    return {
      mode: verify === 'none' ? 'require' : 'verify-full',
      negotiation,
      verify,
      rootSource: given.ca === undefined ? 'builtin' : 'file',
      tlsOptions: { ALPNProtocols: ['postgresql'], ...given },
    };
  }

  const explicitMode = pick(layers, 'sslMode');
  const rootCert = pick(layers, 'sslRootCert');
  let mode: SslMode = explicitMode ?? 'prefer';
  if (rootCert === 'system') {
    if (explicitMode !== undefined && explicitMode !== 'verify-full') {
      throw new InterfaceError(`sslmode "${explicitMode}" cannot be used with sslrootcert=system: use verify-full`);
    }
    mode = 'verify-full';
  }
  if (negotiation === 'direct' && WEAK_MODES.has(mode)) {
    throw new InterfaceError(`sslmode "${mode}" cannot be used with sslnegotiation=direct: use require or stronger`);
  }
  if (mode === 'disable') return { mode, negotiation, verify: 'none', tlsOptions: {} };

  const tlsOptions: TlsConnectionOptions = { ALPNProtocols: ['postgresql'] };
  let hasRoot = false;
  let rootSource: ResolvedSsl['rootSource'] = 'builtin';
  if (rootCert === 'system') {
    tlsOptions.ca = (await systemRoots(env)).certificates;
    rootSource = 'system';
  } else {
    const path = rootCert ?? join(homeDir, '.postgresql', 'root.crt');
    const ca = await readIfExists(path, 'root certificate file');
    if (ca !== undefined) {
      tlsOptions.ca = ca;
      hasRoot = true;
      rootSource = 'file';
    } else if (rootCert !== undefined && (mode === 'verify-ca' || mode === 'verify-full')) {
      throw new InterfaceError(`root certificate file "${rootCert}" does not exist`);
    }
  }

  const certPath = pick(layers, 'sslCert') ?? join(homeDir, '.postgresql', 'postgresql.crt');
  const cert = await readIfExists(certPath, 'client certificate file');
  if (cert !== undefined) {
    const keyPath = pick(layers, 'sslKey') ?? join(homeDir, '.postgresql', 'postgresql.key');
    const key = await readIfExists(keyPath, 'client key file');
    if (key === undefined) {
      throw new InterfaceError(`client certificate "${certPath}" is present but its key "${keyPath}" is not`);
    }
    tlsOptions.cert = cert;
    tlsOptions.key = key;
    const passphrase = pick(layers, 'sslPassword');
    if (passphrase !== undefined) tlsOptions.passphrase = passphrase;
  }

  const verify = mode === 'verify-full' ? 'full' : mode === 'verify-ca' || hasRoot ? 'ca' : 'none';
  tlsOptions.rejectUnauthorized = verify !== 'none';
  // Node checks the host name whenever it verifies; verify-ca checks the chain only, so skip the name check.
  if (verify === 'ca') tlsOptions.checkServerIdentity = () => undefined;
  return { mode, negotiation, verify, rootSource, tlsOptions };
}
