// Round close, at the end of block openedAt + roundBlocks:
//  1. W_{R+1} = outerUpdate(task, W_R, deltas of the round's contributions in key order (miner, lane));
//     no contribution: W_{R+1} = W_R.
//  2. every win of round R: its miner's contribution for (R, lane) landed (its roots were checked when
//     the second of the two arrived) -> the held ticket share is locked for the winner; else burned
//     (recorded at 0x08 || R).
//  3. the data share of the pool goes to the data contributors (vm/rewards-split.ts, `payData`, given the
//     finalized (miner, lane) list); the rest of the round pool is paid to the contributions pro rata MACs (equal per lane: every lane runs
//     the same H steps); the rounding remainder, or the whole pool when nobody contributed, carries
//     over to round R+1's pool.
//  4. every payment matures at closeHeight + challengeWindow; the round's contributions and wins are
//     deleted (tickets for a closed round are refused, so nothing can refer to them again).
import { checkpointRoot } from '../../consensus/training/checkpoint.ts';
import { outerUpdate } from '../../consensus/training/outer.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { lockReward } from '../rewards.ts';
import type { StateView } from '../view.ts';
import type { DataShareHook } from '../rewards-split.ts';
import { burnedKey, contributionKey, contributionPrefix, decodeWin, encodeAmount, tileIdOfWinKey, winPrefix, type RoundInfo } from './keys.ts';
import { contributionMacs, readCheckpoint, readContributions, writeCheckpoint, writeRound } from './state.ts';

export interface CloseOutcome {
  readonly next: RoundInfo;
  readonly contributions: number;
  readonly burned: bigint;
}

export function closeRound(view: StateView, t: TrainingParams, round: RoundInfo, height: number, payData?: DataShareHook): CloseOutcome {
  const task = t.task;
  const R = round.round;
  const unlockAt = height + t.challengeWindow;
  const contributions = readContributions(view, task, R);
  const ck = readCheckpoint(view, task);
  const next = contributions.length > 0 ? outerUpdate(task, ck, contributions.map((c) => c.delta)) : ck;

  let burned = 0n;
  for (const wk of view.keysWithPrefix(winPrefix(R))) {
    const id = tileIdOfWinKey(wk);
    const w = decodeWin(view.get(wk)!);
    if (view.get(contributionKey(R, id.miner, id.lane))) lockReward(view, unlockAt, id.miner, w.amount);
    else burned += w.amount;
    view.set(wk, null);
  }
  if (burned > 0n) view.set(burnedKey(R), encodeAmount(burned));

  let carry = round.pool;
  if (contributions.length > 0) {
    const minersPool = round.pool - (payData?.(contributions.map((c) => ({ miner: c.miner, lane: c.lane })), round.pool, height, unlockAt) ?? 0n);
    carry = minersPool;
    const macs = contributionMacs(task);
    const total = macs * BigInt(contributions.length);
    for (const c of contributions) {
      const share = (minersPool * macs) / total;
      lockReward(view, unlockAt, c.miner, share);
      carry -= share;
    }
  }
  for (const k of view.keysWithPrefix(contributionPrefix(R))) view.set(k, null);

  writeCheckpoint(view, next);
  const info: RoundInfo = { round: R + 1, openedAt: height, checkpointRoot: checkpointRoot(task, next), pool: carry };
  writeRound(view, info);
  return { next: info, contributions: contributions.length, burned };
}
