// Voiding a part (vm/tx/challenge.ts on a proven fraud, vm/tx/challenge.ts resolveRequests on an
// unanswered data request): its lanes leave their round (the open round's sum, or a closed round's
// kept sum and then the recomputation of the model from there, vm/round/history.ts), what its miner
// was locked for it at close is taken back, fraudBondSlashBps of its bond is slashed, the challenger
// is credited challengeRewardBps of that at once and the rest is burned (0x16). Exact; writes the
// void record (0x15).
import { BPS, challengeParams, type TrainingParams } from '../../consensus/params.ts';
import type { SignedPart } from '../../consensus/training/part.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { removePartUsage } from '../attribution/attribute.ts';
import { credit, takeLocked } from '../rewards.ts';
import type { StateView } from '../view.ts';
import { addChallengeBurned, readPartPaid, readRoundSum, recomputeFrom, writeClosedRound, writeRoundSum } from './history.ts';
import { deltaSumKey, encodePartVoid, encodeSum, partVoidKey, type ClosedRound, type PartVoid, type RoundInfo } from './keys.ts';
import { writeRoundLanes } from './parts.ts';
import { readBond, readDeltaSum, readRoundLanes, writeBond } from './state.ts';

/** A landed part to void, with its round. */
export interface PartInRound {
  readonly part: SignedPart;
  /** The round's task (a closed round's own). */
  readonly task: TrainingTask;
  /** Set when the part's round is closed (still in its window). */
  readonly closed?: ClosedRound;
  readonly open: RoundInfo;
}

/** The part's D out of its round: the open round's sum and lanes, or a closed round's kept sum and lanes, then the recomputation. */
function removeFromRound(view: StateView, c: PartInRound, t: TrainingParams): void {
  const { part, task } = c;
  const sub = (sum: Float64Array[]): Float64Array[] => {
    sum.forEach((x, l) => {
      const d = part.delta[l]!;
      for (let i = 0; i < x.length; i++) x[i] = x[i]! - d[i]!;
    });
    return sum;
  };
  if (!c.closed) {
    const sum = sub(readDeltaSum(view, task));
    sum.forEach((x, l) => view.set(deltaSumKey(l), encodeSum(x)));
    writeRoundLanes(view, readRoundLanes(view) - part.laneCount);
    removePartUsage(view, t, part); // its lanes are not attributed at the close either
    return;
  }
  writeRoundSum(view, part.round, sub(readRoundSum(view, task, part.round)));
  writeClosedRound(view, { ...c.closed, lanes: c.closed.lanes - part.laneCount });
  recomputeFrom(view, part.round, c.open.round);
}

/** Voids the part, slashes and pays `challenger`; returns the void record written. */
export function voidPart(view: StateView, t: TrainingParams, c: PartInRound, challenger: Uint8Array, kind: number, height: number): PartVoid {
  const { part } = c;
  const cp = challengeParams(t);
  removeFromRound(view, c, t);
  const rewardsTaken = c.closed ? takeLocked(view, c.closed.closeHeight + t.challengeWindow, part.miner, readPartPaid(view, part.round, part.miner, part.laneStart)) : 0n;
  const bond = readBond(view, part.miner);
  const bondSlashed = (bond * BigInt(cp.slashBps)) / BigInt(BPS);
  if (bondSlashed > 0n) writeBond(view, part.miner, bond - bondSlashed);
  const total = rewardsTaken + bondSlashed;
  const challengerPaid = (total * BigInt(cp.rewardBps)) / BigInt(BPS);
  credit(view, challenger, challengerPaid);
  addChallengeBurned(view, total - challengerPaid);
  const v: PartVoid = { height, challenger, kind, bondSlashed, rewardsTaken, challengerPaid };
  view.set(partVoidKey(part.round, part.miner, part.laneStart), encodePartVoid(v));
  return v;
}
