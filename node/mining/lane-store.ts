// The mining node's own landed lanes (bucket ownLane): per lane the base root W_R it started from
// and its H committed step weights roots, written when a part of the lanes lands in a block the node
// built. Parts carry only their lanes' root on chain, so after a restart this is where the node
// finds the lanes whose per-step data it must keep serving for the challenge window
// (MiningService restores them into the worker's StepStore). Rounds behind the window are deleted.
import { u32be, u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { ChainDb } from '../db/db.ts';

export interface OwnLane {
  readonly round: number;
  readonly lane: number;
  readonly baseRoot: Uint8Array;
  readonly roots: readonly Uint8Array[];
}

export class LaneStore {
  constructor(private readonly modules: { db: ChainDb }) {}

  async put(lanes: readonly OwnLane[]): Promise<void> {
    if (lanes.length === 0) return;
    const b = this.modules.db.batch();
    for (const l of lanes) b.put(key(Bucket.ownLane, u64be(l.round), u32be(l.lane)), encode([l.baseRoot, [...l.roots]]));
    await this.modules.db.write(b);
  }

  /** Own lanes of rounds >= `fromRound`, in (round, lane) order. */
  async from(fromRound: number): Promise<OwnLane[]> {
    const out: OwnLane[] = [];
    for await (const [k, v] of this.modules.db.bucketEntries(Bucket.ownLane, u64be(fromRound))) {
      const dv = new DataView(k.buffer, k.byteOffset, k.length);
      const r = TupleReader.of(decodeCanonical(v, 'own lane'), 'own lane', 2);
      const baseRoot = r.bytes(32);
      const roots = r.array().map((x) => {
        if (!(x instanceof Uint8Array) || x.length !== 32) throw new RangeError('own lane: a root is not 32 bytes');
        return new Uint8Array(x);
      });
      r.end();
      out.push({ round: Number(dv.getBigUint64(0)), lane: dv.getUint32(8), baseRoot, roots });
    }
    return out;
  }

  /** Deletes the lanes of rounds below `round`. */
  async pruneBelow(round: number): Promise<void> {
    const b = this.modules.db.batch();
    for await (const [k] of this.modules.db.bucketEntries(Bucket.ownLane)) {
      if (Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0)) >= round) break;
      b.del(key(Bucket.ownLane, k));
    }
    if (b.ops.length > 0) await this.modules.db.write(b);
  }
}
