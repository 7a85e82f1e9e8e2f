// Contributions of a block (block.contributions: encoded SignedContribution bytes). Cheapest first:
// count cap, size cap, canonical decode for the task, round == open round, baseRoot == W_R's root,
// lane < maxLanes, miner bonded (>= minBond), the signature recovers to `miner` (one recovery,
// native libsecp256k1 when it loads, like a tx's), (R, miner, lane) not yet included, and every
// ticket its miner already won on that lane has the roots the contribution commits. Stored (the
// signed bytes, as the block carries them) until close.
import { bytesEqual } from '../../consensus/bytes.ts';
import { BlockError, BlockErrorCode, isTesseraError } from '../../consensus/errors.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { contributionSigner, decodeSignedContribution, type Contribution, type SignedContribution } from '../../consensus/training/contribution.ts';
import { contributionKey, decodeWin, tileIdOfWinKey, winPrefix, type RoundInfo } from './keys.ts';
import { readBond, type StateReader, type StateWriter } from './state.ts';

/** Throws TICKET_MISMATCH unless the win's input roots are the contribution's commitment of (step, jobId). */
export function checkWinAgainst(c: Contribution, step: number, jobId: number, rootA: Uint8Array, rootB: Uint8Array, height: number): void {
  const job = c.steps[step]?.jobs[jobId];
  if (!job || !bytesEqual(job.aRoot, rootA) || !bytesEqual(job.bRoot, rootB))
    throw new BlockError(BlockErrorCode.TICKET_MISMATCH, {
      height, address: c.miner, round: c.round, reason: `lane ${c.lane} step ${step} job ${jobId}: ticket roots differ from the contribution's`,
    });
}

/** Throws CONTRIBUTION_BAD_SIGNATURE (cause: the TxError code) unless c.sig recovers to c.miner. */
function checkSigner(c: SignedContribution, chainId: number, ctx: { height: number; index: number; address: Uint8Array; round: number }): void {
  let signer: Uint8Array;
  try {
    signer = contributionSigner(c, chainId);
  } catch (e) {
    if (isTesseraError(e)) throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, { ...ctx, cause: e.code, reason: e.message });
    throw e;
  }
  if (!bytesEqual(signer, c.miner))
    throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, { ...ctx, expected: c.miner, got: signer, reason: 'signed by another key' });
}

export function applyContributions(view: StateWriter, bytesList: readonly Uint8Array[], t: TrainingParams, round: RoundInfo, height: number, chainId: number): void {
  if (bytesList.length > t.maxContributionsPerBlock)
    throw new BlockError(BlockErrorCode.TOO_MANY_CONTRIBUTIONS, { height, expected: t.maxContributionsPerBlock, got: bytesList.length });
  for (let i = 0; i < bytesList.length; i++) {
    const bytes = bytesList[i]!;
    if (bytes.length > t.maxContributionBytes)
      throw new BlockError(BlockErrorCode.CONTRIBUTION_TOO_LARGE, { height, index: i, expected: t.maxContributionBytes, got: bytes.length });
  }
  bytesList.forEach((bytes, index) => {
    const c = checkContribution(view, bytes, t, round, { height, index, chainId });
    view.set(contributionKey(c.round, c.miner, c.lane), bytes);
  });
}

/**
 * The checks of one contribution against the open round of `view` (all but the per-block count
 * cap), cheapest first; the decoded contribution when it passes. applyContributions runs it for
 * every entry of a block, and the node runs it on a gossiped contribution before it enters the pool
 * (node/network/gossip.ts), so both see the same rules and the same typed errors.
 */
export function checkContribution(
  view: StateReader,
  bytes: Uint8Array,
  t: TrainingParams,
  round: RoundInfo,
  at: { height: number; index: number; chainId: number },
): SignedContribution {
  const { height, index, chainId } = at;
  if (bytes.length > t.maxContributionBytes)
    throw new BlockError(BlockErrorCode.CONTRIBUTION_TOO_LARGE, { height, index, expected: t.maxContributionBytes, got: bytes.length });
  let c: SignedContribution;
  try {
    c = decodeSignedContribution(t.task, bytes);
  } catch (e) {
    if (isTesseraError(e)) throw new BlockError(BlockErrorCode.BAD_CONTRIBUTION, { height, index, cause: e.code, reason: e.message });
    throw e;
  }
  const ctx = { height, index, address: c.miner, round: c.round };
  if (c.round !== round.round) throw new BlockError(BlockErrorCode.CONTRIBUTION_WRONG_ROUND, { ...ctx, expected: round.round, got: c.round });
  if (!bytesEqual(c.baseRoot, round.checkpointRoot))
    throw new BlockError(BlockErrorCode.CONTRIBUTION_WRONG_BASE, { ...ctx, expected: round.checkpointRoot, got: c.baseRoot });
  if (c.lane >= t.maxLanes) throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_LANE, { ...ctx, expected: t.maxLanes, got: c.lane });
  const bond = readBond(view, c.miner);
  if (bond < t.minBond) throw new BlockError(BlockErrorCode.UNBONDED_MINER, { ...ctx, expected: t.minBond, got: bond });
  checkSigner(c, chainId, ctx);
  const key = contributionKey(c.round, c.miner, c.lane);
  if (view.get(key)) throw new BlockError(BlockErrorCode.DUPLICATE_CONTRIBUTION, { ...ctx, reason: `lane ${c.lane}` });
  for (const wk of view.keysWithPrefix(winPrefix(c.round, c.miner, c.lane))) {
    const id = tileIdOfWinKey(wk);
    const w = decodeWin(view.get(wk)!);
    checkWinAgainst(c, id.step, id.jobId, w.rootA, w.rootB, height);
  }
  return c;
}

