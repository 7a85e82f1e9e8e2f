// The leaves of the lanes this node's miner finished (bucket laneLeaf): per lane its final weights
// root and its H step commitments (consensus/training/part.ts LaneLeaf), with the base root W_R it
// started from. A part carries only the root over its lanes' leaves on chain; a validator that
// samples lane l of a part needs l's leaf and its Merkle path in that root, so the miner's node
// keeps every finished lane's leaf for the challenge window and serves openings built from them
// (node/network/reqresp.ts, step-data). Written when the worker hands a lane over, whichever
// block its part lands in; rounds more than `keepRounds` behind the newest are deleted.
import { bytesEqual, u32be, u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import { stepTuple, type LaneLeaf } from '../../consensus/training/part.ts';
import type { JobCommit, StepCommit } from '../../consensus/training/step.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { ChainDb } from '../db/db.ts';

export interface LaneLeafStoreOpts {
  /** Rounds kept behind the newest one written (the challenge window in rounds, + 1). */
  readonly keepRounds: number;
}

export class LaneLeafStore {
  private newest = -1;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: LaneLeafStoreOpts,
    private readonly modules: { db: ChainDb },
  ) {}

  /** Keeps the leaf of (round, lane), trained from W_R with root `baseRoot` (writes run in order). */
  put(round: number, lane: number, baseRoot: Uint8Array, leaf: LaneLeaf): Promise<void> {
    const value = encode([baseRoot, leaf.finalRoot, leaf.steps.map(stepTuple)]);
    const next = this.writes.then(async () => {
      await this.modules.db.write(this.modules.db.batch().put(key(Bucket.laneLeaf, u64be(round), u32be(lane)), value));
      if (round > this.newest) {
        this.newest = round;
        await this.pruneBelow(round - this.opts.keepRounds);
      }
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every put so far is written. */
  flushed(): Promise<void> {
    return this.writes;
  }

  async get(round: number, lane: number): Promise<{ baseRoot: Uint8Array; leaf: LaneLeaf } | undefined> {
    const v = await this.modules.db.get(key(Bucket.laneLeaf, u64be(round), u32be(lane)));
    if (!v) return undefined;
    const r = TupleReader.of(decodeCanonical(v, 'lane leaf'), 'lane leaf', 3);
    const baseRoot = r.bytes(32);
    const finalRoot = r.bytes(32);
    // as written (the task of the lane's round; governance may change the task between rounds)
    const steps: StepCommit[] = r.array().map((raw) => {
      if (!Array.isArray(raw) || raw.length % 3 !== 1 || !raw.every((x) => x instanceof Uint8Array && x.length === 32)) throw new RangeError('lane leaf: a step is not [weightsRoot, (a, b, c)...]');
      const xs = raw as Uint8Array[];
      const jobs: JobCommit[] = [];
      for (let j = 1; j < xs.length; j += 3) jobs.push({ aRoot: xs[j]!, bRoot: xs[j + 1]!, cRoot: xs[j + 2]! });
      return { weightsRoot: xs[0]!, jobs };
    });
    r.end();
    return { baseRoot, leaf: { finalRoot, steps } };
  }

  /**
   * The leaves of lanes laneStart .. laneStart + laneCount - 1 of `round`, all trained from the
   * same W_R; undefined when one is missing (a lane this node did not finish, or pruned).
   */
  async range(round: number, laneStart: number, laneCount: number): Promise<LaneLeaf[] | undefined> {
    const out: LaneLeaf[] = [];
    let base: Uint8Array | undefined;
    for (let l = laneStart; l < laneStart + laneCount; l++) {
      const e = await this.get(round, l);
      if (!e || (base && !bytesEqual(base, e.baseRoot))) return undefined;
      base = e.baseRoot;
      out.push(e.leaf);
    }
    return out;
  }

  /** Deletes the leaves of rounds below `round`. */
  async pruneBelow(round: number): Promise<void> {
    if (round <= 0) return;
    const b = this.modules.db.batch();
    for await (const [k] of this.modules.db.bucketEntries(Bucket.laneLeaf)) {
      if (Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0)) >= round) break;
      b.del(key(Bucket.laneLeaf, k));
    }
    if (b.ops.length > 0) await this.modules.db.write(b);
  }
}
