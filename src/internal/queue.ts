/**
 * A FIFO queue with O(1) push and shift (a ring that grows), used for in-flight requests where
 * `Array.prototype.shift` would be O(n) under deep pipelines.
 */
export class Queue<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#size;
  }

  /** Appends at the tail. */
  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** Removes and returns the head. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return item;
  }

  /** The head, without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** The item at position `i` from the head. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.#size) return undefined;
    return this.#items[(this.#head + i) & (this.#items.length - 1)];
  }

  /** Removes a specific item (linear; for timeouts and aborts, not the hot path). */
  remove(item: T): boolean {
    for (let i = 0; i < this.#size; i++) {
      if (this.at(i) === item) {
        const rest: T[] = [];
        for (let j = i + 1; j < this.#size; j++) rest.push(this.at(j) as T);
        const keep = i;
        this.#size = keep;
        for (const r of rest) this.push(r);
        return true;
      }
    }
    return false;
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const out: T[] = [];
    while (this.#size > 0) out.push(this.shift() as T);
    return out;
  }

  #grow(): void {
    const next = new Array<T | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#items[(this.#head + i) & (this.#items.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}
