// One local step of exact integer SGD (NITI-style block floating point): every tensor is an
// integer array with a power-of-two exponent tracked through the forward and backward pass.
//
// Forward, for weight layer l (in x out): Wq_l = int7(W_l) by nearest rounding at the shift
// that fits its max; Z_l = A_l · Wq_l (MatmulFn, int32); A_{l+1} = int7(ReLU(Z_l)) nearest.
// Loss gradient: integer softmax of Z_last (softmax.ts) minus one-hot, in 2^-probBits units,
// divided by the batch (an exponent shift), quantized to int7 by PRF stochastic rounding.
// Backward, for l from the last: dA_l = dZ_l · Wq_l^T (MatmulFn, not for l = 0), masked by
// Z_{l-1} > 0, quantized by stochastic rounding; G_l = A_l^T · dZ_l (MatmulFn, int32).
// Update: W_l -= clip(lr · G_l) at master scale, rounded to nearest (fixed.ts), the update clipped
// to ±stepClip(task) (so H steps move a weight by at most H · stepClip: the bound of a lane's
// delta, consensus/training/part.ts), the weight saturated to ±(2^30-1).
// Job order (jobId): forward 0..L-1, then per layer from the last: dA (l > 0), G.
import { matmulRef, rootByCols, rootByRows, rootInt32, type MatmulFn, type MatmulJob } from '../matmul.ts';
import { sat, weightsRoot } from './checkpoint.ts';
import { gather, type Dataset } from './dataset.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import { quantizeNearest, quantizeStochastic, roundShift, transposeI8, type QTensor } from './fixed.ts';
import { deriveSeed, prfWords, u32 } from './prf.ts';
import { softmaxXent } from './softmax.ts';
import { layerCount, log2, stepClip, type TrainingTask } from './spec.ts';

/** Commitment to one job: roots of A (by rows), B (by columns) and C = A·B (int32). */
export interface JobCommit {
  readonly aRoot: Uint8Array;
  readonly bRoot: Uint8Array;
  readonly cRoot: Uint8Array;
}

/** Commitment to one local step: the root of its input weights W_s, and its jobs in order. */
export interface StepCommit {
  readonly weightsRoot: Uint8Array;
  readonly jobs: readonly JobCommit[];
}

export interface StepResult {
  readonly commit: StepCommit;
  /** W_{s+1}. */
  readonly weights: Int32Array[];
  /** Sum over the batch of the cross-entropy, in 2^-8 nats. */
  readonly lossSum: number;
  /** Samples of the batch classified right by W_s. */
  readonly correct: number;
}

/** Shapes (m, k, n) of a step's jobs, in jobId order. */
export function stepJobShapes(task: TrainingTask): Array<[number, number, number]> {
  const L = layerCount(task);
  const B = task.batch;
  const out: Array<[number, number, number]> = [];
  for (let l = 0; l < L; l++) out.push([B, task.layers[l]!, task.layers[l + 1]!]);
  for (let l = L - 1; l >= 0; l--) {
    if (l > 0) out.push([B, task.layers[l + 1]!, task.layers[l]!]);
    out.push([task.layers[l]!, B, task.layers[l + 1]!]);
  }
  return out;
}

/** Seed of step s's stochastic rounding of tensor t: SHA-256("tessera/train/sr/v1" || shardSeed || s || t). */
function srWords(shardSeed: Uint8Array, step: number, tensor: number, count: number): Uint32Array {
  return prfWords(deriveSeed('tessera/train/sr/v1', shardSeed, u32(step), u32(tensor)), count);
}

/**
 * Runs local step `step` from weights W_s on the batch `idx` of `data`.
 * `shardSeed` keys the stochastic rounding, so the step is a function of public data.
 */
export async function runStep(
  task: TrainingTask,
  data: Dataset,
  weights: readonly Int32Array[],
  step: number,
  idx: ArrayLike<number>,
  shardSeed: Uint8Array,
  matmul: MatmulFn,
): Promise<StepResult> {
  const g = stepJobs(task, data, weights, step, idx, shardSeed);
  let r = g.next();
  while (!r.done) r = g.next(await matmul(r.value));
  return r.value;
}

/**
 * runStep with the plain-JS reference product, synchronously: what every node runs to verify a
 * single-step fraud proof inside the state transition (vm/tx/challenge.ts). The same code as
 * runStep (one generator, two drivers), so both give the same bits.
 */
export function runStepSync(
  task: TrainingTask,
  data: Dataset,
  weights: readonly Int32Array[],
  step: number,
  idx: ArrayLike<number>,
  shardSeed: Uint8Array,
): StepResult {
  const g = stepJobs(task, data, weights, step, idx, shardSeed);
  let r = g.next();
  while (!r.done) r = g.next(matmulRef(r.value));
  return r.value;
}

/** The step as a generator: yields each product it needs (in jobId order) and takes C = A·B back. */
function* stepJobs(
  task: TrainingTask,
  data: Dataset,
  weights: readonly Int32Array[],
  step: number,
  idx: ArrayLike<number>,
  shardSeed: Uint8Array,
): Generator<MatmulJob, StepResult, Int32Array> {
  const L = layerCount(task);
  const B = task.batch;
  const FW = task.weightFracBits;
  if (idx.length !== B) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'batch', step, reason: `${idx.length} samples` });
  if (data.dim !== task.layers[0]) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'dataset', reason: `dim ${data.dim}` });
  const wRoot = weightsRoot(task, weights);
  const jobs: JobCommit[] = [];
  let jobId = 0;
  function* mm(a: Int8Array, b: Int8Array, m: number, k: number, n: number): Generator<MatmulJob, Int32Array, Int32Array> {
    const id = jobId++;
    // input roots first: the contribution commits to them and a ticket job's seed binds them
    const roots = { rootA: rootByRows(a, m, k), rootB: rootByCols(b, k, n) };
    const c: Int32Array = yield { step, jobId: id, m, k, n, a, b, roots };
    if (!(c instanceof Int32Array) || c.length !== m * n)
      throw new TrainingError(TrainingErrorCode.BAD_PRODUCT, { what: `job ${id}`, step, reason: `length ${(c as Int32Array | undefined)?.length}` });
    jobs.push({ aRoot: roots.rootA, bRoot: roots.rootB, cRoot: rootInt32(c, m, n) });
    return c;
  }

  const { x, y } = gather(data, idx);
  const wq: QTensor[] = weights.map((w) => quantizeNearest(w, -FW));
  const acts: QTensor[] = [{ q: x, exp: task.inputExp }];
  const zs: Int32Array[] = [];
  for (let l = 0; l < L; l++) {
    const z = yield* mm(acts[l]!.q, wq[l]!.q, B, task.layers[l]!, task.layers[l + 1]!);
    zs.push(z);
    if (l < L - 1) {
      const r = new Int32Array(z.length);
      for (let i = 0; i < z.length; i++) r[i] = z[i]! > 0 ? z[i]! : 0;
      acts.push(quantizeNearest(r, acts[l]!.exp + wq[l]!.exp));
    }
  }
  const classes = task.layers[L]!;
  const sm = softmaxXent(zs[L - 1]!, B, classes, acts[L - 1]!.exp + wq[L - 1]!.exp, y, task.probBits);
  let dz = quantizeStochastic(sm.grad, -task.probBits - log2(B), srWords(shardSeed, step, L - 1, B * classes));

  const grads: Array<{ g: Int32Array; exp: number }> = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const din = task.layers[l]!;
    const dout = task.layers[l + 1]!;
    let next: QTensor | undefined;
    if (l > 0) {
      const dA = yield* mm(dz.q, transposeI8(wq[l]!.q, din, dout), B, dout, din);
      const zPrev = zs[l - 1]!;
      for (let i = 0; i < dA.length; i++) if (zPrev[i]! <= 0) dA[i] = 0;
      next = quantizeStochastic(dA, dz.exp + wq[l]!.exp, srWords(shardSeed, step, l - 1, B * din));
    }
    const g = yield* mm(transposeI8(acts[l]!.q, B, din), dz.q, din, B, dout);
    grads[l] = { g, exp: acts[l]!.exp + dz.exp };
    if (next) dz = next;
  }

  const out: Int32Array[] = [];
  const clip = stepClip(task);
  for (let l = 0; l < L; l++) {
    const w = weights[l]!;
    const { g, exp } = grads[l]!;
    const t = exp + FW - task.lr.shift; // master-unit update = lr.num · g · 2^t
    const nw = new Int32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      const u = roundShift(task.lr.num * g[i]!, -t);
      nw[i] = sat(w[i]! - (u > clip ? clip : u < -clip ? -clip : u));
    }
    out.push(nw);
  }
  return { commit: { weightsRoot: wRoot, jobs }, weights: out, lossSum: sm.lossSum, correct: sm.correct };
}
