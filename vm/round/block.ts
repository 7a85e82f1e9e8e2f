// The mining part of a block on a chain with training params, after its transactions:
//   contributions -> the seal's ticket -> reward split -> round close when due (with the data share
//   of the pool, vm/rewards-split.ts) -> newly registered data activated, a passed task switched in.
// Reward split of subsidy + fees: ticketShareBps / 10,000 (rounded down) is held in the ticket's win
// record for the block's miner; the rest goes into the open round's pool.
import { BPS, type ChainParams, type TrainingParams } from '../../consensus/params.ts';
import { decodeSealTicket } from '../../consensus/seal-pouw.ts';
import type { StateView } from '../view.ts';
import { closeRound } from './close.ts';
import { applyContributions } from './contributions.ts';
import type { RoundInfo } from './keys.ts';
import { requireRound, writeRound } from './state.ts';
import { applyTicket } from './ticket.ts';
import { dataShareHook } from '../rewards-split.ts';
import { activateRegisteredData } from '../attribution/attribute.ts';
import { switchTaskAtBoundary } from '../governance/task-switch.ts';

export interface MiningContext {
  readonly height: number;
  readonly miner: Uint8Array;
  /** The header's seal: an encoded TicketProof. */
  readonly seal: Uint8Array;
}

export interface MiningOutcome {
  /** The open round after the block (its checkpointRoot is what the header must carry). */
  readonly round: RoundInfo;
  /** True when the block closed a round. */
  readonly closed: boolean;
}

/** Whether the block at `height` closes `round`. */
export function closesRound(t: TrainingParams, round: RoundInfo, height: number): boolean {
  return height >= round.openedAt + t.roundBlocks;
}

export function applyMining(view: StateView, ctx: MiningContext, contributions: readonly Uint8Array[], reward: bigint, p: ChainParams): MiningOutcome {
  const t = p.training!;
  const round = requireRound(view);
  const ticket = decodeSealTicket({ height: ctx.height, miner: ctx.miner, seal: ctx.seal }, p);
  applyContributions(view, contributions, t, round, ctx.height, p.chainId);
  const ticketAmount = (reward * BigInt(t.ticketShareBps)) / BigInt(BPS);
  applyTicket(view, ticket, t, round, ctx.height, ticketAmount);
  const open: RoundInfo = { ...round, pool: round.pool + (reward - ticketAmount) };
  writeRound(view, open);
  if (!closesRound(t, open, ctx.height)) return { round: open, closed: false };
  const closed = closeRound(view, t, open, ctx.height, dataShareHook(view, p, open.round, open.checkpointRoot)).next;
  activateRegisteredData(view);
  return { round: switchTaskAtBoundary(view, t, closed), closed: true };
}
