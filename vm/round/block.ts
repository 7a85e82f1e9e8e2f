// The mining part of a block on a chain with training params, after its transactions:
//   contributions -> the seal's ticket -> reward split -> round close when due.
// Reward split of subsidy + fees: ticketShareBps / 10,000 (rounded down) is held in the ticket's win
// record for the block's miner; the rest goes into the open round's pool.
import { BPS, type ChainParams, type TrainingParams } from '../../consensus/params.ts';
import { decodeSealTicket } from '../../consensus/seal-pouw.ts';
import type { StateView } from '../view.ts';
import { closeRound } from './close.ts';
import { applyContributions, checkWinAgainst } from './contributions.ts';
import { bytesEqual } from '../../consensus/bytes.ts';
import { BlockError, BlockErrorCode, TesseraError } from '../../consensus/errors.ts';
import { decodeSignedContribution } from '../../consensus/training/contribution.ts';
import type { RoundInfo } from './keys.ts';
import { requireRound, writeRound } from './state.ts';
import { applyTicket } from './ticket.ts';

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
  const round = requireRound(view);
  const ticket = decodeSealTicket({ height: ctx.height, miner: ctx.miner, seal: ctx.seal }, p);
  if (!skip) applyContributions(view, contributions, t, round, ctx.height, p.chainId);
  else {
    let kept = 0;
    contributions.forEach((bytes, index) => {
      view.checkpoint();
      try {
        if (kept >= t.maxContributionsPerBlock)
          throw new BlockError(BlockErrorCode.TOO_MANY_CONTRIBUTIONS, { height: ctx.height, index, expected: t.maxContributionsPerBlock, got: kept + 1 });
        applyContributions(view, [bytes], t, round, ctx.height, p.chainId);
        const c = decodeSignedContribution(t.task, bytes);
        if (bytesEqual(c.miner, ticket.miner) && c.lane === ticket.lane && c.round === ticket.round)
          checkWinAgainst(c, ticket.step, ticket.jobId, ticket.rootA, ticket.rootB, ctx.height);
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
  return { round: closeRound(view, t, open, ctx.height).next, closed: true };
}
