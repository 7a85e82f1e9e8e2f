// Loss and held-out accuracy of a checkpoint: the integer forward pass of step.ts (same
// quantization) over the dataset in fixed chunks of EVAL_CHUNK samples (the activation shift
// is per chunk, so the chunk size is part of the rule), integer softmax cross-entropy.
import { matmulPlain, type MatmulFn } from '../matmul.ts';
import { checkWeights } from './checkpoint.ts';
import type { Dataset } from './dataset.ts';
import { floorDiv, quantizeNearest, type QTensor } from './fixed.ts';
import { softmaxXent } from './softmax.ts';
import { layerCount, type TrainingTask } from './spec.ts';

export const EVAL_CHUNK = 500;

export interface Evaluation {
  readonly n: number;
  readonly correct: number;
  /** Accuracy in basis points: floor(10000 · correct / n). */
  readonly accuracyBp: number;
  /** Mean cross-entropy in milli-nats: floor(1000 · lossSum / (256 n)). */
  readonly lossMilli: number;
}

export async function evaluate(task: TrainingTask, weights: readonly Int32Array[], data: Dataset, matmul: MatmulFn = matmulPlain): Promise<Evaluation> {
  checkWeights(task, weights, 'weights');
  const L = layerCount(task);
  const wq: QTensor[] = weights.map((w) => quantizeNearest(w, -task.weightFracBits));
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < data.n; start += EVAL_CHUNK) {
    const rows = Math.min(EVAL_CHUNK, data.n - start);
    let a: QTensor = { q: data.x.subarray(start * data.dim, (start + rows) * data.dim), exp: task.inputExp };
    let z: Int32Array = new Int32Array(0);
    for (let l = 0; l < L; l++) {
      z = await matmul({ step: 0, jobId: l, m: rows, k: task.layers[l]!, n: task.layers[l + 1]!, a: a.q, b: wq[l]!.q });
      if (l < L - 1) {
        const r = new Int32Array(z.length);
        for (let i = 0; i < z.length; i++) r[i] = z[i]! > 0 ? z[i]! : 0;
        a = quantizeNearest(r, a.exp + wq[l]!.exp);
      } else {
        const sm = softmaxXent(z, rows, task.layers[L]!, a.exp + wq[l]!.exp, data.y.subarray(start, start + rows), 15);
        correct += sm.correct;
        lossSum += sm.lossSum;
      }
    }
  }
  return {
    n: data.n,
    correct,
    accuracyBp: floorDiv(10000 * correct, data.n),
    lossMilli: floorDiv(1000 * lossSum, 256 * data.n),
  };
}
