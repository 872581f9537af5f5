import { ProtocolError } from '../errors/index.js';

/** Called once per complete backend message; the payload is `buf[start, end)` and is only valid during the call. */
export type MessageHandler = (code: number, buf: Buffer, start: number, end: number) => void;

/** Largest message pgjet accepts (PostgreSQL caps a field at 1 GB; a row can hold several). */
const MAX_MESSAGE_LENGTH = 0x7fff_ffff;

/**
 * Splits the server's byte stream into messages (1-byte type, Int32 length counting itself, payload).
 *
 * Messages that lie wholly inside a received chunk are handed over as views of that chunk, without a copy;
 * only a message split across chunks is assembled, and only its own bytes are copied.
 */
export class MessageFramer {
  #partial: Buffer | null = null;
  #partialLength = 0;

  /** Feeds one received chunk, calling `onMessage` for each complete message in order. */
  push(chunk: Buffer, onMessage: MessageHandler): void {
    const buf = chunk;
    let pos = 0;
    if (this.#partial !== null) {
      pos = this.#complete(chunk, onMessage);
      if (pos < 0) return;
    }
    const end = buf.length;
    while (end - pos >= 5) {
      const length = buf.readInt32BE(pos + 1);
      if (length < 4 || length > MAX_MESSAGE_LENGTH) {
        throw new ProtocolError(`invalid message length ${length} for message type 0x${buf[pos].toString(16)}`);
      }
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

  #keep(buf: Buffer, pos: number, end: number): void {
    const have = end - pos;
    // Size the holding buffer for the whole message when its header is known, so it is copied once.
    const want = have >= 5 ? 1 + buf.readInt32BE(pos + 1) : 5;
    const hold = Buffer.allocUnsafe(Math.max(want, have));
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
      if (length < 4 || length > MAX_MESSAGE_LENGTH) {
        throw new ProtocolError(`invalid message length ${length} for message type 0x${hold[0].toString(16)}`);
      }
      const grown = Buffer.allocUnsafe(1 + length);
      hold.copy(grown, 0, 0, have);
      hold = grown;
    }
    const total = 1 + hold.readInt32BE(1);
    const need = total - have;
    const available = chunk.length - used;
    if (available < need) {
      chunk.copy(hold, have, used);
      this.#partial = hold;
      this.#partialLength = have + available;
      return -1;
    }
    chunk.copy(hold, have, used, used + need);
    this.#partial = null;
    this.#partialLength = 0;
    onMessage(hold[0], hold, 5, total);
    return used + need;
  }
}
