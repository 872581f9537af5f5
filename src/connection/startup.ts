/**
 * The startup phase (protocol docs, "Start-up"): StartupMessage, the authentication exchange (cleartext, MD5,
 * SCRAM-SHA-256 and -PLUS), then ParameterStatus/BackendKeyData until the first ReadyForQuery.
 */
import type tls from 'node:tls';
import { AuthenticationError, ConnectionError, ProtocolError, databaseErrorFromFields } from '../errors/index.js';
import {
  AuthCode,
  BackendCode,
  backendCodeName,
  parseAuthentication,
  parseBackendKeyData,
  parseErrorFields,
  parseParameterStatus,
  parseReadyForQuery,
  parseSASLMechanisms,
  writePasswordMessage,
  writeSASLInitialResponse,
  writeSASLResponse,
  writeStartupMessage,
} from '../protocol/index.js';
import { assertChannelBindingMet, chooseMechanism, createScramClient, md5Password, tlsServerEndPointHash } from './auth/index.js';
import type { ChannelBindingMode, PasswordOption } from './config-types.js';
import type { Wire } from './wire.js';

/** What the startup needs. */
export interface StartupParams {
  /** Login role. */
  user: string;
  /** Database. */
  database: string;
  /** Password or password function, if any. */
  password: PasswordOption | undefined;
  /** Run-time parameters for the StartupMessage. */
  serverSettings: Record<string, string>;
  /** Channel-binding policy for SCRAM. */
  channelBinding: ChannelBindingMode;
  /** The TLS socket when encrypted, for SCRAM-SHA-256-PLUS's tls-server-end-point binding. */
  tlsSocket?: tls.TLSSocket;
}

async function resolvePassword(p: PasswordOption | undefined, user: string): Promise<string> {
  if (p === undefined) throw new AuthenticationError(`the server asked for a password for user "${user}" and none was given`);
  const value = typeof p === 'function' ? await p() : p;
  if (typeof value !== 'string') throw new AuthenticationError('the password function did not return a string');
  return value;
}

/** The tls-server-end-point channel-binding data (RFC 5929) of the server's certificate, when encrypted. */
function serverEndPoint(socket: tls.TLSSocket | undefined, mode: ChannelBindingMode): Buffer | undefined {
  if (mode === 'disable') return undefined;
  const cert = socket?.getPeerX509Certificate();
  return cert === undefined ? undefined : tlsServerEndPointHash(cert.raw);
}

/**
 * Under `channelBinding: 'require'`, a request for a cleartext or MD5 password is refused before anything is
 * sent, as libpq does: a man in the middle asking for one would otherwise get the password (or its reusable
 * MD5 hash) even though the login is then refused for lacking channel binding.
 */
function refuseUnboundPassword(mode: ChannelBindingMode, what: string): void {
  if (mode === 'require') {
    throw new AuthenticationError(`channel binding is required, but the server asked for ${what}, which cannot bind; nothing was sent`);
  }
}

/** Runs the startup exchange on a fresh wire; resolves at the first ReadyForQuery. */
export function runStartup(wire: Wire, params: StartupParams): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let scram: ReturnType<typeof createScramClient> | null = null;
    let usedPlus = false;
    let scramDone = false;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      reject(err);
      // The raw handler stays set, so the wire reports this close to startup (already settled), not as an event.
      wire.destroy(err);
    };
    const send = (): void => {
      wire.flushNow();
    };
    const onAuth = async (type: number, data: Buffer): Promise<void> => {
      switch (type) {
        case AuthCode.CleartextPassword:
          refuseUnboundPassword(params.channelBinding, 'a cleartext password');
          writePasswordMessage(wire.writer, await resolvePassword(params.password, params.user));
          send();
          return;
        case AuthCode.MD5Password: {
          refuseUnboundPassword(params.channelBinding, 'an MD5 password');
          const password = await resolvePassword(params.password, params.user);
          writePasswordMessage(wire.writer, md5Password(params.user, password, data.subarray(0, 4)));
          send();
          return;
        }
        case AuthCode.SASL: {
          const offered = parseSASLMechanisms(data);
          const endPoint = serverEndPoint(params.tlsSocket, params.channelBinding);
          const mechanism = chooseMechanism(offered, endPoint !== undefined, params.channelBinding);
          const password = await resolvePassword(params.password, params.user);
          usedPlus = mechanism === 'SCRAM-SHA-256-PLUS';
          scram = createScramClient({
            password,
            channelBinding: mechanism === 'SCRAM-SHA-256-PLUS' && endPoint !== undefined
              ? { type: 'tls-server-end-point', data: endPoint }
              : undefined,
            clientSupportsBinding: endPoint !== undefined,
          });
          writeSASLInitialResponse(wire.writer, mechanism, Buffer.from(scram.clientFirstMessage(), 'utf8'));
          send();
          return;
        }
        case AuthCode.SASLContinue:
          if (scram === null) throw new ProtocolError('SASLContinue before SASL');
          // PBKDF2 with 4096+ iterations runs off the event loop.
          writeSASLResponse(wire.writer, Buffer.from(await scram.handleServerFirstAsync(data.toString('utf8')), 'utf8'));
          send();
          return;
        default:
          throw new AuthenticationError(`unsupported authentication method (code ${type}) requested by the server`);
      }
    };
    /**
     * SASLFinal and AuthenticationOk are judged synchronously: the ReadyForQuery that follows in the same chunk
     * would otherwise complete the startup before an asynchronous refusal could land.
     */
    const onSASLFinal = (data: Uint8Array): void => {
      if (scram === null) throw new ProtocolError('SASLFinal before SASL');
      scram.verifyServerFinal(Buffer.from(data).toString('utf8'));
      scramDone = true;
    };
    const onAuthOk = (): void => {
      // A SCRAM exchange must end with the server's proof (SASLFinal) before Ok: skipping it is how an
      // impostor that does not know the password would get past the client.
      if (scram !== null && !scramDone) {
        throw new AuthenticationError('the server ended SCRAM authentication without proving it knows the password');
      }
      // channelBinding 'require' refuses a login that did not bind (trust, MD5, cleartext, plain SCRAM), as libpq does.
      assertChannelBindingMet(params.channelBinding, usedPlus && scramDone);
    };
    wire.setRawHandler((code, buf, start, end) => {
      if (settled) return;
      switch (code) {
        case BackendCode.Authentication: {
          const { type, data } = parseAuthentication(buf, start, end);
          if (type === AuthCode.Ok || type === AuthCode.SASLFinal) {
            try {
              if (type === AuthCode.Ok) onAuthOk();
              else onSASLFinal(data);
            } catch (err) {
              fail(err as Error);
            }
            return;
          }
          // Copy: the payload view is only valid during this call and the handler awaits.
          onAuth(type, Buffer.from(data)).catch((err: unknown) => fail(err as Error));
          return;
        }
        case BackendCode.ParameterStatus: {
          const [name, value] = parseParameterStatus(buf, start, end);
          wire.parameters.set(name, value);
          return;
        }
        case BackendCode.BackendKeyData: {
          const key = parseBackendKeyData(buf, start, end);
          wire.processId = key.processId;
          wire.secretKey = key.secretKey;
          return;
        }
        case BackendCode.ErrorResponse:
          fail(databaseErrorFromFields(parseErrorFields(buf, start, end)));
          return;
        case BackendCode.NoticeResponse:
        case BackendCode.NegotiateProtocolVersion:
          return;
        case BackendCode.ReadyForQuery:
          wire.txStatus = parseReadyForQuery(buf, start, end);
          if (!settled) {
            settled = true;
            wire.setRawHandler(null);
            resolve();
          }
          return;
        default:
          fail(new ProtocolError(`unexpected ${backendCodeName(code)} during startup`));
      }
    });
    wire.onStartupClose = (reason) => fail(reason ?? new ConnectionError(`server at ${wire.description} closed the connection during startup`));
    writeStartupMessage(wire.writer, {
      user: params.user,
      database: params.database,
      client_encoding: 'UTF8',
      DateStyle: 'ISO',
      ...params.serverSettings,
    });
    send();
  });
}
