export { ByteWriter } from './byte-writer.js';
export { deferred, type Deferred } from './deferred.js';
export { Lru } from './lru.js';
export { Queue } from './queue.js';
export { copyBytes } from './copy-bytes.js';
export { internAscii } from './ascii-intern.js';
export { sliceLatin1, sliceUtf8, writeUtf8 } from './utf8.js';
export { nearestName } from './nearest-name.js';
export { subscribeAbort } from './abort.js';
