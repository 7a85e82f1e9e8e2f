// Round close, at the end of block openedAt + roundBlocks:
//  1. the round's finalized lanes: the landed parts not void (miner, [laneStart, laneStart + laneCount)), in
//     key order (miner, laneStart). What later rules attach to finalized work (attribution) hooks in
//     here, where they are known.
//  2. W_{R+1} = outerUpdateFromSum(task, W_R, sum of the parts' D, lanes): the exact mean over all
//     of the round's lanes (consensus/training/outer.ts); no lane: W_{R+1} = W_R. W_R here is the
//     round's recomputed base when a proven fraud in an earlier round replaced it (history.ts).
//  3. every win of round R: its lane is in a landed part of its miner (the part proved the win's
//     roots against the lane's leaf when it landed) -> the held ticket share is locked for the
//     winner; else burned (recorded at 0x08 || R).
//  4. the data share of the pool goes to the data contributors (vm/rewards-split.ts, `payData`,
//     given the finalized lanes); the rest pays every lane the same price, / max(laneBudget, lanes of the round),
//     rounded down; what no lane claims carries over to round R+1's pool. A lane's price does not
//     depend on which other parts landed while the round has at most laneBudget lanes, so a block
//     producer gains nothing by leaving other miners' parts out (docs/mining-vm.md).
//  5. every payment is locked until closeHeight + challengeWindow (so a proven fraud can still void
//     it); the round's delta sum, lane count and wins are deleted from the open-round keys. Kept for
//     the challenge window (fraud proofs, vm/round/history.ts): the parts' records, what each was
//     paid, the base the update applied to, the delta sum, the lanes and the task.
import { checkpointRoot, weightsRoot } from '../../consensus/training/checkpoint.ts';
import { encodeTask } from '../../consensus/training/task-codec.ts';
import { outerUpdateFromSum } from '../../consensus/training/outer.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { compareBytes } from '../../consensus/bytes.ts';
import { lockReward } from '../rewards.ts';
import type { StateView } from '../view.ts';
import { burnedKey, decodeWin, deltaSumKey, encodeAmount, partPaidKey, tileIdOfWinKey, winPrefix, type PartRecord, type RoundInfo } from './keys.ts';
import { isPartVoid, readRoundBase, writeClosedRound, writeRoundBase, writeRoundSum } from './history.ts';
import { readParts, writeRoundLanes } from './parts.ts';
import { readCheckpoint, readDeltaSum, readRoundLanes, writeCheckpoint, writeRound } from './state.ts';
import { layerCount } from '../../consensus/training/spec.ts';

/** A finalized lane range of the closing round. */
export interface FinalizedLanes {
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
}
import type { DataShareHook } from '../rewards-split.ts';

export interface CloseOutcome {
  readonly next: RoundInfo;
  /** Parts and lanes of the closed round. */
  readonly parts: number;
  readonly lanes: number;
  readonly burned: bigint;
  readonly finalized: readonly FinalizedLanes[];
}

/** Price of one lane of a round: pool / max(laneBudget, lanes), rounded down. */
export function lanePrice(t: TrainingParams, pool: bigint, lanes: number): bigint {
  const div = Math.max(t.laneBudget, lanes, 1);
  return pool / BigInt(div);
}

function covering(parts: readonly PartRecord[], miner: Uint8Array, lane: number): number {
  return parts.findIndex((p) => compareBytes(p.miner, miner) === 0 && lane >= p.laneStart && lane < p.laneStart + p.laneCount);
}

export function closeRound(view: StateView, t: TrainingParams, round: RoundInfo, height: number, payData?: DataShareHook): CloseOutcome {
  const task = t.task;
  const R = round.round;
  const unlockAt = height + t.challengeWindow;

  // 1. the round's finalized lanes
  const parts = readParts(view, R).filter((p) => !isPartVoid(view, R, p.miner, p.laneStart));
  const paid = parts.map(() => 0n);
  const finalized: FinalizedLanes[] = parts.map((p) => ({ miner: p.miner, laneStart: p.laneStart, laneCount: p.laneCount }));

  // 2. the outer update: exact mean over the round's lanes
  const lanes = readRoundLanes(view);
  const trained = readCheckpoint(view, task);
  const ck = readRoundBase(view, task, R) ?? trained;
  const sum = readDeltaSum(view, task);
  const next = lanes > 0 ? outerUpdateFromSum(task, ck, sum, lanes) : ck;

  // 3. ticket shares
  let burned = 0n;
  for (const wk of view.keysWithPrefix(winPrefix(R))) {
    const id = tileIdOfWinKey(wk);
    const w = decodeWin(view.get(wk)!);
    const at = covering(parts, id.miner, id.lane);
    if (at >= 0) {
      lockReward(view, unlockAt, id.miner, w.amount);
      paid[at] = paid[at]! + w.amount;
    } else burned += w.amount;
    view.set(wk, null);
  }
  if (burned > 0n) view.set(burnedKey(R), encodeAmount(burned));

  // 4. the pool: a fixed price per lane, the rest carried
  const minersPool = lanes > 0 ? round.pool - (payData?.(finalized.flatMap((f) => Array.from({ length: f.laneCount }, (_, i) => ({ miner: f.miner, lane: f.laneStart + i }))), round.pool, height, unlockAt) ?? 0n) : round.pool;
  let carry = minersPool;
  const price = lanePrice(t, minersPool, lanes);
  parts.forEach((p, i) => {
    const pay = price * BigInt(p.laneCount);
    lockReward(view, unlockAt, p.miner, pay);
    carry -= pay;
    paid[i] = paid[i]! + pay;
  });

  // 5. kept for the challenge window; the open round's keys cleared
  writeClosedRound(view, {
    round: R, closeHeight: height, baseRoot: round.checkpointRoot, baseWeightsRoot: weightsRoot(task, trained.weights), lanes, taskSwitched: false, task: encodeTask(task),
  });
  writeRoundBase(view, R, ck);
  writeRoundSum(view, R, sum);
  parts.forEach((p, i) => {
    if (paid[i]! > 0n) view.set(partPaidKey(R, p.miner, p.laneStart), encodeAmount(paid[i]!));
  });
  for (let l = 0; l < layerCount(task); l++) view.set(deltaSumKey(l), null);
  writeRoundLanes(view, 0);
  writeCheckpoint(view, next);
  const info: RoundInfo = { round: R + 1, openedAt: height, checkpointRoot: checkpointRoot(task, next), pool: carry };
  writeRound(view, info);
  return { next: info, parts: parts.length, lanes, burned, finalized };
}
