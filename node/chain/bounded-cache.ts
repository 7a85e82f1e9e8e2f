// A cache of at most `maxEntries` entries (and, given a size function, at most `maxBytes` bytes of
// values) that forgets the oldest insertion first. The import
// path's memories of failures (by block hash, by (parent, ticket)) use it: their keys and values
// are of fixed size (a hex hash, an error code and a short context), so the count bound is also
// a bound in bytes. A forgotten entry costs a re-check, never correctness.
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  private bytes = 0;

  constructor(
    readonly maxEntries: number,
    private readonly bytesOf: (v: V) => number = () => 0,
    readonly maxBytes = Infinity,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  /** Bytes of the values held (by the size function; 0 without one). */
  get byteSize(): number {
    return this.bytes;
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
    this.delete(key);
    this.map.set(key, value);
    this.bytes += this.bytesOf(value);
    while (this.map.size > this.maxEntries || (this.bytes > this.maxBytes && this.map.size > 1)) this.delete(this.map.keys().next().value!);
  }

  /** The entry of `key`, removed. */
  take(key: string): V | undefined {
    const v = this.map.get(key);
    this.delete(key);
    return v;
  }

  private delete(key: string): void {
    const v = this.map.get(key);
    if (v === undefined) return;
    this.bytes -= this.bytesOf(v);
    this.map.delete(key);
  }
}
