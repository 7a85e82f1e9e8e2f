// Challenge (TypeTag 0x14): a fraud proof against a landed contribution part (docs/validators.md).
// Anyone may submit one; it is signed, pays its fee and uses a nonce like any tx, and its signer
// puts up the chain's challenge bond (challengeParams(t).bond). Rules, cheapest first; each failure
// is a typed TxError and the tx never lands (nothing written):
//   1. the shared rules (chain id, fee, signature, nonce); training on the chain; balance >= fee + bond;
//   2. the part's round: not after the open round (CHALLENGE_UNKNOWN_PART); a closed round still in
//      its window: closeHeight + challengeWindow > the block's height (CHALLENGE_WINDOW_CLOSED);
//   3. the part bytes decode for the round's task (CHALLENGE_MALFORMED) and hash to the record of a
//      landed part of (round, miner, laneStart) (CHALLENGE_UNKNOWN_PART); it is not void yet
//      (CHALLENGE_PART_VOID: a fraud is proven once, a challenge cannot be replayed);
//   4. the proof's shapes fit the task and the part (CHALLENGE_MALFORMED), its Merkle paths verify
//      (CHALLENGE_BAD_PATH), a step proof's W_s is the committed input of its step
//      (CHALLENGE_BAD_WEIGHTS);
//   5. the claim: a step proof re-executes the step (consensus/training/fraud.ts checkLaneStep, on
//      the round's training set: its registered samples, vm/data/training-set.ts roundTrainingSet,
//      built on the genesis set vm/data/training-sets.ts holds); an aggregate proof adds the lanes'
//      deltas at its index (checkAggregate) and compares with D.
// Effect of a well-formed challenge:
//   * claim false (the step reproduces, the sum equals D): the challenge lands; its signer pays the
//     fee and loses the bond, which is burned (0x16); the part and its miner are untouched;
//   * fraud proven: the part is void (0x15). In the open round its D and lanes leave the round's
//     sum; in a closed round they leave the round's kept sum and the model is recomputed from that
//     round on (vm/round/history.ts recomputeFrom); what the part's miner was locked for it at close
//     (0x14: its lanes' pool pay and the ticket shares of its lanes) is taken back, and
//     floor(bond x fraudBondSlashBps / 10,000) of its bond is slashed; floor(that total x
//     challengeRewardBps / 10,000) is credited to the challenger at once, the rest burned (0x16).
//     The challenger pays the fee only.
import { bytesEqual } from '../../consensus/bytes.ts';
import { decodeCanonical } from '../../consensus/codec.ts';
import { isTesseraError, TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import { leafHash } from '../../consensus/merkle.ts';
import { BPS, challengeParams, type ChainParams, type TrainingParams } from '../../consensus/params.ts';
import { weightsRoot } from '../../consensus/training/checkpoint.ts';
import { TrainingError, TrainingErrorCode } from '../../consensus/training/errors.ts';
import {
  checkAggregate, checkLaneStep, stepsFromHashes, verifyLaneDigest, weightPosition, weightsFromBytes, type RoundBase,
} from '../../consensus/training/fraud.ts';
import { decodeSignedPart, stepsDigest, type SignedPart } from '../../consensus/training/part.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { ChallengeKind, type ChallengeTx } from '../../consensus/types.ts';
import { requireTrainingSet } from '../data/training-sets.ts';
import { roundTrainingSet } from '../data/training-set.ts';
import { credit, takeLocked } from '../rewards.ts';
import {
  addChallengeBurned, isPartVoid, readClosedRound, readPartPaid, readRoundSum, recomputeFrom, taskOfClosedRound, writeClosedRound, writeRoundSum,
} from '../round/history.ts';
import { decodePartRecord, encodePartVoid, partKey, partVoidKey, type ClosedRound, type PartRecord, type RoundInfo } from '../round/keys.ts';
import { writeRoundLanes } from '../round/parts.ts';
import { readBond, readCheckpoint, readDeltaSum, readRound, readRoundLanes, writeBond, type StateReader, type StateWriter } from '../round/state.ts';
import { deltaSumKey, encodeSum } from '../round/keys.ts';
import type { StateView } from '../view.ts';
import { checkSignedTx, type TxOutcome } from './common.ts';

/** The landed part a challenge names, with what its check needs. */
export interface ChallengedPart {
  readonly part: SignedPart;
  readonly record: PartRecord;
  /** The round's task (a closed round's own, kept with it). */
  readonly task: TrainingTask;
  /** The base the part's lanes trained on. */
  readonly base: RoundBase;
  /** Set when the part's round is closed (still in its window). */
  readonly closed?: ClosedRound;
  readonly open: RoundInfo;
}

/** Outcome of the claim of a well-formed challenge. */
export interface ChallengeVerdict {
  readonly fraud: boolean;
  /** Why (step proofs: 'base', 'job', 'next-weights'; aggregate: 'sum'), when fraud. */
  readonly reason?: string;
}

function malformed(reason: string, code = TxErrorCode.CHALLENGE_MALFORMED): never {
  throw new TxError(code, { reason });
}

/** TrainingError BAD_CHALLENGE / BAD_SHAPE from the proof checks -> the tx's typed error. */
function asTxError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TrainingError && (e.code === TrainingErrorCode.BAD_CHALLENGE || e.code === TrainingErrorCode.BAD_SHAPE)) {
      const what = e.context.what;
      const code = what === 'weights' ? TxErrorCode.CHALLENGE_BAD_WEIGHTS : what === 'base' || what === 'lane' ? TxErrorCode.CHALLENGE_BAD_PATH : TxErrorCode.CHALLENGE_MALFORMED;
      throw new TxError(code, { reason: `${what}: ${e.context.reason ?? e.code}`, ...(e.context.index !== undefined ? { index: e.context.index } : {}) });
    }
    throw e;
  }
}

/** Round of the part bytes (field 1 of the tuple), before the part is decoded for its round's task. */
function roundOfPartBytes(bytes: Uint8Array, max: number): number {
  let v: unknown;
  try {
    v = decodeCanonical(bytes, 'part', max);
  } catch (e) {
    if (isTesseraError(e)) malformed(`part: ${e.message}`);
    throw e;
  }
  const r = Array.isArray(v) ? v[1] : undefined;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 0) malformed('part: no round field');
  return r;
}

/** Rules 2-3: the landed part the challenge names, in its window, not void. */
export function challengedPart(s: StateReader, t: TrainingParams, partBytes: Uint8Array, height: number): ChallengedPart {
  const open = readRound(s);
  if (!open) throw new TxError(TxErrorCode.NO_TRAINING, {});
  if (partBytes.length > t.maxContributionBytes) malformed(`part of ${partBytes.length} bytes > maxContributionBytes ${t.maxContributionBytes}`);
  const round = roundOfPartBytes(partBytes, t.maxContributionBytes);
  if (round > open.round) malformed(`round ${round} has not opened`, TxErrorCode.CHALLENGE_UNKNOWN_PART);
  let closed: ClosedRound | undefined;
  let task = t.task;
  if (round < open.round) {
    closed = readClosedRound(s, round);
    if (!closed || closed.closeHeight + t.challengeWindow <= height)
      throw new TxError(TxErrorCode.CHALLENGE_WINDOW_CLOSED, { got: height, reason: `round ${round}'s challenge window is closed` });
    task = taskOfClosedRound(closed);
  }
  let part: SignedPart;
  try {
    part = decodeSignedPart(task, partBytes);
  } catch (e) {
    if (isTesseraError(e)) malformed(`part: ${e.message}`);
    throw e;
  }
  const key = partKey(part.round, part.miner, part.laneStart);
  const raw = s.get(key);
  if (!raw) throw new TxError(TxErrorCode.CHALLENGE_UNKNOWN_PART, { address: part.miner, reason: `no landed part of round ${part.round} at lane ${part.laneStart}` });
  const record = decodePartRecord(key, raw);
  if (!bytesEqual(record.partHash, leafHash(partBytes)))
    throw new TxError(TxErrorCode.CHALLENGE_UNKNOWN_PART, { address: part.miner, reason: 'the bytes are not the landed part' });
  if (isPartVoid(s, part.round, part.miner, part.laneStart)) throw new TxError(TxErrorCode.CHALLENGE_PART_VOID, { address: part.miner, reason: `round ${part.round} lane ${part.laneStart}` });
  const base: RoundBase = closed
    ? { checkpointRoot: closed.baseRoot, weightsRoot: closed.baseWeightsRoot }
    : { checkpointRoot: open.checkpointRoot, weightsRoot: weightsRoot(task, readCheckpoint(s, task).weights) };
  return { part, record, task, base, open, ...(closed ? { closed } : {}) };
}

/** Rules 4-5: checks the proof against the part and evaluates its claim. Throws the typed TxError of a malformed proof. */
export function judgeChallenge(s: StateReader, c: ChallengedPart, tx: Pick<ChallengeTx, 'proof'>, t: TrainingParams): ChallengeVerdict {
  const { part, task } = c;
  const proof = tx.proof;
  return asTxError(() => {
    if (proof.kind === ChallengeKind.Step) {
      if (proof.lane < part.laneStart || proof.lane >= part.laneStart + part.laneCount) malformed(`lane ${proof.lane} is not in the part`);
      if (proof.step >= task.localSteps) malformed(`step ${proof.step} >= ${task.localSteps}`);
      const leaf = { finalRoot: proof.finalRoot, steps: stepsFromHashes(task, proof.steps) };
      if (!verifyLaneDigest(part, proof.lane, leaf.finalRoot, stepsDigest(leaf.steps), proof.siblings))
        malformed(`lane ${proof.lane}: the leaf is not in lanesRoot`, TxErrorCode.CHALLENGE_BAD_PATH);
      const ws = weightsFromBytes(task, proof.weights);
      const v = checkLaneStep(task, roundTrainingSet(s, part.round, requireTrainingSet(t.datasetHash)), c.base, part, proof.lane, leaf, proof.step, ws);
      return v.fraud ? { fraud: true, reason: v.reason } : { fraud: false };
    }
    const pos = weightPosition(task, proof.index);
    const d = part.delta[pos.layer]![pos.row * pos.cols + pos.col]!;
    const v = checkAggregate(task, part, c.base.weightsRoot, proof.index, d, proof.base, proof.lanes);
    return v.fraud ? { fraud: true, reason: 'sum' } : { fraud: false };
  });
}

/** The part's D taken out of its round (the open round's sum and lanes, or a closed round's kept sum and lanes, then the recomputation). */
function removeFromRound(view: StateWriter, c: ChallengedPart): void {
  const { part, task } = c;
  const sub = (sum: Float64Array[]): Float64Array[] => {
    sum.forEach((x, l) => {
      const d = part.delta[l]!;
      for (let i = 0; i < x.length; i++) x[i] = x[i]! - d[i]!;
    });
    return sum;
  };
  if (!c.closed) {
    const sum = sub(readDeltaSum(view, task));
    sum.forEach((x, l) => view.set(deltaSumKey(l), encodeSum(x)));
    writeRoundLanes(view, readRoundLanes(view) - part.laneCount);
    return;
  }
  writeRoundSum(view, part.round, sub(readRoundSum(view, task, part.round)));
  writeClosedRound(view, { ...c.closed, lanes: c.closed.lanes - part.laneCount });
  recomputeFrom(view, part.round, c.open.round);
}

/** `height`: the including block's height. */
export function applyChallenge(view: StateView, tx: ChallengeTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const t = p.training;
  if (!t) throw new TxError(TxErrorCode.NO_TRAINING, {});
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const cp = challengeParams(t);
  const cost = tx.fee + cp.bond;
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance, reason: 'fee + challenge bond' });
  const c = challengedPart(view, t, tx.part, height);
  const verdict = judgeChallenge(view, c, tx, t);

  if (!verdict.fraud) {
    view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
    addChallengeBurned(view, cp.bond);
    return { sender, fee: tx.fee };
  }
  view.putAccount(sender, { balance: from.balance - tx.fee, nonce: from.nonce + 1 });
  const { part } = c;
  removeFromRound(view, c);
  const rewardsTaken = c.closed ? takeLocked(view, c.closed.closeHeight + t.challengeWindow, part.miner, readPartPaid(view, part.round, part.miner, part.laneStart)) : 0n;
  const bond = readBond(view, part.miner);
  const bondSlashed = (bond * BigInt(cp.slashBps)) / BigInt(BPS);
  if (bondSlashed > 0n) writeBond(view, part.miner, bond - bondSlashed);
  const total = rewardsTaken + bondSlashed;
  const challengerPaid = (total * BigInt(cp.rewardBps)) / BigInt(BPS);
  credit(view, sender, challengerPaid);
  addChallengeBurned(view, total - challengerPaid);
  view.set(partVoidKey(part.round, part.miner, part.laneStart), encodePartVoid({ height, challenger: sender, kind: tx.proof.kind, bondSlashed, rewardsTaken, challengerPaid }));
  return { sender, fee: tx.fee };
}
