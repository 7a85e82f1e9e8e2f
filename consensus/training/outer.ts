// The outer update of a round (after DiLoCo), exact in fixed point.
// mean_i = round(sum_m dW_m[i] / M) (nearest, ties up, exact integer division).
//  'mean':     W' = W + round(lr · mean)
//  'nesterov': v' = round(mu · v) + mean;  W' = W + round(lr · (mean + round(mu · v')))
// (DiLoCo's outer Nesterov SGD with the pseudo-gradient -mean; the momentum v is part of the
// checkpoint.) Each round(q · x) with q = num / 2^shift is roundShift(num · x, shift);
// weights and momentum saturate at ±(2^30 - 1).
import { checkWeights, sat, type Checkpoint } from './checkpoint.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import { roundDiv, roundShift } from './fixed.ts';
import { layerCount, layerSize, log2, type TrainingTask } from './spec.ts';

/** Element-wise rounded mean of the deltas of M contributions. */
export function meanDelta(task: TrainingTask, deltas: readonly (readonly Int32Array[])[]): Int32Array[] {
  const M = deltas.length;
  if (M === 0) throw new TrainingError(TrainingErrorCode.BAD_OUTER, { what: 'outer', reason: 'no contribution' });
  for (const d of deltas) checkWeights(task, d, 'delta');
  const out: Int32Array[] = [];
  for (let l = 0; l < layerCount(task); l++) {
    const n = deltas[0]![l]!.length;
    const mean = new Int32Array(n);
    const pow2 = (M & (M - 1)) === 0;
    const sh = log2(M); // used only when M is a power of two
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += deltas[m]![l]![i]!;
      mean[i] = sat(pow2 ? roundShift(s, sh) : roundDiv(s, M));
    }
    out.push(mean);
  }
  return out;
}

/**
 * The mean delta from the sum of the round's lane deltas (the parts' D added up) and its lane
 * count: round(sum / lanes) per entry, nearest with ties up, exact (BigInt-free while |sum| < 2^53),
 * saturated. The same numbers as meanDelta over the lanes one by one (both round sum / M the
 * same way), which test/unit/consensus/training/part.test.ts checks.
 */
export function meanFromSum(task: TrainingTask, sum: readonly Float64Array[], lanes: number): Int32Array[] {
  if (!Number.isSafeInteger(lanes) || lanes < 1) throw new TrainingError(TrainingErrorCode.BAD_OUTER, { what: 'outer', reason: `${lanes} lanes` });
  if (sum.length !== layerCount(task)) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'delta sum', reason: `${sum.length} layers` });
  const pow2 = (lanes & (lanes - 1)) === 0;
  const sh = log2(lanes);
  return sum.map((s, l) => {
    if (s.length !== layerSize(task, l)) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'delta sum', index: l, reason: `length ${s.length}` });
    const mean = new Int32Array(s.length);
    for (let i = 0; i < s.length; i++) mean[i] = sat(pow2 ? roundShift(s[i]!, sh) : roundDiv(s[i]!, lanes));
    return mean;
  });
}

/** W_{R+1} from W_R, the sum of the round's lane deltas and the round's lane count (the round close's rule). */
export function outerUpdateFromSum(task: TrainingTask, ck: Checkpoint, sum: readonly Float64Array[], lanes: number): Checkpoint {
  return applyMean(task, ck, meanFromSum(task, sum, lanes));
}

/** W_{R+1} (and the outer momentum) from W_R and the deltas of the round's lanes one by one (the reference). */
export function outerUpdate(task: TrainingTask, ck: Checkpoint, deltas: readonly (readonly Int32Array[])[]): Checkpoint {
  return applyMean(task, ck, meanDelta(task, deltas));
}

function applyMean(task: TrainingTask, ck: Checkpoint, mean: readonly Int32Array[]): Checkpoint {
  checkWeights(task, ck.weights, 'weights');
  checkWeights(task, ck.momentum, 'momentum');
  const { lr, momentum: mu, kind } = task.outer;
  const weights: Int32Array[] = [];
  const momentum: Int32Array[] = [];
  for (let l = 0; l < layerCount(task); l++) {
    const w = ck.weights[l]!;
    const v = ck.momentum[l]!;
    const d = mean[l]!;
    const nw = new Int32Array(w.length);
    const nv = new Int32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      let u = d[i]!;
      if (kind === 'nesterov') {
        nv[i] = sat(roundShift(mu.num * v[i]!, mu.shift) + d[i]!);
        u = d[i]! + roundShift(mu.num * nv[i]!, mu.shift);
      }
      nw[i] = sat(w[i]! + roundShift(lr.num * u, lr.shift));
    }
    weights.push(nw);
    momentum.push(nv);
  }
  return { weights, momentum };
}
