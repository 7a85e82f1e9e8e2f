// The governance-parameterised reward split (DESIGN.md "Attribution and rewards"):
//  - every block: floor(reward · treasuryShareBps / 10^4) of subsidy + fees goes to the treasury;
//    the rest follows the chain's rule (no training: locked for the miner; training: the ticket
//    share and the round pool, vm/round/block.ts);
//  - at a round close with finalized lanes and registered data: floor(pool · dataShareBps / 10^4)
//    of the round pool goes to the data contributors pro rata samples used (vm/attribution/),
//    the rest to the contributing miners pro rata MACs (vm/round/close.ts).
import { BPS, governanceOf, type ChainParams } from '../consensus/params.ts';
import { attributeRound } from './attribution/attribute.ts';
import { addTreasury } from './governance/state.ts';
import type { StateView } from './view.ts';

/** Credits the treasury's part of a block reward; returns the rest. */
export function takeTreasuryShare(view: StateView, p: ChainParams, reward: bigint): bigint {
  const share = (reward * BigInt(governanceOf(p).treasuryShareBps)) / BigInt(BPS);
  addTreasury(view, share);
  return reward - share;
}

/**
 * What the round close calls with its count of finalized lanes (their shards were counted as their
 * parts landed): pays the data share, returns what it took from the pool.
 */
export type DataShareHook = (lanes: number, pool: bigint, closeHeight: number, unlockAt: number) => bigint;

export function dataShareHook(view: StateView, p: ChainParams, round: number): DataShareHook {
  return (lanes, pool, closeHeight, unlockAt) => {
    const data = (pool * BigInt(governanceOf(p).dataShareBps)) / BigInt(BPS);
    if (data === 0n) return 0n;
    return attributeRound(view, round, lanes, data, closeHeight, unlockAt) ? data : 0n;
  };
}
