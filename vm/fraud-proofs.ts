// Fraud proofs: the one place a validator (node/validator) takes the consensus side from.
// Rules and sizes: docs/validators.md. Everything here is pure; the state transition runs the same
// checks (vm/tx/challenge.ts calls checkLaneStep / checkAggregate through judgeChallenge).
//
// Finding fraud (the validator's side, any MatmulFn: a fast backend gives the same bits):
//   roundBaseOf(state, t, round)          the task and base (checkpoint root, weights root) a round's parts
//                                         trained on, the round's state (open / closed and window end)
//   roundWeightsOf(state, t, round)       W_R itself while the round may be challenged
//   findLaneFraud(task, data, base, W_R, part, lane, leaf, matmul)
//                                         replays a lane from W_R: its first wrong step and that step's input
//                                         W_s, or null
//   checkLaneStep(task, data, base, part, lane, leaf, s, W_s)
//                                         the single-step check every node runs (sync, reference product)
//   findAggregateFraud(task, W_R, finals, D)
//                                         first weight index where the lanes' deltas do not add up to D, or -1
//   checkAggregate(task, part, baseWeightsRoot, index, D[index], baseElement, laneElements)
//                                         the single-element check every node runs
// Building the tx (the part as it landed: its signed bytes; the lane data served by the miner or
// recomputed):
//   stepChallenge({ part, lane, step, leaf, siblings, weights }, tx, key)          a signed step Challenge
//   stepChallengeOfLeaves({ part, lane, step, leaves, weights }, tx, key)          the same, the path from the part's leaves
//   aggregateChallenge({ part, index, baseWeights, leaves, finals }, tx, key)      a signed aggregate Challenge
// A lane whose data its miner does not serve (a junk lane's leaf is known only to its miner):
//   requestChallenge({ part, lane }, tx, key)                   a signed request: its miner (or anyone) must answer with
//                                                              the leaf before the deadline, or the part is void
//   answerChallenge({ part, lane, leaf, siblings }, tx, key)    the signed answer (the miner's side)
//   requestOf(state, round, miner, laneStart)                   the pending request on a part (lane, deadline, ...)
//   pendingRequests(state)                                      every pending request, with the part it names
//   answeredLeaf(tx)                                            the leaf an answer put on chain, to build a step proof from
// Dry run before submitting (the same rules, typed errors, nothing written):
//   judge(state, params, tx, height)      { fraud, reason } of a challenge on `state` at `height`, or the TxError
// Reading the outcome:
//   partVoidOf(state, round, miner, laneStart)   the void record of a part (who proved it, what it moved), or undefined
//   challengeBurned(state)                       everything burned by challenges so far
// Sizes and costs (docs/validators.md): challengeSize(tx), challengeParams(t) (bond, slash, reward, per block).
import type { PrivateKey } from '../consensus/crypto/index.ts';
import { signTx } from '../consensus/crypto/signature.ts';
import { encodeTx } from '../consensus/encoding/tx.ts';
import { leafHash, proofFromHashes } from '../consensus/merkle.ts';
import { challengeParams, type ChainParams, type TrainingParams } from '../consensus/params.ts';
import { weightsRoot, type Checkpoint } from '../consensus/training/checkpoint.ts';
import { decodeSignedPart, laneLeafBytes, type LaneLeaf } from '../consensus/training/part.ts';
import { laneElements, elementProof, stepHashes, stepsFromHashes, weightsToBytes, type RoundBase } from '../consensus/training/fraud.ts';
import type { TrainingTask } from '../consensus/training/spec.ts';
import { ChallengeKind, TypeTag, type ChallengeTx } from '../consensus/types.ts';
import { readChallengeBurned, readClosedRound, readRoundBase, taskOfClosedRound } from './round/history.ts';
import { decodePartVoid, decodeRequest, partVoidKey, requestKey, type LaneRequest, type PartVoid } from './round/keys.ts';
import { readCheckpoint, readRound, type StateReader } from './round/state.ts';
import { challengedPart, judgeChallenge, requestDeadline, type ChallengeVerdict } from './tx/challenge.ts';

export {
  checkAggregate, checkLaneStep, elementProof, findAggregateFraud, findLaneFraud, laneElements, stepHashes, verifyElement, weightPosition,
  type AggregateVerdict, type LaneFraud, type PartRef, type RoundBase, type StepVerdict,
} from '../consensus/training/fraud.ts';
export { challengeParams } from '../consensus/params.ts';
export type { ChallengeVerdict } from './tx/challenge.ts';

/** Where a round stands for challenges. */
export interface RoundForChallenge {
  readonly task: TrainingTask;
  readonly base: RoundBase;
  /** The round is the open one (its parts may be challenged until challengeWindow blocks after it closes). */
  readonly open: boolean;
  /** For a closed round: the first height at which its challenges are refused. */
  readonly windowEnd?: number;
}

/** The task and base of `round`'s parts, or undefined when the round is neither open nor closed within its window. */
export function roundBaseOf(s: StateReader, t: TrainingParams, round: number): RoundForChallenge | undefined {
  const open = readRound(s);
  if (!open || round > open.round) return undefined;
  if (round === open.round) {
    const ck = readCheckpoint(s, t.task);
    return { task: t.task, base: { checkpointRoot: open.checkpointRoot, weightsRoot: weightsRoot(t.task, ck.weights) }, open: true };
  }
  const c = readClosedRound(s, round);
  if (!c) return undefined;
  return { task: taskOfClosedRound(c), base: { checkpointRoot: c.baseRoot, weightsRoot: c.baseWeightsRoot }, open: false, windowEnd: c.closeHeight + t.challengeWindow };
}

/** W_R of `round` while its parts may be challenged: the open round's checkpoint, or a closed round's stored base. */
export function roundWeightsOf(s: StateReader, t: TrainingParams, round: number): Checkpoint | undefined {
  const open = readRound(s);
  if (!open || round > open.round) return undefined;
  if (round === open.round) return readCheckpoint(s, t.task);
  const c = readClosedRound(s, round);
  return c ? readRoundBase(s, taskOfClosedRound(c), round) : undefined;
}

/** The tx fields a builder takes (chain id, nonce, fee). */
export interface TxFields {
  readonly chainId: number;
  readonly nonce: number;
  readonly fee: bigint;
}

/** A signed step Challenge: W_s (the input of step `step` of `lane`) and the lane's leaf with its path in the part's lanesRoot. */
export function stepChallenge(
  o: { part: Uint8Array; lane: number; step: number; leaf: LaneLeaf; siblings: readonly Uint8Array[]; weights: readonly Int32Array[] }, tx: TxFields, key: PrivateKey,
): ChallengeTx {
  return signTx({
    type: TypeTag.Challenge, ...tx, part: o.part, sig: new Uint8Array(65),
    proof: { kind: ChallengeKind.Step, lane: o.lane, step: o.step, finalRoot: o.leaf.finalRoot, steps: o.leaf.steps.map(stepHashes), siblings: [...o.siblings], weights: weightsToBytes(o.weights) },
  }, key);
}

/** The Merkle path of `lane` in the lane tree of the part's leaves (leaves[k] is lane laneStart + k). */
export function lanePath(laneStart: number, leaves: readonly LaneLeaf[], lane: number): Uint8Array[] {
  return proofFromHashes(leaves.map((l, k) => leafHash(laneLeafBytes(laneStart + k, l))), lane - laneStart).siblings as Uint8Array[];
}

/** stepChallenge with the path computed from all the part's leaves. */
export function stepChallengeOfLeaves(
  t: TrainingTask, o: { part: Uint8Array; lane: number; step: number; leaves: readonly LaneLeaf[]; weights: readonly Int32Array[] }, tx: TxFields, key: PrivateKey,
): ChallengeTx {
  const p = decodeSignedPart(t, o.part);
  return stepChallenge({ ...o, leaf: o.leaves[o.lane - p.laneStart]!, siblings: lanePath(p.laneStart, o.leaves, o.lane) }, tx, key);
}

/**
 * A signed aggregate Challenge at flat weight `index`: W_R (the round's base weights), every lane's
 * leaf and final weights (leaves[k], finals[k]: lane laneStart + k of the part).
 */
export function aggregateChallenge(
  t: TrainingTask,
  o: { part: Uint8Array; index: number; baseWeights: readonly Int32Array[]; leaves: readonly LaneLeaf[]; finals: readonly (readonly Int32Array[])[] },
  tx: TxFields,
  key: PrivateKey,
): ChallengeTx {
  const p = decodeSignedPart(t, o.part);
  return signTx({
    type: TypeTag.Challenge, ...tx, part: o.part, sig: new Uint8Array(65),
    proof: { kind: ChallengeKind.Aggregate, index: o.index, base: elementProof(t, o.baseWeights, o.index), lanes: laneElements(t, p, o.leaves, o.finals, o.index) },
  }, key);
}

/** The verdict a challenge would get on `s` at `height` (the VM's checks 2-5); throws the TxError of a challenge that would not land. */
export function judge(s: StateReader, p: ChainParams, tx: Pick<ChallengeTx, 'part' | 'proof'>, height: number): ChallengeVerdict {
  const t = p.training;
  if (!t) throw new RangeError('no training on this chain');
  const c = challengedPart(s, t, tx.part, height);
  const v = judgeChallenge(s, c, tx, t);
  if (tx.proof.kind === ChallengeKind.Request) requestDeadline(c, t, height);
  return v;
}

/** A signed request for lane `lane`'s leaf of the part. */
export function requestChallenge(o: { part: Uint8Array; lane: number }, tx: TxFields, key: PrivateKey): ChallengeTx {
  return signTx({ type: TypeTag.Challenge, ...tx, part: o.part, sig: new Uint8Array(65), proof: { kind: ChallengeKind.Request, lane: o.lane } }, key);
}

/** A signed answer to a pending request: the lane's leaf and its path in the part's lanesRoot. */
export function answerChallenge(o: { part: Uint8Array; lane: number; leaf: LaneLeaf; siblings: readonly Uint8Array[] }, tx: TxFields, key: PrivateKey): ChallengeTx {
  return signTx({
    type: TypeTag.Challenge, ...tx, part: o.part, sig: new Uint8Array(65),
    proof: { kind: ChallengeKind.Answer, lane: o.lane, finalRoot: o.leaf.finalRoot, steps: o.leaf.steps.map(stepHashes), siblings: [...o.siblings] },
  }, key);
}

/** The pending request on a part, if any. */
export function requestOf(s: StateReader, round: number, miner: Uint8Array, laneStart: number): LaneRequest | undefined {
  const v = s.get(requestKey(round, miner, laneStart));
  return v ? decodeRequest(v) : undefined;
}

/** Every pending request (the part it names by round, miner and first lane), in key order. */
export function pendingRequests(s: StateReader): { round: number; miner: Uint8Array; laneStart: number; request: LaneRequest }[] {
  return s.keysWithPrefix(requestKey()).map((k) => {
    const dv = new DataView(k.buffer, k.byteOffset, k.length);
    return { round: Number(dv.getBigUint64(1)), miner: k.slice(9, 29), laneStart: dv.getUint32(29), request: decodeRequest(s.get(k)!) };
  });
}

/** The leaf (and path) an answer carries, for a step proof. */
export function answeredLeaf(task: TrainingTask, tx: ChallengeTx): { lane: number; leaf: LaneLeaf; siblings: readonly Uint8Array[] } | undefined {
  if (tx.proof.kind !== ChallengeKind.Answer) return undefined;
  return { lane: tx.proof.lane, leaf: { finalRoot: tx.proof.finalRoot, steps: stepsFromHashes(task, tx.proof.steps) }, siblings: tx.proof.siblings };
}

export function partVoidOf(s: StateReader, round: number, miner: Uint8Array, laneStart: number): PartVoid | undefined {
  const v = s.get(partVoidKey(round, miner, laneStart));
  return v ? decodePartVoid(v) : undefined;
}

export function challengeBurned(s: StateReader): bigint {
  return readChallengeBurned(s);
}

/** Encoded bytes of a challenge (what it takes of a block). */
export function challengeSize(tx: ChallengeTx): number {
  return encodeTx(tx).length;
}

/** The chain's challenge bond. */
export function challengeBond(t: TrainingParams): bigint {
  return challengeParams(t).bond;
}
