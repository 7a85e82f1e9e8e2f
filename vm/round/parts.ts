// Contribution parts of a block (block.contributions: encoded SignedPart bytes, v2). Every node runs
// these checks, cheapest first; none re-executes training (validators do that):
//   count cap (maxContributionsPerBlock)                                TOO_MANY_CONTRIBUTIONS
//   size cap (maxContributionBytes)                                     CONTRIBUTION_TOO_LARGE
//   canonical decode for the task (type 0x41, H steps, D's length)      BAD_CONTRIBUTION
//   round == the open round                                             CONTRIBUTION_WRONG_ROUND
//   baseRoot == the open round's checkpoint root                        CONTRIBUTION_WRONG_BASE
//   laneCount <= maxPartLanes, when the chain sets it (fraud proofs)    CONTRIBUTION_BAD_LANE
//   at most one part per miner in the block                             DUPLICATE_CONTRIBUTION
//   the signature recovers to `miner`                                   CONTRIBUTION_BAD_SIGNATURE
//   lanes [a, b) overlap none of the miner's landed parts of the round  CONTRIBUTION_LANES_OVERLAP
//   bond >= minBond                                                     UNBONDED_MINER
//   bond >= bondPerLane · (the miner's lanes of the round, this part's included)  INSUFFICIENT_BOND
//   the round's lanes within maxRoundLanes (sums stay safe integers)    CONTRIBUTION_BAD_LANE
//   every |D[i]| <= deltaBound(task, laneCount)                         CONTRIBUTION_DELTA_OUT_OF_BOUND
//   openings: each proves its leaf in lanesRoot, its first step's weights root is W_R's, it opens a
//   lane with a win; every win of the miner on the part's lanes is opened and its job roots are the
//   leaf's                                     CONTRIBUTION_BAD_OPENING / TICKET_MISMATCH / CONTRIBUTION_MISSING_OPENING
// Then the part's record (its header) is stored, D is added to the round's delta sum and its lanes
// to the round's lane count (vm/round/keys.ts); the round close reads those. A part that fails any
// check fails the block; the caller's StateView is discarded, so the state is unchanged.
import { bytesEqual } from '../../consensus/bytes.ts';
import { encode } from '../../consensus/codec.ts';
import { BlockError, BlockErrorCode, isTesseraError } from '../../consensus/errors.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { weightsRoot } from '../../consensus/training/checkpoint.ts';
import { decodeSignedPart, deltaBound, maxRoundLanes, partHeaderOf, partSigner, verifyOpening, type LaneLeaf, type SignedPart } from '../../consensus/training/part.ts';
import { layerCount, layerSize } from '../../consensus/training/spec.ts';
import {
  decodePartRecord, decodeSum, decodeWin, deltaSumKey, encodePartRecord, encodeSum, partKey, roundLanesKey, tileIdOfWinKey, winPrefix,
  type PartRecord, type RoundInfo,
} from './keys.ts';
import { readBond, readCheckpoint, readRoundLanes, type StateReader, type StateWriter } from './state.ts';

/** Throws TICKET_MISMATCH unless the win's input roots are the leaf's commitment of (step, jobId). */
export function checkWinAgainstLeaf(
  leaf: LaneLeaf, w: { miner: Uint8Array; round: number; lane: number; step: number; jobId: number; rootA: Uint8Array; rootB: Uint8Array }, height: number,
): void {
  const job = leaf.steps[w.step]?.jobs[w.jobId];
  if (!job || !bytesEqual(job.aRoot, w.rootA) || !bytesEqual(job.bRoot, w.rootB))
    throw new BlockError(BlockErrorCode.TICKET_MISMATCH, {
      height, address: w.miner, round: w.round, reason: `lane ${w.lane} step ${w.step} job ${w.jobId}: ticket roots differ from the lane's leaf`,
    });
}

/** The landed parts of `miner` (or of every miner) in `round`, in key order (miner, laneStart). */
export function readParts(s: StateReader, round: number, miner?: Uint8Array): PartRecord[] {
  return s.keysWithPrefix(partKey(round, miner)).map((k) => decodePartRecord(k, s.get(k)!));
}

/** The landed part of `miner` in `round` that covers `lane`, if any. */
export function partCovering(s: StateReader, round: number, miner: Uint8Array, lane: number): PartRecord | undefined {
  return readParts(s, round, miner).find((p) => lane >= p.laneStart && lane < p.laneStart + p.laneCount);
}

function checkSigner(p: SignedPart, chainId: number, ctx: { height: number; index: number; address: Uint8Array; round: number }): void {
  let signer: Uint8Array;
  try {
    signer = partSigner(p, chainId);
  } catch (e) {
    if (isTesseraError(e)) throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, { ...ctx, cause: e.code, reason: e.message });
    throw e;
  }
  if (!bytesEqual(signer, p.miner))
    throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, { ...ctx, expected: p.miner, got: signer, reason: 'signed by another key' });
}

function decodeAt(t: TrainingParams, bytes: Uint8Array, height: number, index: number): SignedPart {
  try {
    return decodeSignedPart(t.task, bytes);
  } catch (e) {
    if (isTesseraError(e)) throw new BlockError(BlockErrorCode.BAD_CONTRIBUTION, { height, index, cause: e.code, reason: e.message });
    throw e;
  }
}

export function applyParts(view: StateWriter, bytesList: readonly Uint8Array[], t: TrainingParams, round: RoundInfo, height: number, chainId: number): void {
  if (bytesList.length > t.maxContributionsPerBlock)
    throw new BlockError(BlockErrorCode.TOO_MANY_CONTRIBUTIONS, { height, expected: t.maxContributionsPerBlock, got: bytesList.length });
  for (let i = 0; i < bytesList.length; i++) {
    const bytes = bytesList[i]!;
    if (bytes.length > t.maxContributionBytes)
      throw new BlockError(BlockErrorCode.CONTRIBUTION_TOO_LARGE, { height, index: i, expected: t.maxContributionBytes, got: bytes.length });
  }
  const seen = new Set<string>();
  bytesList.forEach((bytes, index) => {
    const checked = checkPart(view, bytes, t, round, { height, index, chainId }, seen);
    writePart(view, checked, bytes, t, height);
  });
}

/** A part that passed checkPart, with what writePart needs. */
export interface CheckedPart {
  readonly part: SignedPart;
  /** Lanes of the open round after the part. */
  readonly roundLanes: number;
}

/**
 * The checks of one part against the open round of `view` (all but the per-block count cap),
 * cheapest first; `seenMiners` (the miners of the block's earlier parts) enforces one part per
 * miner per block. applyParts runs it for every part of a block, and the node runs it on a gossiped
 * part before it enters the pool (node/network/gossip.ts): the same rules and typed errors.
 */
export function checkPart(
  view: StateReader, bytes: Uint8Array, t: TrainingParams, round: RoundInfo, at: { height: number; index: number; chainId: number }, seenMiners: Set<string> = new Set(),
): CheckedPart {
  const { height, index, chainId } = at;
  if (bytes.length > t.maxContributionBytes) throw new BlockError(BlockErrorCode.CONTRIBUTION_TOO_LARGE, { height, index, expected: t.maxContributionBytes, got: bytes.length });
  const p = decodeAt(t, bytes, height, index);
  const ctx = { height, index, address: p.miner, round: p.round };
  if (p.round !== round.round) throw new BlockError(BlockErrorCode.CONTRIBUTION_WRONG_ROUND, { ...ctx, expected: round.round, got: p.round });
  if (!bytesEqual(p.baseRoot, round.checkpointRoot))
    throw new BlockError(BlockErrorCode.CONTRIBUTION_WRONG_BASE, { ...ctx, expected: round.checkpointRoot, got: p.baseRoot });
  if (t.maxPartLanes !== undefined && p.laneCount > t.maxPartLanes)
    throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_LANE, { ...ctx, expected: t.maxPartLanes, got: p.laneCount, reason: 'lanes of one part (an aggregate fraud proof must cover them)' });
  const who = p.miner.join(',');
  if (seenMiners.has(who)) throw new BlockError(BlockErrorCode.DUPLICATE_CONTRIBUTION, { ...ctx, reason: 'a second part of this miner in the block' });
  seenMiners.add(who);
  checkSigner(p, chainId, ctx);
  const task = t.task;
  const a = p.laneStart;
  const b = p.laneStart + p.laneCount;
  let minerLanes = p.laneCount;
  for (const q of readParts(view, p.round, p.miner)) {
    if (a < q.laneStart + q.laneCount && q.laneStart < b)
      throw new BlockError(BlockErrorCode.CONTRIBUTION_LANES_OVERLAP, { ...ctx, reason: `lanes [${a}, ${b}) overlap the landed part [${q.laneStart}, ${q.laneStart + q.laneCount})` });
    minerLanes += q.laneCount;
  }
  const bond = readBond(view, p.miner);
  if (bond < t.minBond) throw new BlockError(BlockErrorCode.UNBONDED_MINER, { ...ctx, expected: t.minBond, got: bond });
  const need = t.bondPerLane * BigInt(minerLanes);
  if (bond < need) throw new BlockError(BlockErrorCode.INSUFFICIENT_BOND, { ...ctx, expected: need, got: bond, reason: `${minerLanes} lanes in the round` });
  const roundLanes = readRoundLanes(view) + p.laneCount;
  if (roundLanes > maxRoundLanes(task))
    throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_LANE, { ...ctx, expected: maxRoundLanes(task), got: roundLanes, reason: 'lanes of the round' });

  const bound = deltaBound(task, p.laneCount);
  p.delta.forEach((d, l) => {
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v > bound || v < -bound)
        throw new BlockError(BlockErrorCode.CONTRIBUTION_DELTA_OUT_OF_BOUND, { ...ctx, expected: bound, got: v, reason: `layer ${l} entry ${i}, ${p.laneCount} lanes` });
    }
  });

  // wins of this miner on the part's lanes, each to be proven by an opening
  const wins = view.keysWithPrefix(winPrefix(p.round, p.miner)).map((k) => ({ id: tileIdOfWinKey(k), w: decodeWin(view.get(k)!) })).filter((x) => x.id.lane >= a && x.id.lane < b);
  if (p.openings.length > 0) {
    const base = weightsRoot(task, readCheckpoint(view, task).weights);
    for (const o of p.openings) {
      const bad = (reason: string): never => {
        throw new BlockError(BlockErrorCode.CONTRIBUTION_BAD_OPENING, { ...ctx, reason: `lane ${o.lane}: ${reason}` });
      };
      if (!verifyOpening(p, o)) bad('the leaf is not in lanesRoot at its lane');
      if (!bytesEqual(o.leaf.steps[0]!.weightsRoot, base)) bad("the first step's weights root is not W_R's");
      const laneWins = wins.filter((x) => x.id.lane === o.lane);
      if (laneWins.length === 0) bad('no ticket of the miner on this lane');
      for (const x of laneWins) checkWinAgainstLeaf(o.leaf, { ...x.id, ...x.w }, height);
    }
  }
  for (const x of wins)
    if (!p.openings.some((o) => o.lane === x.id.lane))
      throw new BlockError(BlockErrorCode.CONTRIBUTION_MISSING_OPENING, { ...ctx, reason: `lane ${x.id.lane} won a ticket at height ${x.w.height} and is not opened` });
  return { part: p, roundLanes };
}

/** Stores a checked part: its record, D added into the round's delta sum, the round's lane count. */
function writePart(view: StateWriter, c: CheckedPart, bytes: Uint8Array, t: TrainingParams, height: number): void {
  const { part: p, roundLanes } = c;
  const task = t.task;
  const h = partHeaderOf(p, bytes);
  view.set(partKey(p.round, p.miner, p.laneStart), encodePartRecord({ ...h, height }));
  for (let l = 0; l < layerCount(task); l++) {
    const key = deltaSumKey(l);
    const prev = view.get(key);
    const n = layerSize(task, l);
    const sum = prev ? decodeSum(prev, n) : new Float64Array(n);
    const d = p.delta[l]!;
    for (let i = 0; i < n; i++) sum[i] = sum[i]! + d[i]!;
    view.set(key, encodeSum(sum));
  }
  writeRoundLanes(view, roundLanes);
}

export function writeRoundLanes(view: StateWriter, lanes: number): void {
  view.set(roundLanesKey(), lanes === 0 ? null : encode([lanes]));
}
