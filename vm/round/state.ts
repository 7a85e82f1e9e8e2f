// Reading and writing the round records of a state (keys.ts): the open round, its checkpoint
// W_R, bonds, contributions and wins. Works on a State (read) or a StateView (read/write).
import { checkpointRoot, type Checkpoint } from '../../consensus/training/checkpoint.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { stepJobShapes } from '../../consensus/training/step.ts';
import { BlockError, BlockErrorCode } from '../../consensus/errors.ts';
import { decodeCanonical, TupleReader } from '../../consensus/codec.ts';
import {
  bondKey, checkpointTensorKey, decodeAmount, decodeRoundInfo, decodeSum, decodeTensor, deltaSumKey, encodeAmount, encodeRoundInfo,
  encodeTensor, roundKey, roundLanesKey, type RoundInfo,
} from './keys.ts';

/** What the readers need: a State or a StateView. */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
  keysWithPrefix(prefix: Uint8Array): Uint8Array[];
}

export interface StateWriter extends StateReader {
  set(key: Uint8Array, value: Uint8Array | null): void;
}

/** The open round, or undefined on a chain without training. */
export function readRound(s: StateReader): RoundInfo | undefined {
  const v = s.get(roundKey());
  return v ? decodeRoundInfo(v) : undefined;
}

export function requireRound(s: StateReader): RoundInfo {
  const r = readRound(s);
  if (!r) throw new BlockError(BlockErrorCode.STATE_MISMATCH, { reason: 'no open round in a state with training params' });
  return r;
}

export function writeRound(s: StateWriter, r: RoundInfo): void {
  s.set(roundKey(), encodeRoundInfo(r));
}

/** W_R of the open round (weights, then the outer momentum). */
export function readCheckpoint(s: StateReader, task: TrainingTask): Checkpoint {
  const L = layerCount(task);
  const tensors: Int32Array[] = [];
  for (let i = 0; i < 2 * L; i++) {
    const v = s.get(checkpointTensorKey(i));
    if (!v) throw new BlockError(BlockErrorCode.STATE_MISMATCH, { reason: `checkpoint tensor ${i} missing` });
    tensors.push(decodeTensor(v, layerSize(task, i % L)));
  }
  return { weights: tensors.slice(0, L), momentum: tensors.slice(L) };
}

export function writeCheckpoint(s: StateWriter, ck: Checkpoint): void {
  [...ck.weights, ...ck.momentum].forEach((t, i) => s.set(checkpointTensorKey(i), encodeTensor(t)));
}

/** The state entries that open `round` on `ck` (genesis writes them for round 0). */
export function openRoundEntries(task: TrainingTask, round: number, openedAt: number, ck: Checkpoint, pool = 0n): Array<[Uint8Array, Uint8Array]> {
  const out: Array<[Uint8Array, Uint8Array]> = [[roundKey(), encodeRoundInfo({ round, openedAt, checkpointRoot: checkpointRoot(task, ck), pool })]];
  [...ck.weights, ...ck.momentum].forEach((t, i) => out.push([checkpointTensorKey(i), encodeTensor(t)]));
  return out;
}

export function readBond(s: StateReader, address: Uint8Array): bigint {
  const v = s.get(bondKey(address));
  return v ? decodeAmount(v, 'bond') : 0n;
}

export function writeBond(s: StateWriter, address: Uint8Array, amount: bigint): void {
  s.set(bondKey(address), amount === 0n ? null : encodeAmount(amount));
}

/** Lanes of the open round's landed parts (0 when none). */
export function readRoundLanes(s: StateReader): number {
  const v = s.get(roundLanesKey());
  if (!v) return 0;
  const r = TupleReader.of(decodeCanonical(v, 'round lanes'), 'round lanes', 1);
  const n = r.uint();
  r.end();
  return n;
}

/** Sum of the D of the open round's landed parts, per layer (zeros when none landed). */
export function readDeltaSum(s: StateReader, task: TrainingTask): Float64Array[] {
  const out: Float64Array[] = [];
  for (let l = 0; l < layerCount(task); l++) {
    const v = s.get(deltaSumKey(l));
    out.push(v ? decodeSum(v, layerSize(task, l)) : new Float64Array(layerSize(task, l)));
  }
  return out;
}

/** Multiply-accumulates of one lane: H local steps of every job of the task. */
export function contributionMacs(task: TrainingTask): bigint {
  let perStep = 0n;
  for (const [m, k, n] of stepJobShapes(task)) perStep += BigInt(m) * BigInt(k) * BigInt(n);
  return perStep * BigInt(task.localSteps);
}
