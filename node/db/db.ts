// The node's storage: one LevelDB on disk (package `level`), binary keys and values. Typed
// helpers per bucket; every head change is ONE atomic batch (`ChainDb.batch()` collects
// puts/deletes, `write()` commits them at once), so a crash leaves either the old head with
// its state or the new head with its state, never a mix.
import { Level } from 'level';
import { Bucket, bucketRange, key } from './buckets.ts';
import { bigIntToBytes, bytesToBigInt, u64be, utf8Bytes } from '../../consensus/bytes.ts';
import { TupleReader, decodeCanonical, encode } from '../../consensus/codec.ts';

/** Version of the layout described in buckets.ts; bump on incompatible change. */
export const SCHEMA_VERSION = 1;

export interface BlockIndexEntry {
  /** The block's encoded header (decodeHeader gives height, parent, time, target). */
  readonly header: Uint8Array;
  /** Cumulative work of the chain ending at this block. */
  readonly totalWork: bigint;
}

export interface DbOp {
  type: 'put' | 'del';
  key: Uint8Array;
  value?: Uint8Array;
}

export class DbBatch {
  readonly ops: DbOp[] = [];
  put(k: Uint8Array, v: Uint8Array): this {
    this.ops.push({ type: 'put', key: k, value: v });
    return this;
  }
  del(k: Uint8Array): this {
    this.ops.push({ type: 'del', key: k });
    return this;
  }
  putBlock(hash: Uint8Array, encoded: Uint8Array): this {
    return this.put(key(Bucket.block, hash), encoded);
  }
  putBlockIndex(hash: Uint8Array, e: BlockIndexEntry): this {
    return this.put(key(Bucket.blockIndex, hash), encodeIndex(e));
  }
  putCanonical(height: number, hash: Uint8Array): this {
    return this.put(key(Bucket.canonical, u64be(height)), hash);
  }
  delCanonical(height: number): this {
    return this.del(key(Bucket.canonical, u64be(height)));
  }
  putState(stateKey: Uint8Array, value: Uint8Array | null): this {
    return value === null ? this.del(key(Bucket.state, stateKey)) : this.put(key(Bucket.state, stateKey), value);
  }
  putUndo(hash: Uint8Array, diff: Uint8Array): this {
    return this.put(key(Bucket.undo, hash), diff);
  }
  putTxIndex(txHash: Uint8Array, blockHash: Uint8Array, index: number): this {
    return this.put(key(Bucket.txIndex, txHash), encode([blockHash, index]));
  }
  delTxIndex(txHash: Uint8Array): this {
    return this.del(key(Bucket.txIndex, txHash));
  }
  putHead(hash: Uint8Array): this {
    return this.put(key(Bucket.head), hash);
  }
  putMeta(name: string, value: Uint8Array): this {
    return this.put(key(Bucket.meta, utf8Bytes(name)), value);
  }
}

/** classic-level hands back Buffers; callers get plain Uint8Arrays (equal by value to what was put). */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function encodeIndex(e: BlockIndexEntry): Uint8Array {
  return encode([e.header, bigIntToBytes(e.totalWork, 32)]);
}
function decodeIndex(b: Uint8Array): BlockIndexEntry {
  const r = TupleReader.of(decodeCanonical(b, 'blockIndex'), 'blockIndex', 2);
  const e = { header: r.bytes(), totalWork: bytesToBigInt(r.bytes(32)) };
  r.end();
  return e;
}

export interface ChainDbOpts {
  /** Directory of the LevelDB. */
  path: string;
  /** fsync every head batch (survives power loss, not only a process kill). Default false. */
  sync?: boolean;
}

export class ChainDb {
  private readonly db: Level<Uint8Array, Uint8Array>;
  private readonly sync: boolean;

  constructor(opts: ChainDbOpts) {
    this.db = new Level<Uint8Array, Uint8Array>(opts.path, { keyEncoding: 'view', valueEncoding: 'view' });
    this.sync = opts.sync ?? false;
  }

  async open(): Promise<void> {
    await this.db.open();
  }
  async close(): Promise<void> {
    await this.db.close();
  }

  batch(): DbBatch {
    return new DbBatch();
  }

  async write(b: DbBatch): Promise<void> {
    if (b.ops.length === 0) return;
    await this.db.batch(
      b.ops.map((o) => (o.type === 'put' ? { type: 'put' as const, key: o.key, value: o.value! } : { type: 'del' as const, key: o.key })),
      { sync: this.sync },
    );
  }

  async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    const v = await this.db.get(k);
    return v === undefined ? undefined : plain(v);
  }

  getBlock(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.block, hash));
  }
  async getBlockIndex(hash: Uint8Array): Promise<BlockIndexEntry | undefined> {
    const v = await this.get(key(Bucket.blockIndex, hash));
    return v && decodeIndex(v);
  }
  getCanonical(height: number): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.canonical, u64be(height)));
  }
  getUndo(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.undo, hash));
  }
  async getTxIndex(txHash: Uint8Array): Promise<{ blockHash: Uint8Array; index: number } | undefined> {
    const v = await this.get(key(Bucket.txIndex, txHash));
    if (!v) return undefined;
    const r = TupleReader.of(decodeCanonical(v, 'txIndex'), 'txIndex', 2);
    return { blockHash: r.bytes(32), index: r.uint() };
  }
  getHead(): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.head));
  }
  getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.meta, utf8Bytes(name)));
  }

  /** Every (state key, value) of the head state, sorted by key. */
  async *stateEntries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const [k, v] of this.db.iterator(bucketRange(Bucket.state))) yield [plain(k).subarray(1), plain(v)];
  }

  /** Entries and bytes (keys + values) of the whole db: what an attack on storage would grow. */
  async contentSize(): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    for await (const [k, v] of this.db.iterator()) {
      entries++;
      bytes += k.length + v.length;
    }
    return { entries, bytes };
  }

  /** Every (key without its bucket byte, value) of a bucket, sorted by key. */
  async *entries(bucket: Bucket): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const [k, v] of this.db.iterator(bucketRange(bucket))) yield [plain(k).subarray(1), plain(v)];
  }

  /** Every (hash, index entry) of stored blocks, canonical and side. */
  async *blockIndexEntries(): AsyncGenerator<[Uint8Array, BlockIndexEntry]> {
    for await (const [k, v] of this.db.iterator(bucketRange(Bucket.blockIndex))) yield [plain(k).subarray(1), decodeIndex(plain(v))];
  }
}
