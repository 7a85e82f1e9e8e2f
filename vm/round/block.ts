// The mining part of a block on a chain with training params, after its transactions:
//   contribution parts -> the seal's ticket -> reward split -> round close when due (with the data share
//   of the pool, vm/rewards-split.ts) -> newly registered data activated, a passed task switched in.
// Reward split of subsidy + fees: ticketShareBps / 10,000 (rounded down) is held in the ticket's win
// record for the block's miner; the rest goes into the open round's pool.
import { BPS, type ChainParams, type TrainingParams } from '../../consensus/params.ts';
import { decodeSealTicket } from '../../consensus/seal-pouw.ts';
import type { StateView } from '../view.ts';
import { closeRound } from './close.ts';
import { applyParts, partCovering, readParts } from './parts.ts';
import { decodeSignedPart } from '../../consensus/training/part.ts';
import { bytesEqual } from '../../consensus/bytes.ts';
import { BlockError, BlockErrorCode, TesseraError } from '../../consensus/errors.ts';
import type { RoundInfo } from './keys.ts';
import { requireRound, writeRound } from './state.ts';
import { applyTicket } from './ticket.ts';
import { expireRounds, readClosedRound, writeClosedRound } from './history.ts';
import { resolveRequests } from '../tx/challenge.ts';
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

/**
 * `skip` (block assembly only): each contribution is applied on its own checkpoint, and one that
 * fails (or whose roots the block's own ticket would contradict) is reverted and reported through
 * `skip` instead of failing the block.
 */
export function applyMining(
  view: StateView,
  ctx: MiningContext,
  contributions: readonly Uint8Array[],
  reward: bigint,
  p: ChainParams,
  skip?: (index: number, error: TesseraError<string, object>) => void,
): MiningOutcome {
  const t = p.training!;
  resolveRequests(view, t, ctx.height);
  expireRounds(view, t.challengeWindow, ctx.height);
  const round = requireRound(view);
  const ticket = decodeSealTicket({ height: ctx.height, miner: ctx.miner, seal: ctx.seal }, p);
  if (!skip) applyParts(view, contributions, t, round, ctx.height, p.chainId);
  else {
    // One part at a time on its own checkpoint; a part that fails, a second part of a miner, or a
    // part covering the lane of the block's own ticket (which would then be TICKET_LANE_CLOSED) is
    // left out. The kept list is exactly what applyParts accepts as one block.
    let kept = 0;
    contributions.forEach((bytes, index) => {
      view.checkpoint();
      try {
        if (kept >= t.maxContributionsPerBlock)
          throw new BlockError(BlockErrorCode.TOO_MANY_CONTRIBUTIONS, { height: ctx.height, index, expected: t.maxContributionsPerBlock, got: kept + 1 });
        applyParts(view, [bytes], t, round, ctx.height, p.chainId);
        const miner = decodeSignedPart(t.task, bytes).miner;
        if (readParts(view, round.round, miner).filter((r) => r.height === ctx.height).length > 1)
          throw new BlockError(BlockErrorCode.DUPLICATE_CONTRIBUTION, { height: ctx.height, index, reason: 'a second part of this miner in the block' });
        const covering = partCovering(view, ticket.round, ticket.miner, ticket.lane);
        if (covering && covering.height === ctx.height)
          throw new BlockError(BlockErrorCode.TICKET_LANE_CLOSED, { height: ctx.height, index, reason: `the part covers lane ${ticket.lane} of the block's own ticket` });
        view.commit();
        kept++;
      } catch (e) {
        view.revert();
        if (!(e instanceof TesseraError)) throw e;
        skip(index, e);
      }
    });
  }
  const ticketAmount = (reward * BigInt(t.ticketShareBps)) / BigInt(BPS);
  applyTicket(view, ticket, t, round, ctx.height, ticketAmount);
  const open: RoundInfo = { ...round, pool: round.pool + (reward - ticketAmount) };
  writeRound(view, open);
  if (!closesRound(t, open, ctx.height)) return { round: open, closed: false };
  const closed = closeRound(view, t, open, ctx.height, dataShareHook(view, p, open.round)).next;
  activateRegisteredData(view, closed.round);
  const opened = switchTaskAtBoundary(view, t, closed);
  if (opened !== closed) writeClosedRound(view, { ...readClosedRound(view, open.round)!, taskSwitched: true });
  return { round: opened, closed: true };
}
