// Per-step training data for validators: the client side of the step-data protocol (reqresp.ts).
// A validator that samples lane `lane` of a part (round R, miner m, lanes [a, a + n), lanesRoot,
// all as landed on chain) and a local step s asks m's node for
//   - lane's leaf (its final weights root and H step commitments) with its Merkle path, and
//   - W_{R,m,lane,s}, the input weights of step s (one Int32Array per layer; s = H: the lane's
//     final weights, checked against the leaf's finalRoot),
// and accepts them only when the path proves the leaf at `lane` under the part's lanesRoot and the
// weights hash to the leaf's committed root of step s. What it gets is then exactly what the miner
// committed to: re-executing step s from it and comparing with step s + 1's root and the step's
// job roots is the validator's check (DESIGN.md "Validators").
//
//   const got = await node.network.fetchStepData({ part, lane, step });   // any peer that serves it
//   const got = await node.network.fetchStepData({ part, lane, step }, { peer });
//   got.opening.leaf.steps[step]   // commitments of step s (weights root, job roots A, B, C)
//   got.weights                    // W_{R,m,lane,s}, checked; undefined with { weights: false }
//
// Errors: StepDataError (this file) when what came back is not what the part commits to or was
// not served, NetworkError (errors.ts) for the transport (TIMEOUT, RATE_LIMITED, BAD_REQUEST).
import { bytesEqual, to0x } from '../../consensus/bytes.ts';
import { TesseraError, isTesseraError } from '../../consensus/errors.ts';
import { weightsRoot } from '../../consensus/training/checkpoint.ts';
import { verifyOpening, type LaneOpening, type PartHeader } from '../../consensus/training/part.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { decodeLaneOpening, decodeStepData, NetTag, type StepDataRequest } from './messages.ts';

export enum StepDataErrorCode {
  /** The peer does not serve this lane: not its miner's, not kept (out of the window), or unknown. */
  NOT_SERVED = 'STEP_DATA_NOT_SERVED',
  /** The lane's opening was served but not W_{R,m,lane,s} (not kept, or s outside [0, H]). */
  WEIGHTS_NOT_SERVED = 'STEP_DATA_WEIGHTS_NOT_SERVED',
  /** A frame that does not decode for the task, or more frames than the answer holds. */
  BAD_FRAME = 'STEP_DATA_BAD_FRAME',
  /** The served leaf is not the one at `lane` under the part's committed lanesRoot. */
  BAD_OPENING = 'STEP_DATA_BAD_OPENING',
  /** The served weights do not hash to the leaf's committed weights root of step s. */
  WEIGHTS_MISMATCH = 'STEP_DATA_WEIGHTS_MISMATCH',
  /** No connected peer served the lane (every one answered NOT_SERVED or failed). */
  NO_PEER = 'STEP_DATA_NO_PEER',
}

export interface StepDataErrorContext {
  round: number;
  miner: string;
  lane: number;
  step: number;
  peer?: string;
  reason?: string;
  /** For NO_PEER: how each peer tried answered (peer id -> error code). */
  tried?: Record<string, string>;
}

export class StepDataError extends TesseraError<StepDataErrorCode, StepDataErrorContext> {
  constructor(code: StepDataErrorCode, context: StepDataErrorContext) {
    super(code, context);
    this.name = 'StepDataError';
  }
}

/** The part as it landed on chain (a PartHeader has these fields). */
export type CommittedPart = Pick<PartHeader, 'round' | 'miner' | 'laneStart' | 'laneCount' | 'lanesRoot'>;

export interface StepDataQuery {
  readonly part: CommittedPart;
  /** A lane of the part: laneStart <= lane < laneStart + laneCount. */
  readonly lane: number;
  /** The local step s in [0, H): W_{R,m,lane,s} are its input weights; s = H: the lane's final weights. */
  readonly step: number;
}

export interface CheckedStepData {
  /** The lane's leaf, proven under the part's lanesRoot. */
  readonly opening: LaneOpening;
  /** W_{R,m,lane,s}, one Int32Array per layer, hashing to the leaf's committed root of step s (absent if not asked). */
  readonly weights?: Int32Array[];
  /** The peer that served it. */
  readonly peer: string;
}

/** The wire request for a query (throws RangeError for a lane outside the part: the caller's bug). */
export function stepDataRequest(q: StepDataQuery): StepDataRequest {
  const { part, lane, step } = q;
  if (!Number.isInteger(lane) || lane < part.laneStart || lane >= part.laneStart + part.laneCount) throw new RangeError(`lane ${lane} is not in the part's lanes [${part.laneStart}, ${part.laneStart + part.laneCount})`);
  return { type: NetTag.StepData, round: part.round, miner: part.miner, laneStart: part.laneStart, laneCount: part.laneCount, lane, step };
}

/**
 * Checks a step-data answer (its item frames) against the committed part: the opening decodes, is
 * for `lane` and proves its leaf under lanesRoot; the weights (when `wantWeights`) decode to the
 * task's layer sizes and hash to the leaf's root of step s. Throws StepDataError.
 */
export function checkStepData(task: TrainingTask, q: StepDataQuery, frames: readonly Uint8Array[], peer: string, wantWeights = true): CheckedStepData {
  const ctx = { round: q.part.round, miner: to0x(q.part.miner), lane: q.lane, step: q.step, peer };
  if (frames.length === 0) throw new StepDataError(StepDataErrorCode.NOT_SERVED, ctx);
  if (frames.length > 2) throw new StepDataError(StepDataErrorCode.BAD_FRAME, { ...ctx, reason: `${frames.length} frames` });
  let opening: LaneOpening;
  try {
    opening = decodeLaneOpening(task, frames[0]!);
  } catch (e) {
    throw new StepDataError(StepDataErrorCode.BAD_FRAME, { ...ctx, reason: isTesseraError(e) ? `opening: ${e.code}` : 'opening' });
  }
  if (opening.lane !== q.lane) throw new StepDataError(StepDataErrorCode.BAD_OPENING, { ...ctx, reason: `opening of lane ${opening.lane}` });
  if (!verifyOpening(q.part, opening)) throw new StepDataError(StepDataErrorCode.BAD_OPENING, { ...ctx, reason: 'the leaf is not in lanesRoot at the lane' });
  if (!wantWeights) return { opening, peer };
  if (frames.length < 2) throw new StepDataError(StepDataErrorCode.WEIGHTS_NOT_SERVED, ctx);
  const committed = q.step === task.localSteps ? opening.leaf.finalRoot : opening.leaf.steps[q.step]?.weightsRoot;
  if (!committed) throw new StepDataError(StepDataErrorCode.BAD_FRAME, { ...ctx, reason: `weights served for step ${q.step} of ${task.localSteps}` });
  let weights: Int32Array[];
  try {
    weights = decodeStepData(frames[1]!, Array.from({ length: layerCount(task) }, (_, l) => layerSize(task, l)));
  } catch (e) {
    throw new StepDataError(StepDataErrorCode.BAD_FRAME, { ...ctx, reason: isTesseraError(e) ? `weights: ${e.code}` : 'weights' });
  }
  if (!bytesEqual(weightsRoot(task, weights), committed)) throw new StepDataError(StepDataErrorCode.WEIGHTS_MISMATCH, ctx);
  return { opening, weights, peer };
}
