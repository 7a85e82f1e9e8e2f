// Checkpoints stored per round (bucket 0x09) and their held-out evaluations (bucket 0x0a).
// Not consensus data: the node keeps them to serve (RPC, `tessera model export|eval`).
import { u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import type { Checkpoint } from '../../consensus/training/checkpoint.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { decodeTensor, encodeTensor } from '../../vm/round/keys.ts';
import { Bucket, key } from '../db/buckets.ts';
import type { ChainDb } from '../db/db.ts';

export interface StoredCheckpoint {
  readonly round: number;
  readonly root: Uint8Array;
  /** Height of the block whose end opened the round. */
  readonly openedAt: number;
  readonly checkpoint: Checkpoint;
}

export interface RoundEval {
  readonly round: number;
  readonly root: Uint8Array;
  readonly accuracyBp: number;
  readonly lossMilli: number;
  readonly samples: number;
  /** Contributions whose mean delta made W_R (those of round R-1; 0 for round 0). */
  readonly contributions: number;
}

export class CheckpointStore {
  constructor(
    private readonly opts: { task: TrainingTask },
    private readonly modules: { db: ChainDb },
  ) {}

  async put(c: StoredCheckpoint): Promise<void> {
    const tensors = [...c.checkpoint.weights, ...c.checkpoint.momentum].map((t) => encodeTensor(t));
    await this.modules.db.write(this.modules.db.batch().put(key(Bucket.checkpoint, u64be(c.round)), encode([c.root, c.openedAt, tensors])));
  }

  async get(round: number): Promise<StoredCheckpoint | undefined> {
    const v = await this.modules.db.get(key(Bucket.checkpoint, u64be(round)));
    if (!v) return undefined;
    const r = new TupleReader(decodeCanonical(v, 'checkpoint') as unknown[], 'checkpoint');
    const root = r.bytes();
    const openedAt = r.int();
    const raw = r.array() as Uint8Array[];
    const task = this.opts.task;
    const L = layerCount(task);
    const ts = raw.map((b, i) => decodeTensor(b, layerSize(task, i % L)));
    return { round, root, openedAt, checkpoint: { weights: ts.slice(0, L), momentum: ts.slice(L) } };
  }

  async putEval(e: RoundEval): Promise<void> {
    await this.modules.db.write(this.modules.db.batch().put(key(Bucket.roundEval, u64be(e.round)), encode([e.root, e.accuracyBp, e.lossMilli, e.samples, e.contributions])));
  }

  async getEval(round: number): Promise<RoundEval | undefined> {
    const v = await this.modules.db.get(key(Bucket.roundEval, u64be(round)));
    if (!v) return undefined;
    const r = new TupleReader(decodeCanonical(v, 'round evaluation') as unknown[], 'round evaluation');
    return { round, root: r.bytes(), accuracyBp: r.int(), lossMilli: r.int(), samples: r.int(), contributions: r.int() };
  }
}
