// A miner's trajectory in a round: from (task, W_R, R, miner, lane) the H local steps, each
// step's jobs and commitments, and the final delta dW = W_{R,m,H} - W_R. Fully determined by
// public data; computed through any MatmulFn (plain, ticket path, validator replay).
import type { MatmulFn } from '../matmul.ts';
import { checkpointRoot, checkWeights, type Checkpoint } from './checkpoint.ts';
import type { Dataset } from './dataset.ts';
import { shardIndices, shardSeed, type RoundContext } from './shard.ts';
import { runStep, type StepCommit } from './step.ts';
import type { TrainingTask } from './spec.ts';

export interface Trajectory {
  readonly ctx: RoundContext;
  /** Root of W_R (the checkpoint the round opened with). */
  readonly baseRoot: Uint8Array;
  readonly seed: Uint8Array;
  /** The shard: H · batch sample indices. */
  readonly indices: Uint32Array;
  readonly steps: readonly StepCommit[];
  /** W_{R,m,H}. */
  readonly weights: readonly Int32Array[];
  /** W_{R,m,H} - W_R per layer. */
  readonly delta: readonly Int32Array[];
  /** Sum of the per-step batch losses (2^-8 nats) and of the samples classified right during the round. */
  readonly lossSum: number;
  readonly correct: number;
}

export interface StepProgress {
  readonly step: number;
  readonly lossSum: number;
  readonly correct: number;
}

/** Batch of local step s: entries [s·batch, (s+1)·batch) of the shard. */
export function stepBatch(task: TrainingTask, indices: Uint32Array, s: number): Uint32Array {
  return indices.subarray(s * task.batch, (s + 1) * task.batch);
}

export async function runTrajectory(
  task: TrainingTask,
  data: Dataset,
  ck: Checkpoint,
  ctx: RoundContext,
  matmul: MatmulFn,
  onStep?: (p: StepProgress) => void,
): Promise<Trajectory> {
  checkWeights(task, ck.weights, 'weights');
  const baseRoot = checkpointRoot(task, ck);
  const seed = shardSeed(baseRoot, ctx);
  const indices = shardIndices(task, data.n, seed);
  const steps: StepCommit[] = [];
  let w: readonly Int32Array[] = ck.weights;
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < task.localSteps; s++) {
    const r = await runStep(task, data, w, s, stepBatch(task, indices, s), seed, matmul);
    steps.push(r.commit);
    w = r.weights;
    lossSum += r.lossSum;
    correct += r.correct;
    onStep?.({ step: s, lossSum: r.lossSum, correct: r.correct });
  }
  const delta = w.map((x, l) => {
    const base = ck.weights[l]!;
    const d = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) d[i] = x[i]! - base[i]!;
    return d;
  });
  return { ctx, baseRoot, seed, indices, steps, weights: w, delta, lossSum, correct };
}
