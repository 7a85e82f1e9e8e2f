// The training task: a plain data spec. Another MLP shape, batch or schedule is a new spec,
// not new code. Every number is an integer; fractions are written num / 2^shift.
import { TrainingError, TrainingErrorCode } from './errors.ts';

/** A fraction num / 2^shift. */
export interface Fraction {
  readonly num: number;
  readonly shift: number;
}

export interface OuterSpec {
  /** 'mean': W += lr · mean(delta). 'nesterov': DiLoCo's outer Nesterov momentum in fixed point. */
  readonly kind: 'mean' | 'nesterov';
  readonly lr: Fraction;
  /** Momentum coefficient (ignored by 'mean'). */
  readonly momentum: Fraction;
}

export interface TrainingTask {
  readonly name: string;
  /** Layer widths, input first: [784, 128, 10] is the MLP 784-128-10 (ReLU between layers, softmax out). */
  readonly layers: readonly number[];
  /** Master weights are int32 with this many fraction bits: real = w / 2^weightFracBits. */
  readonly weightFracBits: number;
  /** Exponent of the input pixels: real = x · 2^inputExp (int7 pixels 0..63, inputExp -6 ~ [0, 1]). */
  readonly inputExp: number;
  /** Initial weights of layer l uniform in [-initBound[l], initBound[l]] master units (Glorot bounds). */
  readonly initBound: readonly number[];
  /** Local steps per round. */
  readonly localSteps: number;
  /** Samples per local step; a power of two (the mean over the batch is a shift). */
  readonly batch: number;
  /** Inner SGD learning rate. */
  readonly lr: Fraction;
  /** Fraction bits of the softmax probabilities (the loss gradient before quantization). */
  readonly probBits: number;
  readonly outer: OuterSpec;
  /** Ticket tile shape (h x w output tiles) and noise rank r of the proof of useful work. */
  readonly tile: { readonly h: number; readonly w: number };
  readonly noiseRank: number;
  /** Seed string of the initial weights. */
  readonly initSeed: string;
}

/** The default task: MLP 784-128-10 on MNIST, int7 operands, int32 accumulation and master weights. */
export const MNIST_MLP: TrainingTask = Object.freeze({
  name: 'mnist-mlp-784-128-10/v1',
  layers: Object.freeze([784, 128, 10]),
  weightFracBits: 24,
  inputExp: -6,
  // round(2^24 · sqrt(6 / (fan_in + fan_out))): 0.0811 and 0.2085
  initBound: Object.freeze([1_361_339, 3_498_762]),
  localSteps: 8,
  batch: 256,
  lr: Object.freeze({ num: 1, shift: 1 }),
  probBits: 15,
  outer: Object.freeze({ kind: 'nesterov', lr: Object.freeze({ num: 3, shift: 2 }), momentum: Object.freeze({ num: 7, shift: 3 }) }),
  tile: Object.freeze({ h: 16, w: 16 }),
  // r = 16: the security margin argued in docs/pouw.md ("Security margin", "Which r"); r = 8 measured
  // no cheaper on the ticket path (the tile hashes dominate, r = 8 folds twice as often)
  noiseRank: 16,
  initSeed: 'tessera/mnist-mlp/init/v1',
}) as TrainingTask;

/**
 * The default MLP with 32 local steps per lane (H = 32) instead of 8: 4x the compute per
 * contribution byte, so a round carries 4x fewer contributions for the same work (chain size,
 * block capacity, round-close time). Everything else as MNIST_MLP. Measured: docs/mining.md.
 */
export const MNIST_MLP_H32: TrainingTask = Object.freeze({
  ...MNIST_MLP,
  name: 'mnist-mlp-784-128-10/h32',
  localSteps: 32,
}) as TrainingTask;

/** As MNIST_MLP_H32 with H = 64 (measured against it: docs/mining.md). */
export const MNIST_MLP_H64: TrainingTask = Object.freeze({
  ...MNIST_MLP,
  name: 'mnist-mlp-784-128-10/h64',
  localSteps: 64,
}) as TrainingTask;

/**
 * As MNIST_MLP_H32 with a hidden layer of 512 (784-512-10): the two ticket jobs become 256x784x512 and
 * 784x256x512, so the ticket path's decode floor r/n + r/m + 2r/k drops from 23-27% to 13-18% at r = 16
 * (11-14% -> 7-9% at r = 8), for 4x the MACs per sample; held-out accuracy on the same samples as
 * good or better (measured: docs/mining.md "A wider task"). Its contributions are ~730 kB: a genesis
 * that selects it needs maxContributionBytes above that (devnet's 600,000 is not).
 */
export const MNIST_MLP_W512: TrainingTask = Object.freeze({
  ...MNIST_MLP_H32,
  name: 'mnist-mlp-784-512-10/h32',
  layers: Object.freeze([784, 512, 10]),
  // round(2^24 · sqrt(6 / (fan_in + fan_out))): 0.0680 and 0.1072
  initBound: Object.freeze([1_141_545, 1_798_706]),
}) as TrainingTask;

function bad(reason: string): never {
  throw new TrainingError(TrainingErrorCode.BAD_SPEC, { what: 'task', reason });
}

function checkFraction(name: string, f: Fraction): void {
  if (!Number.isSafeInteger(f.num) || f.num < 0 || f.num > 1024) bad(`${name}.num must be an integer in [0, 1024]`);
  if (!Number.isInteger(f.shift) || f.shift < 0 || f.shift > 30) bad(`${name}.shift must be an integer in [0, 30]`);
}

/** Throws TrainingError(BAD_SPEC) when the spec cannot be trained exactly. */
export function validateTask(t: TrainingTask): void {
  if (t.layers.length < 2) bad('need at least an input and an output layer');
  for (const d of t.layers) if (!Number.isInteger(d) || d < 1 || d > 4096) bad(`layer width ${d}`);
  if (t.layers[t.layers.length - 1]! < 2) bad('need at least 2 classes');
  if (t.initBound.length !== t.layers.length - 1) bad('one initBound per weight layer');
  for (const b of t.initBound) if (!Number.isInteger(b) || b < 1 || b > 2 ** 29) bad(`initBound ${b}`);
  if (!Number.isInteger(t.weightFracBits) || t.weightFracBits < 8 || t.weightFracBits > 28) bad('weightFracBits in [8, 28]');
  if (!Number.isInteger(t.inputExp) || t.inputExp > 0 || t.inputExp < -16) bad('inputExp in [-16, 0]');
  if (!Number.isInteger(t.localSteps) || t.localSteps < 1 || t.localSteps > 1024) bad('localSteps in [1, 1024]');
  // batch <= 1024: the inner dimension of the weight-gradient jobs, exact in float32 backends
  if (!Number.isInteger(t.batch) || t.batch < 2 || t.batch > 1024 || (t.batch & (t.batch - 1)) !== 0) bad('batch a power of two in [2, 1024]');
  if (!Number.isInteger(t.probBits) || t.probBits < 8 || t.probBits > 16) bad('probBits in [8, 16]');
  checkFraction('lr', t.lr);
  checkFraction('outer.lr', t.outer.lr);
  checkFraction('outer.momentum', t.outer.momentum);
  if (t.outer.kind !== 'mean' && t.outer.kind !== 'nesterov') bad('outer.kind');
  if (t.outer.momentum.num >= 2 ** t.outer.momentum.shift) bad('outer momentum must be < 1');
}

export function log2(n: number): number {
  let s = 0;
  while (2 ** s < n) s++;
  return s;
}

/** Number of weight layers. */
export function layerCount(t: TrainingTask): number {
  return t.layers.length - 1;
}

/** Entries of weight layer l (0-based): layers[l] x layers[l+1], row-major (in x out). */
export function layerSize(t: TrainingTask, l: number): number {
  return t.layers[l]! * t.layers[l + 1]!;
}

export function paramCount(t: TrainingTask): number {
  let n = 0;
  for (let l = 0; l < layerCount(t); l++) n += layerSize(t, l);
  return n;
}

/** Jobs per local step: one forward product per layer, then per layer from the last: dA (not for the first), gW. */
export function jobsPerStep(t: TrainingTask): number {
  const L = layerCount(t);
  return L + L + (L - 1);
}
