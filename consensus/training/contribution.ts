// What one lane of a round yields, before its miner aggregates lanes into a contribution part
// (consensus/training/part.ts, the on-chain format): (R, miner, lane, root of W_R, per-step
// commitments, delta). Not a chain object (the v1 per-lane on-chain contribution, type 0x40, is
// retired); validators and fraud proofs (fraud.ts) work lane by lane on it.
import { weightsRoot } from './checkpoint.ts';
import { lanesRoot, openLanes, sumDeltas, type ContributionPart, type LaneLeaf } from './part.ts';
import type { StepCommit } from './step.ts';
import type { Trajectory } from './trajectory.ts';
import type { TrainingTask } from './spec.ts';

export interface Contribution {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  readonly baseRoot: Uint8Array;
  readonly steps: readonly StepCommit[];
  readonly delta: readonly Int32Array[];
}

export function contributionOf(t: Trajectory): Contribution {
  return { round: t.ctx.round, miner: t.ctx.miner, lane: t.ctx.lane, baseRoot: t.baseRoot, steps: t.steps, delta: t.delta };
}

/** The lane's leaf in its part's lane tree: the root of its final weights W_R + delta, and its steps. */
export function laneLeafOf(task: TrainingTask, base: readonly Int32Array[], c: Pick<Contribution, 'steps' | 'delta'>): LaneLeaf {
  const final = base.map((w, l) => {
    const d = c.delta[l]!;
    const x = new Int32Array(w.length);
    for (let i = 0; i < w.length; i++) x[i] = w[i]! + d[i]!;
    return x;
  });
  return { finalRoot: weightsRoot(task, final), steps: c.steps };
}

/** Bytes a lane adds on chain: none beyond its share of its part (the lane tree's leaves stay off chain). */
export function laneLeafBytesOf(leaf: LaneLeaf): number {
  return 32 + leaf.steps.reduce((n, s) => n + 32 * (1 + 3 * s.jobs.length), 0);
}

/**
 * The unsigned part of consecutive lanes (lanes[i] is lane laneStart + i of one miner and round,
 * trained from W_R = `base`), with openings of `openLanesOf`.
 */
export function partOfLanes(task: TrainingTask, base: readonly Int32Array[], lanes: readonly Contribution[], openLanesOf: readonly number[] = []): ContributionPart {
  const first = lanes[0];
  if (!first) throw new RangeError('a part needs a lane');
  lanes.forEach((c, i) => {
    if (c.lane !== first.lane + i || c.round !== first.round) throw new RangeError(`lane ${c.lane} of round ${c.round} is not lane ${first.lane + i} of round ${first.round}`);
  });
  const leaves = lanes.map((c) => laneLeafOf(task, base, c));
  return {
    round: first.round, miner: first.miner, laneStart: first.lane, laneCount: lanes.length, baseRoot: first.baseRoot,
    lanesRoot: lanesRoot(first.lane, leaves), delta: sumDeltas(task, lanes.map((c) => c.delta)), openings: openLanes(first.lane, leaves, openLanesOf),
  };
}
