// What a round keeps for its challenge window (keys 0x11..0x16, vm/round/keys.ts): the base its
// outer update applied to, its delta sum and lane count, what each part was paid, and which parts
// are void. A proven fraud (vm/tx/challenge.ts) takes the void part out of its round and
// recomputes the model from there: W'_{R+1} = outer(W_R, sum - D, lanes - laneCount), then every
// later closed round's outer update applied to the new base (their delta sums unchanged), and the
// open round's base replaced (0x12 || open round): its parts keep the root they trained on, its
// close applies their sum to the recomputed base. Everything is deleted when the window closes.
import type { Checkpoint } from '../../consensus/training/checkpoint.ts';
import { outerUpdateFromSum } from '../../consensus/training/outer.ts';
import { layerCount, layerSize, type TrainingTask } from '../../consensus/training/spec.ts';
import { decodeTask } from '../../consensus/training/task-codec.ts';
import {
  challengeBurnedKey, closedRoundKey, decodeAmount, decodeClosedRound, decodeSum, encodeAmount, decodeTensor, encodeClosedRound, encodeSum, encodeTensor, partKey, partPaidKey,
  partVoidKey, requestKey, roundBaseKey, roundSumKey, type ClosedRound,
} from './keys.ts';
import { readCheckpoint, type StateReader, type StateWriter } from './state.ts';

export function readClosedRound(s: StateReader, round: number): ClosedRound | undefined {
  const k = closedRoundKey(round);
  const v = s.get(k);
  return v ? decodeClosedRound(k, v) : undefined;
}

export function writeClosedRound(s: StateWriter, r: ClosedRound): void {
  s.set(closedRoundKey(r.round), encodeClosedRound(r));
}

/** The task of a closed round (its record), decoded. */
export function taskOfClosedRound(r: ClosedRound): TrainingTask {
  return decodeTask(r.task);
}

/** Round R's outer-update base (0x12), or undefined when none is stored (an open round not recomputed). */
export function readRoundBase(s: StateReader, task: TrainingTask, round: number): Checkpoint | undefined {
  const L = layerCount(task);
  const first = s.get(roundBaseKey(round, 0));
  if (!first) return undefined;
  const tensors: Int32Array[] = [];
  for (let i = 0; i < 2 * L; i++) tensors.push(decodeTensor(i === 0 ? first : s.get(roundBaseKey(round, i))!, layerSize(task, i % L)));
  return { weights: tensors.slice(0, L), momentum: tensors.slice(L) };
}

export function writeRoundBase(s: StateWriter, round: number, ck: Checkpoint): void {
  [...ck.weights, ...ck.momentum].forEach((t, i) => s.set(roundBaseKey(round, i), encodeTensor(t)));
}

/** The base the open round's close applies its sum to: the recomputed one when a fraud was proven, else the checkpoint. */
export function openRoundBase(s: StateReader, task: TrainingTask, round: number): Checkpoint {
  return readRoundBase(s, task, round) ?? readCheckpoint(s, task);
}

export function readRoundSum(s: StateReader, task: TrainingTask, round: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let l = 0; l < layerCount(task); l++) {
    const v = s.get(roundSumKey(round, l));
    out.push(v ? decodeSum(v, layerSize(task, l)) : new Float64Array(layerSize(task, l)));
  }
  return out;
}

export function writeRoundSum(s: StateWriter, round: number, sum: readonly Float64Array[]): void {
  sum.forEach((x, l) => s.set(roundSumKey(round, l), encodeSum(x)));
}

export function readPartPaid(s: StateReader, round: number, miner: Uint8Array, laneStart: number): bigint {
  const v = s.get(partPaidKey(round, miner, laneStart));
  return v ? decodeAmount(v, 'part paid') : 0n;
}

export function isPartVoid(s: StateReader, round: number, miner: Uint8Array, laneStart: number): boolean {
  return s.get(partVoidKey(round, miner, laneStart)) !== undefined;
}

export function readChallengeBurned(s: StateReader): bigint {
  const v = s.get(challengeBurnedKey());
  return v ? decodeAmount(v, 'challenge burned') : 0n;
}

export function addChallengeBurned(s: StateWriter, amount: bigint): void {
  if (amount === 0n) return;
  s.set(challengeBurnedKey(), encodeAmount(readChallengeBurned(s) + amount));
}

/**
 * Deletes what rounds whose challenge window closed at or before `height` kept (closeHeight +
 * challengeWindow <= height: their rewards were released at that height, and no challenge of
 * them can land any more).
 */
export function expireRounds(s: StateWriter, challengeWindow: number, height: number): void {
  for (const k of s.keysWithPrefix(closedRoundKey())) {
    const r = decodeClosedRound(k, s.get(k)!);
    if (r.closeHeight + challengeWindow > height) continue;
    for (const prefix of [partKey(r.round), roundBaseKey(r.round), roundSumKey(r.round), partPaidKey(r.round), partVoidKey(r.round), requestKey(r.round)])
      for (const x of s.keysWithPrefix(prefix)) s.set(x, null);
    s.set(k, null);
  }
}

/**
 * Recomputes the model after closed round `from` lost lanes (its record and sum already updated):
 * its outer update again from its base, then each later closed round's on the result, up to the
 * open round `open`, whose base (0x12 || open) becomes the result. Stops at a task switch (the
 * round after it started from the new task's own initial weights). Exact: the same integer rules
 * as the round close (outerUpdateFromSum).
 */
export function recomputeFrom(s: StateWriter, from: number, open: number): void {
  let rec = readClosedRound(s, from)!;
  let task = taskOfClosedRound(rec);
  let base = readRoundBase(s, task, from)!;
  for (let r = from; r < open; r++) {
    if (r > from) {
      rec = readClosedRound(s, r)!;
      writeRoundBase(s, r, base);
    }
    const next = rec.lanes > 0 ? outerUpdateFromSum(task, base, readRoundSum(s, task, r), rec.lanes) : base;
    if (rec.taskSwitched) return;
    base = next;
    if (r + 1 < open) task = taskOfClosedRound(readClosedRound(s, r + 1)!);
  }
  writeRoundBase(s, open, base);
}

