// The block's winning ticket against the state (the seal already proved the tile itself):
// for the open round (TICKET_ROUND_NOT_OPEN), not a second win of the same tile (DUPLICATE_WIN),
// and not on a lane its miner already covered with a landed part (TICKET_LANE_CLOSED: that part
// could no longer prove the ticket's roots, and an honest miner wins on a lane only while it
// trains it, before the lane's part exists). Records the win with the ticket share held until the
// round closes; the part that covers the lane later must open the lane and prove the win's job
// roots against the lane's leaf (vm/round/parts.ts).
import { BlockError, BlockErrorCode } from '../../consensus/errors.ts';
import type { TicketProof } from '../../consensus/pouw/ticket.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { encodeWin, winKey, type RoundInfo } from './keys.ts';
import { partCovering } from './parts.ts';
import type { StateWriter } from './state.ts';

export function applyTicket(view: StateWriter, ticket: TicketProof, _t: TrainingParams, round: RoundInfo, height: number, amount: bigint): void {
  const ctx = { height, address: ticket.miner, round: ticket.round };
  if (ticket.round !== round.round) throw new BlockError(BlockErrorCode.TICKET_ROUND_NOT_OPEN, { ...ctx, expected: round.round, got: ticket.round });
  const key = winKey(ticket);
  if (view.get(key))
    throw new BlockError(BlockErrorCode.DUPLICATE_WIN, { ...ctx, reason: `lane ${ticket.lane} step ${ticket.step} job ${ticket.jobId} tile (${ticket.ti}, ${ticket.tj})` });
  const part = partCovering(view, ticket.round, ticket.miner, ticket.lane);
  if (part)
    throw new BlockError(BlockErrorCode.TICKET_LANE_CLOSED, { ...ctx, reason: `lane ${ticket.lane} is in the part [${part.laneStart}, ${part.laneStart + part.laneCount}) landed at height ${part.height}` });
  view.set(key, encodeWin({ height, rootA: ticket.rootA, rootB: ticket.rootB, amount }));
}
