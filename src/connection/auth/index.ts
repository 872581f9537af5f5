/** Client-side authentication: SCRAM-SHA-256(-PLUS), MD5, and the helpers around them. */
export {
  assertChannelBindingMet,
  chooseMechanism,
  createScramClient,
  type ChannelBindingData,
  type ScramClient,
  type ScramClientOptions,
  type ScramMechanism,
} from './scram.js';
export { tlsServerEndPointHash } from './channel-binding.js';
export { md5Password } from './md5.js';
export { saslprep } from './saslprep.js';
