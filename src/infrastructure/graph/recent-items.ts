/**
 * A bounded map that forgets the entry used longest ago: the repository's copy of the list items
 * it last read or wrote. A Map keeps insertion order, so moving an entry to the end on each use
 * leaves the least recently used one first.
 */
export class RecentItems<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`a copy holds at least one entry: ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores the value; answers the entry pushed out to make room, if any. */
  set(key: K, value: V): [K, V] | undefined {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size <= this.capacity) return undefined;
    const oldest = this.entries.entries().next();
    if (oldest.done === true) return undefined;
    this.entries.delete(oldest.value[0]);
    return oldest.value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
