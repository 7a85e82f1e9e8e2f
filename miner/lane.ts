// One lane of a round: the H local steps of exact SGD from W_R on the lane's shard (the same
// computation as consensus/training/trajectory.ts runTrajectory, step by step), keeping the
// per-step weights W_{R,m,s} of the steps `keepStep` names (miner/step-store.ts regenerates the
// others for the challenge window). The caller's `shouldStop` is asked between steps so a lane is
// abandoned as soon as its round closes.
import type { MatmulFn } from '../consensus/matmul.ts';
import { checkpointRoot, type Checkpoint } from '../consensus/training/checkpoint.ts';
import { contributionOf, laneLeafOf, type Contribution } from '../consensus/training/contribution.ts';
import type { LaneLeaf } from '../consensus/training/part.ts';
import type { Dataset } from '../consensus/training/dataset.ts';
import { shardIndices, shardSeed, type RoundContext } from '../consensus/training/shard.ts';
import { runStep, stepJobShapes, type StepCommit } from '../consensus/training/step.ts';
import type { TrainingTask } from '../consensus/training/spec.ts';
import { stepBatch } from '../consensus/training/trajectory.ts';
import { faultyCommit, faultyNext, type FaultSpec } from './faults.ts';

/** An injected fault (tests only, miner/faults.ts) and which jobs are ticket jobs. */
export interface LaneFault {
  readonly spec: FaultSpec;
  readonly isTicket: (m: number, k: number, n: number) => boolean;
}

export interface LaneResult {
  readonly contribution: Contribution;
  /** The lane's leaf in its part's lane tree (final weights root, step commitments). */
  readonly leaf: LaneLeaf;
  /** W_{R,m,s} (the input weights of local step s) for the steps s that `keepStep` named. */
  readonly kept: ReadonlyMap<number, readonly Int32Array[]>;
  /** Sum of the per-step batch losses (2^-8 nats) and samples classified right. */
  readonly lossSum: number;
  readonly correct: number;
}

/** Runs a lane; returns undefined when `shouldStop()` said so between two steps. */
export async function runLane(
  task: TrainingTask,
  data: Dataset,
  ck: Checkpoint,
  ctx: RoundContext,
  matmul: MatmulFn,
  shouldStop: () => boolean = () => false,
  keepStep: (s: number) => boolean = () => false,
  fault?: LaneFault,
): Promise<LaneResult | undefined> {
  const shapes = stepJobShapes(task);
  const baseRoot = checkpointRoot(task, ck);
  const seed = shardSeed(baseRoot, ctx);
  const indices = shardIndices(task, data.n, seed);
  const steps: StepCommit[] = [];
  const kept = new Map<number, readonly Int32Array[]>();
  let w: readonly Int32Array[] = ck.weights;
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < task.localSteps; s++) {
    if (shouldStop()) return undefined;
    if (keepStep(s)) kept.set(s, w);
    const r = await runStep(task, data, w, s, stepBatch(task, indices, s), seed, matmul);
    steps.push(fault ? faultyCommit(fault.spec, r.commit, shapes, fault.isTicket) : r.commit);
    w = faultyNext(fault?.spec, ctx.lane, s, w, r.weights);
    lossSum += r.lossSum;
    correct += r.correct;
  }
  const delta = w.map((x, l) => {
    const base = ck.weights[l]!;
    const d = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) d[i] = x[i]! - base[i]!;
    return d;
  });
  const contribution = contributionOf({ ctx, baseRoot, seed, indices, steps, weights: w, delta, lossSum, correct });
  return { contribution, leaf: laneLeafOf(task, ck.weights, contribution), kept, lossSum, correct };
}
