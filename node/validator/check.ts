// The validator's re-execution of a part (DESIGN.md "Validators"), on consensus code only
// (consensus/training/step.ts runStep, the shard PRF, the lane leaf of consensus/training/part.ts):
//   step check:  from W_{R,m,lane,s} (served and checked against the leaf's root of step s, or
//                recomputed from W_R) re-execute step s; compare the step's job roots and the root
//                of step s + 1 (for the last step: the lane's final root) with the leaf.
//   recompute:   W_R -> W_s step by step, each W_t checked against the leaf's root of step t; the
//                first mismatch locates the wrong step (t - 1), or the lane does not start at W_R.
//   aggregate:   every lane's final weights (one step from a served W_{H-1}, or the whole lane from
//                W_R), each checked against its leaf's final root, summed minus W_R against D.
// Every finding names one step (and job) or one element of D: what a single-step or single-element
// fraud proof needs.
import { bytesEqual } from '../../consensus/bytes.ts';
import type { MatmulFn } from '../../consensus/matmul.ts';
import { weightsRoot } from '../../consensus/training/checkpoint.ts';
import type { Dataset } from '../../consensus/training/dataset.ts';
import type { AggDelta, LaneLeaf } from '../../consensus/training/part.ts';
import { shardIndices, shardSeed } from '../../consensus/training/shard.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { runStep } from '../../consensus/training/step.ts';
import { stepBatch } from '../../consensus/training/trajectory.ts';

/** Which lane of which round: the shard's public inputs. */
export interface LaneRef {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  /** Root of W_R (the part's baseRoot). */
  readonly baseRoot: Uint8Array;
}

export type StepFinding =
  | { readonly ok: true; readonly next: Int32Array[] }
  /** base: the leaf's step 0 root is not W_R's; job: job `jobId` of `step` differs; next-weights: the root after `step` differs. */
  | { readonly ok: false; readonly step: number; readonly reason: 'base' | 'job' | 'next-weights'; readonly jobId?: number; readonly weights: readonly Int32Array[] };

export type Fault = Extract<StepFinding, { ok: false }>;

export interface CheckCtx {
  readonly task: TrainingTask;
  readonly data: Dataset;
  readonly matmul: MatmulFn;
}

function shard(c: CheckCtx, ref: LaneRef): { seed: Uint8Array; indices: Uint32Array } {
  const seed = shardSeed(ref.baseRoot, { round: ref.round, miner: ref.miner, lane: ref.lane });
  return { seed, indices: shardIndices(c.task, c.data.n, seed) };
}

/**
 * Re-executes step `s` of the lane from `ws` (which must be the leaf's W_s: throws RangeError
 * otherwise, the caller checks served data first) and compares with the leaf.
 */
export async function reexecuteStep(c: CheckCtx, ref: LaneRef, leaf: LaneLeaf, s: number, ws: readonly Int32Array[]): Promise<StepFinding> {
  const { task } = c;
  if (!Number.isInteger(s) || s < 0 || s >= task.localSteps) throw new RangeError(`step ${s} outside [0, ${task.localSteps})`);
  if (!bytesEqual(weightsRoot(task, ws), leaf.steps[s]!.weightsRoot)) throw new RangeError(`W_${s} is not the leaf's`);
  const { seed, indices } = shard(c, ref);
  const r = await runStep(task, c.data, ws, s, stepBatch(task, indices, s), seed, c.matmul);
  const claimed = leaf.steps[s]!.jobs;
  for (let j = 0; j < r.commit.jobs.length; j++) {
    const a = r.commit.jobs[j]!;
    const b = claimed[j]!;
    if (!bytesEqual(a.aRoot, b.aRoot) || !bytesEqual(a.bRoot, b.bRoot) || !bytesEqual(a.cRoot, b.cRoot)) return { ok: false, step: s, reason: 'job', jobId: j, weights: ws };
  }
  const next = s + 1 < task.localSteps ? leaf.steps[s + 1]!.weightsRoot : leaf.finalRoot;
  if (!bytesEqual(weightsRoot(task, r.weights), next)) return { ok: false, step: s, reason: 'next-weights', weights: ws };
  return { ok: true, next: r.weights };
}

/**
 * W_s of the lane recomputed from W_R (s steps), every intermediate root checked against the leaf:
 * the weights when they all match, else the fault the first mismatch proves.
 */
export async function recomputeTo(c: CheckCtx, ref: LaneRef, leaf: LaneLeaf, wR: readonly Int32Array[], s: number): Promise<{ weights: readonly Int32Array[] } | { fault: Fault }> {
  const { task } = c;
  if (!bytesEqual(weightsRoot(task, wR), leaf.steps[0]!.weightsRoot)) return { fault: { ok: false, step: 0, reason: 'base', weights: wR } };
  const { seed, indices } = shard(c, ref);
  let w = wR;
  for (let t = 0; t < s; t++) {
    const r = await runStep(task, c.data, w, t, stepBatch(task, indices, t), seed, c.matmul);
    const claimed = leaf.steps[t]!.jobs;
    const j = r.commit.jobs.findIndex((a, i) => !bytesEqual(a.aRoot, claimed[i]!.aRoot) || !bytesEqual(a.bRoot, claimed[i]!.bRoot) || !bytesEqual(a.cRoot, claimed[i]!.cRoot));
    if (j >= 0) return { fault: { ok: false, step: t, reason: 'job', jobId: j, weights: w } };
    if (!bytesEqual(weightsRoot(task, r.weights), leaf.steps[t + 1]!.weightsRoot)) return { fault: { ok: false, step: t, reason: 'next-weights', weights: w } };
    w = r.weights;
  }
  return { weights: w };
}

/** First element where sum over lanes of (final - W_R) differs from D, or undefined when they agree. */
export function aggregateMismatch(task: TrainingTask, wR: readonly Int32Array[], finals: readonly (readonly Int32Array[])[], delta: AggDelta): { layer: number; index: number; expected: number; got: number } | undefined {
  for (let l = 0; l < layerCount(task); l++) {
    const n = layerSize(task, l);
    const base = wR[l]!;
    const d = delta[l]!;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (const f of finals) sum += f[l]![i]! - base[i]!;
      if (sum !== d[i]) return { layer: l, index: i, expected: sum, got: d[i]! };
    }
  }
  return undefined;
}
