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
  parseNegotiateProtocolVersion,
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

/**
 * Where the startup is (protocol docs, "Start-up", and libpq's fe-connect.c): each state accepts only the
 * messages a server may send in it; anything else is a `ProtocolError`, so a server (or a man in the middle)
 * cannot skip authentication by answering the StartupMessage with ReadyForQuery, nor reopen it afterwards.
 *
 * - `awaitingAuthentication`: the StartupMessage is out; the server names its method, or says Ok (trust).
 * - `passwordSent`: a cleartext or MD5 password went out; only Ok (or an error) may follow.
 * - `saslStarted` / `saslContinued` / `saslFinished`: the SCRAM exchange, one step each.
 * - `authenticated`: after AuthenticationOk: ParameterStatus and BackendKeyData until ReadyForQuery.
 */
type StartupState =
  | 'awaitingAuthentication'
  | 'passwordSent'
  | 'saslStarted'
  | 'saslContinued'
  | 'saslFinished'
  | 'authenticated';

/** The authentication request each state waits for, for messages naming what came instead. */
const EXPECTED: Record<StartupState, string> = {
  awaitingAuthentication: 'an authentication request',
  passwordSent: 'AuthenticationOk',
  saslStarted: 'AuthenticationSASLContinue',
  saslContinued: 'AuthenticationSASLFinal',
  saslFinished: 'AuthenticationOk',
  authenticated: 'ParameterStatus, BackendKeyData or ReadyForQuery',
};

/** The name of an Authentication subtype, for error messages. */
function authName(type: number): string {
  const name = Object.entries(AuthCode).find(([, code]) => code === type)?.[0];
  return name === undefined ? `Authentication (subtype ${type})` : `Authentication${name}`;
}

/** Runs the startup exchange on a fresh wire; resolves at the first ReadyForQuery after AuthenticationOk. */
export function runStartup(wire: Wire, params: StartupParams): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let state: StartupState = 'awaitingAuthentication';
    let scram: ReturnType<typeof createScramClient> | null = null;
    let usedPlus = false;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      reject(err);
      // The raw handler stays set, so the wire reports this close to startup (already settled), not as an event.
      wire.destroy(err);
    };
    const unexpected = (what: string): ProtocolError =>
      new ProtocolError(`unexpected ${what} during startup from ${wire.description}: expected ${EXPECTED[state]}`);
    const send = (): void => {
      wire.flushNow();
    };
    /** Answers a password or SASL request; may await the password function or PBKDF2. */
    const onAuthRequest = async (type: number, data: Buffer): Promise<void> => {
      switch (type) {
        case AuthCode.CleartextPassword:
          refuseUnboundPassword(params.channelBinding, 'a cleartext password');
          writePasswordMessage(wire.writer, await resolvePassword(params.password, params.user));
          send();
          return;
        case AuthCode.MD5Password: {
          refuseUnboundPassword(params.channelBinding, 'an MD5 password');
          if (data.length !== 4) throw new ProtocolError(`AuthenticationMD5Password carries ${data.length} bytes of salt, not 4`);
          const password = await resolvePassword(params.password, params.user);
          writePasswordMessage(wire.writer, md5Password(params.user, password, data));
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
        case AuthCode.SASLContinue: {
          // Null only when the server sent this before the client's first SASL message went out.
          if (scram === null) throw new ProtocolError('AuthenticationSASLContinue before the client started SASL');
          // PBKDF2 with 4096+ iterations runs off the event loop.
          writeSASLResponse(wire.writer, Buffer.from(await scram.handleServerFirstAsync(data.toString('utf8')), 'utf8'));
          send();
          return;
        }
        default:
          throw new AuthenticationError(`unsupported authentication method (code ${type}) requested by the server`);
      }
    };
    /**
     * Moves the state for an Authentication message, or throws when the current state does not allow it.
     * SASLFinal and AuthenticationOk are judged here, synchronously: the ReadyForQuery that follows in the same
     * chunk would otherwise complete the startup before an asynchronous refusal could land.
     */
    const onAuthentication = (type: number, data: Buffer): void => {
      switch (type) {
        case AuthCode.Ok:
          if (state === 'saslStarted' || state === 'saslContinued') {
            // Skipping the server's proof (SASLFinal) is how an impostor that does not know the password would
            // get past the client.
            throw new AuthenticationError('the server ended SCRAM authentication without proving it knows the password');
          }
          if (state === 'authenticated') throw unexpected('second AuthenticationOk');
          // channelBinding 'require' refuses a login that did not bind (trust, MD5, cleartext, plain SCRAM), as libpq does.
          assertChannelBindingMet(params.channelBinding, usedPlus && state === 'saslFinished');
          state = 'authenticated';
          return;
        case AuthCode.SASLFinal:
          if (state !== 'saslContinued' || scram === null) throw unexpected(authName(type));
          scram.verifyServerFinal(data.toString('utf8'));
          state = 'saslFinished';
          return;
        case AuthCode.SASLContinue:
          if (state !== 'saslStarted') throw unexpected(authName(type));
          state = 'saslContinued';
          break;
        case AuthCode.CleartextPassword:
        case AuthCode.MD5Password:
          if (state !== 'awaitingAuthentication') throw unexpected(authName(type));
          state = 'passwordSent';
          break;
        case AuthCode.SASL:
          if (state !== 'awaitingAuthentication') throw unexpected(authName(type));
          state = 'saslStarted';
          break;
        default:
          if (state !== 'awaitingAuthentication') throw unexpected(authName(type));
          break;
      }
      // Copy: the payload view is only valid during this call and the answer may await.
      onAuthRequest(type, Buffer.from(data)).catch((err: unknown) => fail(err as Error));
    };
    const onMessage = (code: number, buf: Buffer, start: number, end: number): void => {
      switch (code) {
        case BackendCode.Authentication: {
          const { type, data } = parseAuthentication(buf, start, end);
          onAuthentication(type, data);
          return;
        }
        case BackendCode.ErrorResponse:
          fail(databaseErrorFromFields(parseErrorFields(buf, start, end)));
          return;
        case BackendCode.NoticeResponse:
          return;
        case BackendCode.NegotiateProtocolVersion:
          // Sent in answer to the StartupMessage, before any authentication request.
          if (state !== 'awaitingAuthentication') throw unexpected('NegotiateProtocolVersion');
          parseNegotiateProtocolVersion(buf, start, end);
          return;
        default:
          break;
      }
      // What follows exists only once authenticated: before that it would be a session nobody logged in to.
      if (state !== 'authenticated') throw unexpected(backendCodeName(code));
      switch (code) {
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
        case BackendCode.ReadyForQuery:
          wire.txStatus = parseReadyForQuery(buf, start, end);
          settled = true;
          wire.setRawHandler(null);
          resolve();
          return;
        default:
          throw unexpected(backendCodeName(code));
      }
    };
    wire.setRawHandler((code, buf, start, end) => {
      if (settled) return;
      try {
        onMessage(code, buf, start, end);
      } catch (err) {
        fail(err as Error);
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
