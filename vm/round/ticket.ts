// The block's winning ticket against the state (the seal already proved the tile itself):
// for the open round (TICKET_ROUND_NOT_OPEN), not a second win of the same tile (DUPLICATE_WIN),
// and, when its miner's contribution for (round, lane) is already in state, its roots match it
// (TICKET_MISMATCH). Records the win with the ticket share held until the round closes.
import { BlockError, BlockErrorCode } from '../../consensus/errors.ts';
import type { TicketProof } from '../../consensus/pouw/ticket.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { decodeSignedContribution } from '../../consensus/training/contribution.ts';
import { checkWinAgainst } from './contributions.ts';
import { contributionKey, encodeWin, winKey, type RoundInfo } from './keys.ts';
import type { StateWriter } from './state.ts';

export function applyTicket(view: StateWriter, ticket: TicketProof, t: TrainingParams, round: RoundInfo, height: number, amount: bigint): void {
  const ctx = { height, address: ticket.miner, round: ticket.round };
  if (ticket.round !== round.round) throw new BlockError(BlockErrorCode.TICKET_ROUND_NOT_OPEN, { ...ctx, expected: round.round, got: ticket.round });
  const key = winKey(ticket);
  if (view.get(key))
    throw new BlockError(BlockErrorCode.DUPLICATE_WIN, { ...ctx, reason: `lane ${ticket.lane} step ${ticket.step} job ${ticket.jobId} tile (${ticket.ti}, ${ticket.tj})` });
  const cb = view.get(contributionKey(ticket.round, ticket.miner, ticket.lane));
  if (cb) checkWinAgainst(decodeSignedContribution(t.task, cb), ticket.step, ticket.jobId, ticket.rootA, ticket.rootB, height);
  view.set(key, encodeWin({ height, rootA: ticket.rootA, rootB: ticket.rootB, amount }));
}
