// Fraud proofs of a contribution: the single-step re-execution every node runs on a challenge,
// and the validator's replay that finds the first wrong step.
// Step s is consistent when, re-executed from W_s (whose root the contribution commits), it
// reproduces the committed roots of its jobs and the committed root of W_{s+1} (for the last
// step: the root of W_R + delta).
import { bytesEqual } from '../bytes.ts';
import type { MatmulFn } from '../matmul.ts';
import { checkpointRoot, checkWeights, weightsRoot, type Checkpoint } from './checkpoint.ts';
import type { Contribution } from './contribution.ts';
import type { Dataset } from './dataset.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import { shardIndices, shardSeed } from './shard.ts';
import { runStep } from './step.ts';
import { stepBatch } from './trajectory.ts';
import type { TrainingTask } from './spec.ts';

export type StepVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'job'; readonly jobId: number }
  | { readonly ok: false; readonly reason: 'next-weights' };

/** Root of W_R + delta, the weights a contribution claims after its last step. */
export function finalWeightsRoot(task: TrainingTask, base: Checkpoint, c: Contribution): Uint8Array {
  checkWeights(task, c.delta, 'delta');
  return weightsRoot(task, base.weights.map((w, l) => {
    const d = c.delta[l]!;
    const out = new Int32Array(w.length);
    for (let i = 0; i < w.length; i++) out[i] = w[i]! + d[i]!;
    return out;
  }));
}

function seedOf(task: TrainingTask, base: Checkpoint, c: Contribution): Uint8Array {
  const root = checkpointRoot(task, base);
  if (!bytesEqual(root, c.baseRoot)) throw new TrainingError(TrainingErrorCode.BAD_CONTRIBUTION, { what: 'baseRoot', reason: 'not the root of the given W_R' });
  return shardSeed(root, { round: c.round, miner: c.miner, lane: c.lane });
}

/**
 * Re-executes step `s` of contribution `c` from `ws` (= W_{R,m,s}) and compares.
 * Throws BAD_CHALLENGE when `ws` is not the committed W_s (a challenge must start from it).
 */
export async function checkStep(
  task: TrainingTask,
  data: Dataset,
  base: Checkpoint,
  c: Contribution,
  s: number,
  ws: readonly Int32Array[],
  matmul: MatmulFn,
): Promise<StepVerdict> {
  if (!Number.isInteger(s) || s < 0 || s >= c.steps.length) throw new TrainingError(TrainingErrorCode.BAD_CHALLENGE, { what: 'step', step: s });
  if (!bytesEqual(weightsRoot(task, ws), c.steps[s]!.weightsRoot))
    throw new TrainingError(TrainingErrorCode.BAD_CHALLENGE, { what: 'weights', step: s, reason: 'not the committed W_s' });
  const seed = seedOf(task, base, c);
  const indices = shardIndices(task, data.n, seed);
  const r = await runStep(task, data, ws, s, stepBatch(task, indices, s), seed, matmul);
  const claimed = c.steps[s]!.jobs;
  for (let j = 0; j < r.commit.jobs.length; j++) {
    const a = r.commit.jobs[j]!;
    const b = claimed[j];
    if (!b || !bytesEqual(a.aRoot, b.aRoot) || !bytesEqual(a.bRoot, b.bRoot) || !bytesEqual(a.cRoot, b.cRoot)) return { ok: false, reason: 'job', jobId: j };
  }
  const next = s + 1 < c.steps.length ? c.steps[s + 1]!.weightsRoot : finalWeightsRoot(task, base, c);
  if (!bytesEqual(weightsRoot(task, r.weights), next)) return { ok: false, reason: 'next-weights' };
  return { ok: true };
}

export interface Fraud {
  /** First wrong step. */
  readonly step: number;
  /** The true W_s, which matches the committed root of step s: the challenge's evidence. */
  readonly weights: readonly Int32Array[];
}

/** Replays the trajectory; returns the first step that does not reproduce, or null for an honest contribution. */
export async function findFirstFraud(task: TrainingTask, data: Dataset, base: Checkpoint, c: Contribution, matmul: MatmulFn): Promise<Fraud | null> {
  const seed = seedOf(task, base, c);
  const indices = shardIndices(task, data.n, seed);
  if (c.steps.length !== task.localSteps) throw new TrainingError(TrainingErrorCode.BAD_CONTRIBUTION, { what: 'steps', reason: `${c.steps.length}` });
  let w: readonly Int32Array[] = base.weights;
  // step 0 must start from W_R itself
  if (!bytesEqual(weightsRoot(task, w), c.steps[0]!.weightsRoot)) return { step: 0, weights: w };
  for (let s = 0; s < task.localSteps; s++) {
    const r = await runStep(task, data, w, s, stepBatch(task, indices, s), seed, matmul);
    const claimed = c.steps[s]!;
    const jobsOk = r.commit.jobs.every((a, j) => {
      const b = claimed.jobs[j];
      return b !== undefined && bytesEqual(a.aRoot, b.aRoot) && bytesEqual(a.bRoot, b.bRoot) && bytesEqual(a.cRoot, b.cRoot);
    });
    const next = s + 1 < task.localSteps ? c.steps[s + 1]!.weightsRoot : finalWeightsRoot(task, base, c);
    if (!jobsOk || !bytesEqual(weightsRoot(task, r.weights), next)) return { step: s, weights: w };
    w = r.weights;
  }
  return null;
}
