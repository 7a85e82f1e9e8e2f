// A miner's round contribution: (R, miner, lane, root of W_R, per-step commitments, delta).
// Canonical encoding (consensus/codec.ts), type byte first:
//   [0x40, round, miner(20), lane, baseRoot(32), steps, delta]
//   steps = H arrays [weightsRoot, aRoot_0, bRoot_0, cRoot_0, aRoot_1, ...] (32-byte roots, jobs in order)
//   delta = one byte string: every entry of dW (layer by layer, row-major) as a zigzag LEB128
//           varint (minimal: a multi-byte varint never ends in 0x00), 1-5 bytes each.
import { decodeCanonical, encode, TupleReader } from '../codec.ts';
import { TypeTag } from '../types.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import type { StepCommit, JobCommit } from './step.ts';
import type { Trajectory } from './trajectory.ts';
import { jobsPerStep, layerCount, layerSize, paramCount, type TrainingTask } from './spec.ts';

export interface Contribution {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  readonly baseRoot: Uint8Array;
  readonly steps: readonly StepCommit[];
  readonly delta: readonly Int32Array[];
}

export function contributionOf(t: Trajectory): Contribution {
  return { round: t.ctx.round, miner: t.ctx.miner, lane: t.ctx.lane, baseRoot: t.baseRoot, steps: t.steps, delta: t.delta };
}

const MAX_ROUND = 2 ** 48;
const MAX_LANE = 2 ** 16;

function badContribution(reason: string, index?: number): never {
  throw new TrainingError(TrainingErrorCode.BAD_CONTRIBUTION, { what: 'contribution', reason, ...(index !== undefined ? { index } : {}) });
}

/** Zigzag LEB128 of int32 values. */
export function encodeDelta(delta: readonly Int32Array[]): Uint8Array {
  let n = 0;
  for (const d of delta) n += d.length;
  const out = new Uint8Array(n * 5);
  let o = 0;
  for (const d of delta)
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        out[o++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      out[o++] = z;
    }
  return out.slice(0, o);
}

/** Inverse of encodeDelta for a task's layer sizes; rejects non-minimal varints, overflow and trailing bytes. */
export function decodeDelta(task: TrainingTask, bytes: Uint8Array): Int32Array[] {
  const out: Int32Array[] = [];
  let p = 0;
  for (let l = 0; l < layerCount(task); l++) {
    const d = new Int32Array(layerSize(task, l));
    for (let i = 0; i < d.length; i++) {
      let z = 0;
      let shift = 0;
      let len = 0;
      for (;;) {
        if (p >= bytes.length) badContribution('delta truncated');
        const b = bytes[p++]!;
        len++;
        if (len === 5 && b > 0x0f) badContribution('delta varint overflows 32 bits');
        z += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) {
          if (b === 0 && len > 1) badContribution('non-minimal delta varint');
          break;
        }
      }
      d[i] = (z >>> 1) ^ -(z & 1);
    }
    out.push(d);
  }
  if (p !== bytes.length) badContribution(`${bytes.length - p} trailing delta bytes`);
  return out;
}

export function encodeContribution(c: Contribution): Uint8Array {
  const steps = c.steps.map((s) => [s.weightsRoot, ...s.jobs.flatMap((j) => [j.aRoot, j.bRoot, j.cRoot])]);
  return encode([TypeTag.Contribution, c.round, c.miner, c.lane, c.baseRoot, steps, encodeDelta(c.delta)]);
}

/** Decodes and checks a contribution against the task (H steps, jobs per step, delta length). */
export function decodeContribution(task: TrainingTask, bytes: Uint8Array): Contribution {
  const J = jobsPerStep(task);
  const maxBytes = 64 + task.localSteps * (3 + (1 + 3 * J) * 34) + 5 * paramCount(task) + 16;
  const r = TupleReader.of(decodeCanonical(bytes, 'contribution', maxBytes), 'contribution', 7);
  if (r.uint(255) !== TypeTag.Contribution) badContribution('type byte');
  const round = r.uint(MAX_ROUND);
  const miner = r.bytes(20);
  const lane = r.uint(MAX_LANE);
  const baseRoot = r.bytes(32);
  const rawSteps = r.array(task.localSteps);
  if (rawSteps.length !== task.localSteps) badContribution(`${rawSteps.length} steps, task has ${task.localSteps}`);
  const steps: StepCommit[] = rawSteps.map((raw, s) => {
    const sr = TupleReader.of(raw, `contribution step ${s}`, 1 + 3 * J);
    const weightsRoot = sr.bytes(32);
    const jobs: JobCommit[] = [];
    for (let j = 0; j < J; j++) jobs.push({ aRoot: sr.bytes(32), bRoot: sr.bytes(32), cRoot: sr.bytes(32) });
    sr.end();
    return { weightsRoot, jobs };
  });
  const delta = decodeDelta(task, r.bytes());
  r.end();
  return { round, miner, lane, baseRoot, steps, delta };
}
