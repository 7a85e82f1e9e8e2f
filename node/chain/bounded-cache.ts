// A cache of at most `maxEntries` entries that forgets the oldest insertion first. The import
// path's memories of failures (by block hash, by (parent, ticket)) use it: their keys and values
// are of fixed size (a hex hash, an error code and a short context), so the count bound is also
// a bound in bytes. A forgotten entry costs a re-check, never correctness.
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Entries, oldest first. */
  values(): V[] {
    return [...this.map.values()];
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
}
