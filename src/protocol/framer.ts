import { InterfaceError, ProtocolError } from '../errors/index.js';

/** Called once per complete backend message; the payload is `buf[start, end)` and is only valid during the call. */
export type MessageHandler = (code: number, buf: Buffer, start: number, end: number) => void;

/**
 * Default for {@link MessageFramer}'s `maxMessageSize`: 1 GiB. A backend builds each message in a StringInfo,
 * which refuses to grow to MaxAllocSize (1 GB - 1, memutils.h), so no genuine message is this long; only a
 * corrupted or hostile length is.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 0x4000_0000;

/**
 * A split message up to this size gets its whole holding buffer at once (one copy of its bytes); a larger one
 * grows in steps, so the memory held never exceeds what has arrived by more than this or than what has
 * arrived (whichever is larger), whatever its header claims.
 */
const WHOLE_HOLD_LIMIT = 1 << 20;

/** The length field counts itself: 4 is an empty payload; less cannot be a message. */
const MIN_LENGTH = 4;

/**
 * Splits the server's byte stream into messages (1-byte type, Int32 length counting itself, payload).
 *
 * Messages that lie wholly inside a received chunk are handed over as views of that chunk, without a copy;
 * only a message split across chunks is assembled, and only its own bytes are copied. A length is never
 * trusted for memory: a message longer than `maxMessageSize` is a `ProtocolError` as soon as its header is
 * read, and a shorter one that is still incomplete holds at most about twice the bytes received.
 */
export class MessageFramer {
  readonly #maxLength: number;
  #partial: Buffer | null = null;
  #partialLength = 0;

  /** @param maxMessageSize the largest message accepted, type byte and length field included; bytes. */
  constructor(maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE) {
    if (!Number.isInteger(maxMessageSize) || maxMessageSize < 5) {
      throw new InterfaceError(`maxMessageSize must be an integer of at least 5 bytes, got ${String(maxMessageSize)}`);
    }
    // The length field excludes the type byte and is an Int32.
    this.#maxLength = Math.min(maxMessageSize - 1, 0x7fff_ffff);
  }

  /** Feeds one received chunk, calling `onMessage` for each complete message in order. */
  push(chunk: Buffer, onMessage: MessageHandler): void {
    const buf = chunk;
    let pos = 0;
    if (this.#partial !== null) {
      pos = this.#complete(chunk, onMessage);
      if (pos < 0) return;
    }
    const end = buf.length;
    const max = this.#maxLength;
    while (end - pos >= 5) {
      const length = buf.readInt32BE(pos + 1);
      if (length < MIN_LENGTH || length > max) this.#refuse(buf[pos], length);
      const next = pos + 1 + length;
      if (next > end) break;
      onMessage(buf[pos], buf, pos + 5, next);
      pos = next;
    }
    if (pos < end) this.#keep(buf, pos, end);
  }

  /** True when bytes of an unfinished message are held (the stream ended mid-message if the socket closes now). */
  get hasPartial(): boolean {
    return this.#partial !== null;
  }

  #refuse(code: number, length: number): never {
    if (length > this.#maxLength && length <= 0x7fff_ffff) {
      throw new ProtocolError(
        `message type 0x${code.toString(16)} claims ${length + 1} bytes, more than maxMessageSize (${this.#maxLength + 1})`,
      );
    }
    throw new ProtocolError(`invalid message length ${length} for message type 0x${code.toString(16)}`);
  }

  /** The holding buffer's size for a message of `total` bytes of which `have` are at hand. */
  #holdSize(total: number, have: number): number {
    if (total <= WHOLE_HOLD_LIMIT) return total;
    return Math.min(total, Math.max(WHOLE_HOLD_LIMIT, 2 * have));
  }

  #keep(buf: Buffer, pos: number, end: number): void {
    const have = end - pos;
    // The header was checked by the loop in push when it is complete; size the buffer by what it may hold.
    const size = have >= 5 ? this.#holdSize(1 + buf.readInt32BE(pos + 1), have) : 5;
    const hold = Buffer.allocUnsafe(size);
    buf.copy(hold, 0, pos, end);
    this.#partial = hold;
    this.#partialLength = have;
  }

  /**
   * Appends to the held partial message and dispatches it once whole. Returns the offset in `chunk` where
   * framing continues, or -1 when the chunk was consumed without finishing the message.
   */
  #complete(chunk: Buffer, onMessage: MessageHandler): number {
    let hold = this.#partial as Buffer;
    let have = this.#partialLength;
    let used = 0;
    if (have < 5) {
      used = Math.min(5 - have, chunk.length);
      chunk.copy(hold, have, 0, used);
      have += used;
      if (have < 5) {
        this.#partialLength = have;
        return -1;
      }
      const length = hold.readInt32BE(1);
      if (length < MIN_LENGTH || length > this.#maxLength) this.#refuse(hold[0], length);
    }
    const total = 1 + hold.readInt32BE(1);
    const need = total - have;
    const available = chunk.length - used;
    const take = Math.min(need, available);
    if (hold.length < have + take) {
      const grown = Buffer.allocUnsafe(this.#holdSize(total, have + take));
      hold.copy(grown, 0, 0, have);
      hold = grown;
    }
    chunk.copy(hold, have, used, used + take);
    if (take < need) {
      this.#partial = hold;
      this.#partialLength = have + take;
      return -1;
    }
    this.#partial = null;
    this.#partialLength = 0;
    onMessage(hold[0], hold, 5, total);
    return used + need;
  }
}
