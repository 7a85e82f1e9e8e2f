// Reading and writing the round records of a state (keys.ts): the open round, its checkpoint
// W_R, bonds, contributions and wins. Works on a State (read) or a StateView (read/write).
import { checkpointRoot, type Checkpoint } from '../../consensus/training/checkpoint.ts';
import { decodeSignedContribution, type SignedContribution } from '../../consensus/training/contribution.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { stepJobShapes } from '../../consensus/training/step.ts';
import { BlockError, BlockErrorCode } from '../../consensus/errors.ts';
import {
  bondKey, checkpointTensorKey, contributionPrefix, decodeAmount, decodeRoundInfo, decodeTensor, encodeAmount, encodeRoundInfo,
  encodeTensor, roundKey, type RoundInfo,
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

/** The contributions of `round` held in state, in key order (miner, lane). */
export function readContributions(s: StateReader, task: TrainingTask, round: number): SignedContribution[] {
  return s.keysWithPrefix(contributionPrefix(round)).map((k) => decodeSignedContribution(task, s.get(k)!));
}

/** Multiply-accumulates of one contribution: H local steps of every job of the task. */
export function contributionMacs(task: TrainingTask): bigint {
  let perStep = 0n;
  for (const [m, k, n] of stepJobShapes(task)) perStep += BigInt(m) * BigInt(k) * BigInt(n);
  return perStep * BigInt(task.localSteps);
}
