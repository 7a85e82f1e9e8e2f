// A miner's data shard for a round: a PRF of (root of W_R, R, miner, lane) over the training
// samples. seed = SHA-256("tessera/train/shard/v1" || ckptRoot || u64be(R) || miner || u32be(lane));
// the shard is the first H·batch entries of a partial Fisher-Yates shuffle of [0, n) driven by
// the seed's stream (a fresh pass when H·batch > n), step s taking entries [s·batch, (s+1)·batch).
import { TrainingError, TrainingErrorCode } from './errors.ts';
import { deriveSeed, PrfStream, u32, u64 } from './prf.ts';
import type { TrainingTask } from './spec.ts';

export interface RoundContext {
  /** Round number R. */
  readonly round: number;
  /** Miner address (20 bytes). */
  readonly miner: Uint8Array;
  /** Lane of the miner in this round. */
  readonly lane: number;
}

export function shardSeed(ckptRoot: Uint8Array, ctx: RoundContext): Uint8Array {
  if (ckptRoot.length !== 32) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'ckptRoot' });
  if (ctx.miner.length !== 20) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'miner', reason: `${ctx.miner.length} bytes` });
  return deriveSeed('tessera/train/shard/v1', ckptRoot, u64(ctx.round), ctx.miner, u32(ctx.lane));
}

/** The shard's sample indices: H·batch indices into a training set of n samples. */
export function shardIndices(task: TrainingTask, n: number, seed: Uint8Array): Uint32Array {
  const total = task.localSteps * task.batch;
  const out = new Uint32Array(total);
  const prf = new PrfStream(seed);
  let perm = new Uint32Array(0);
  let left = 0;
  for (let i = 0; i < total; i++) {
    if (left === 0) {
      perm = new Uint32Array(n);
      for (let j = 0; j < n; j++) perm[j] = j;
      left = n;
    }
    // pick uniformly among the `left` not yet drawn in this pass, move it to the end
    const j = prf.below(left);
    const v = perm[j]!;
    perm[j] = perm[left - 1]!;
    perm[left - 1] = v;
    left--;
    out[i] = v;
  }
  return out;
}
