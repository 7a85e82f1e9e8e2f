// Challenge (TypeTag 0x14): a fraud proof against a landed contribution part, or a request for a
// lane's data and its answer (docs/validators.md). Anyone may submit one; it is signed, pays its fee
// and uses a nonce like any tx; a proof or a request puts up the chain's challenge bond
// (challengeParams(t).bond). Rules, cheapest first; each failure is a typed TxError and the tx never
// lands (nothing written):
//   1. the shared rules (chain id, fee, signature, nonce); training on the chain; balance >= fee
//      (+ the bond for a proof or a request);
//   2. the part's round: not after the open round (CHALLENGE_UNKNOWN_PART); a closed round still in
//      its window: closeHeight + challengeWindow > the block's height (CHALLENGE_WINDOW_CLOSED);
//   3. the part bytes decode for the round's task (CHALLENGE_MALFORMED) and hash to the record of a
//      landed part of (round, miner, laneStart) (CHALLENGE_UNKNOWN_PART); it is not void yet
//      (CHALLENGE_PART_VOID: a fraud is proven once, a challenge cannot be replayed);
//   4. step / aggregate proofs: shapes fit the task and the part (CHALLENGE_MALFORMED), Merkle paths
//      verify (CHALLENGE_BAD_PATH), a step proof's W_s is the committed input of its step
//      (CHALLENGE_BAD_WEIGHTS); then the claim: a step proof re-executes the step
//      (consensus/training/fraud.ts checkLaneStep, on the round's training set: its registered
//      samples, vm/data/training-set.ts roundTrainingSet, built on the genesis set
//      vm/data/training-sets.ts holds); an aggregate proof adds the lanes' deltas at its index
//      (checkAggregate) and compares with D;
//   5. requests: the lane is in the part (CHALLENGE_MALFORMED), no request on the part is pending
//      (CHALLENGE_PENDING), and it can be resolved inside the window (deadline = height +
//      challengeAnswerBlocks < closeHeight + challengeWindow for a closed round: else
//      CHALLENGE_WINDOW_CLOSED); answers: a request on that lane is pending (CHALLENGE_NO_REQUEST),
//      the leaf's shape (CHALLENGE_MALFORMED) and its path in lanesRoot (CHALLENGE_BAD_PATH).
// Effect of a well-formed tx:
//   * proof, claim false (the step reproduces, the sum equals D): it lands; its signer pays the fee
//     and loses the bond, which is burned (0x16); the part and its miner are untouched;
//   * proof, fraud proven: the part is void (vm/round/void.ts: out of its round, the model recomputed
//     for a closed round, the part's locked pay taken back, fraudBondSlashBps of the bond slashed,
//     challengeRewardBps of that to the challenger, the rest burned); the challenger pays the fee only;
//   * request: the bond is held in the request (0x17) with the part's bytes, until the deadline;
//   * answer: the leaf is on chain (anyone can now build a proof from it); the request is closed
//     and its bond paid to the answerer (it paid a fee to publish what the requester could not get);
//   * at the end of the deadline block (resolveRequests, run by the block before its round close),
//     a request still pending voids the part as a proven fraud would, the requester as challenger,
//     and its bond is returned: a miner that withholds a lane's data loses as if it had cheated.
import { bytesEqual } from '../../consensus/bytes.ts';
import { decodeCanonical } from '../../consensus/codec.ts';
import { isTesseraError, TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import { leafHash } from '../../consensus/merkle.ts';
import { challengeParams, type ChainParams, type TrainingParams } from '../../consensus/params.ts';
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
import { credit } from '../rewards.ts';
import { addChallengeBurned, isPartVoid, readClosedRound, taskOfClosedRound } from '../round/history.ts';
import {
  decodePartRecord, decodeRequest, encodeRequest, partKey, requestKey, type ClosedRound, type PartRecord, type RoundInfo,
} from '../round/keys.ts';
import { readCheckpoint, readRound, type StateReader } from '../round/state.ts';
import { voidPart } from '../round/void.ts';
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

/** Outcome of the claim of a well-formed proof (requests and answers: fraud false, reason 'request' / 'answer'). */
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

/** Height at which a request made at `height` against `c` resolves; CHALLENGE_WINDOW_CLOSED when that is past the round's window. */
export function requestDeadline(c: ChallengedPart, t: TrainingParams, height: number): number {
  const deadline = height + Math.min(challengeParams(t).answerBlocks, Math.max(0, t.challengeWindow - 1));
  if (c.closed && deadline >= c.closed.closeHeight + t.challengeWindow)
    throw new TxError(TxErrorCode.CHALLENGE_WINDOW_CLOSED, { got: height, reason: `a request would resolve at ${deadline}, past round ${c.part.round}'s window` });
  return deadline;
}

/** Rules 4-5: checks the proof against the part and evaluates its claim. Throws the typed TxError of a malformed proof. */
export function judgeChallenge(s: StateReader, c: ChallengedPart, tx: Pick<ChallengeTx, 'proof'>, t: TrainingParams): ChallengeVerdict {
  const { part, task } = c;
  const proof = tx.proof;
  return asTxError(() => {
    switch (proof.kind) {
      case ChallengeKind.Step: {
        if (proof.lane < part.laneStart || proof.lane >= part.laneStart + part.laneCount) malformed(`lane ${proof.lane} is not in the part`);
        if (proof.step >= task.localSteps) malformed(`step ${proof.step} >= ${task.localSteps}`);
        const leaf = { finalRoot: proof.finalRoot, steps: stepsFromHashes(task, proof.steps) };
        if (!verifyLaneDigest(part, proof.lane, leaf.finalRoot, stepsDigest(leaf.steps), proof.siblings))
          malformed(`lane ${proof.lane}: the leaf is not in lanesRoot`, TxErrorCode.CHALLENGE_BAD_PATH);
        const ws = weightsFromBytes(task, proof.weights);
        const v = checkLaneStep(task, roundTrainingSet(s, part.round, requireTrainingSet(t.datasetHash)), c.base, part, proof.lane, leaf, proof.step, ws);
        return v.fraud ? { fraud: true, reason: v.reason } : { fraud: false };
      }
      case ChallengeKind.Aggregate: {
        const pos = weightPosition(task, proof.index);
        const d = part.delta[pos.layer]![pos.row * pos.cols + pos.col]!;
        const v = checkAggregate(task, part, c.base.weightsRoot, proof.index, d, proof.base, proof.lanes);
        return v.fraud ? { fraud: true, reason: 'sum' } : { fraud: false };
      }
      case ChallengeKind.Request: {
        if (proof.lane < part.laneStart || proof.lane >= part.laneStart + part.laneCount) malformed(`lane ${proof.lane} is not in the part`);
        if (s.get(requestKey(part.round, part.miner, part.laneStart)) !== undefined)
          throw new TxError(TxErrorCode.CHALLENGE_PENDING, { address: part.miner, reason: `a request on the part of round ${part.round} at lane ${part.laneStart} is pending` });
        return { fraud: false, reason: 'request' };
      }
      case ChallengeKind.Answer: {
        const raw = s.get(requestKey(part.round, part.miner, part.laneStart));
        if (!raw || decodeRequest(raw).lane !== proof.lane)
          throw new TxError(TxErrorCode.CHALLENGE_NO_REQUEST, { address: part.miner, reason: `no pending request on lane ${proof.lane}` });
        const steps = stepsFromHashes(task, proof.steps);
        if (!verifyLaneDigest(part, proof.lane, proof.finalRoot, stepsDigest(steps), proof.siblings))
          malformed(`lane ${proof.lane}: the leaf is not in lanesRoot`, TxErrorCode.CHALLENGE_BAD_PATH);
        return { fraud: false, reason: 'answer' };
      }
    }
  });
}

/** `height`: the including block's height. */
export function applyChallenge(view: StateView, tx: ChallengeTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const t = p.training;
  if (!t) throw new TxError(TxErrorCode.NO_TRAINING, {});
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const cp = challengeParams(t);
  const bonded = tx.proof.kind !== ChallengeKind.Answer;
  const cost = tx.fee + (bonded ? cp.bond : 0n);
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance, reason: bonded ? 'fee + challenge bond' : 'fee' });
  const c = challengedPart(view, t, tx.part, height);
  const verdict = judgeChallenge(view, c, tx, t);
  const { part } = c;
  const rKey = requestKey(part.round, part.miner, part.laneStart);

  switch (tx.proof.kind) {
    case ChallengeKind.Request: {
      const deadline = requestDeadline(c, t, height);
      view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
      view.set(rKey, encodeRequest({ lane: tx.proof.lane, deadline, requester: sender, bond: cp.bond, part: tx.part }));
      return { sender, fee: tx.fee };
    }
    case ChallengeKind.Answer: {
      const req = decodeRequest(view.get(rKey)!);
      view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
      view.set(rKey, null);
      credit(view, sender, req.bond);
      return { sender, fee: tx.fee };
    }
    default:
      if (!verdict.fraud) {
        view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
        addChallengeBurned(view, cp.bond);
        return { sender, fee: tx.fee };
      }
      view.putAccount(sender, { balance: from.balance - tx.fee, nonce: from.nonce + 1 });
      voidPart(view, t, c, sender, tx.proof.kind, height);
      return { sender, fee: tx.fee };
  }
}

/**
 * End of block `height` (before its round close): every request whose deadline is `height` and that
 * no answer closed voids its part (unless a proof voided it already) with the requester as
 * challenger, and returns the requester's bond.
 */
export function resolveRequests(view: StateView, t: TrainingParams, height: number): void {
  const open = readRound(view);
  if (!open) return;
  for (const k of view.keysWithPrefix(requestKey())) {
    const req = decodeRequest(view.get(k)!);
    if (req.deadline > height) continue;
    view.set(k, null);
    credit(view, req.requester, req.bond);
    const round = Number(new DataView(k.buffer, k.byteOffset, k.length).getBigUint64(1));
    const closed = round < open.round ? readClosedRound(view, round) : undefined;
    const task = closed ? taskOfClosedRound(closed) : t.task;
    const part = decodeSignedPart(task, req.part);
    if (isPartVoid(view, part.round, part.miner, part.laneStart)) continue;
    voidPart(view, t, { part, task, open, ...(closed ? { closed } : {}) }, req.requester, ChallengeKind.Request, height);
  }
}
