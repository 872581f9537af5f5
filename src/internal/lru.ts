/**
 * A small LRU map on top of `Map`'s insertion order: a hit re-inserts the key, so the first key is the
 * least recently used. `set` returns the evicted entries so the owner can release server-side resources.
 */
export class Lru<K, V> {
  readonly #map = new Map<K, V>();
  /**
   * The key last made most recent, whose re-insertion `get` can skip: a connection running the same statement
   * again and again (a point lookup, a job loop) would otherwise delete and re-insert it on every call, and each
   * delete leaves a hole the Map compacts away by rehashing. Only `set` puts a key last, and it sets this, so a
   * stale value (its key deleted or evicted) can only name a key `get` does not find.
   */
  #newest: K | undefined = undefined;

  /** @param capacity maximum entries kept; 0 keeps nothing. */
  constructor(public capacity: number) {}

  /** Number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined && key !== this.#newest) {
      this.#map.delete(key);
      this.#map.set(key, v);
      this.#newest = key;
    }
    return v;
  }

  /** Reads without touching recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Inserts or replaces; returns what had to be evicted to stay within capacity. */
  set(key: K, value: V): V[] {
    this.#map.delete(key);
    this.#map.set(key, value);
    this.#newest = key;
    const evicted: V[] = [];
    while (this.#map.size > this.capacity) {
      const first = this.#map.keys().next();
      if (first.done === true) break;
      evicted.push(this.#map.get(first.value) as V);
      this.#map.delete(first.value);
    }
    return evicted;
  }

  /** Removes one key. */
  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  /** Removes everything and returns what was there. */
  drain(): V[] {
    const all = [...this.#map.values()];
    this.#map.clear();
    return all;
  }

  /** Iterates values from least to most recently used. */
  values(): IterableIterator<V> {
    return this.#map.values();
  }
}
