/**
 * The sans-IO wire protocol: message codes, framing, one encoder per frontend message and a decoder per backend
 * message, re-exported flat for the connection layer.
 */
export * from './message-codes.js';
export * from './framer.js';
export * from './frontend.js';
export * from './backend.js';
/**
 * The server side of the protocol (backend-message encoders, frontend-message parser), for the test fake server
 * only. Namespaced because its encoders share names with the client's (`writeCopyData`, `writeCopyDone`) and so
 * that nothing in the driver imports it by accident.
 */
export * as serverSide from './server.js';
