// The model state of a round: int32 master weights per layer (real = w / 2^weightFracBits) and
// the outer optimizer's int32 momentum per layer (zero for the 'mean' outer rule).
// checkpointRoot = SHA-256("ckpt/v1" || rootInt32(W_0) || ... || rootInt32(V_0) || ...).
import { utf8Bytes } from '../bytes.ts';
import { sha256 } from '../hash.ts';
import { rootInt32 } from '../matmul.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import { INT32_SAFE } from './fixed.ts';
import { deriveSeed, PrfStream } from './prf.ts';
import { layerCount, layerSize, validateTask, type TrainingTask } from './spec.ts';

export interface Checkpoint {
  readonly weights: readonly Int32Array[];
  readonly momentum: readonly Int32Array[];
}

const CKPT_TAG = utf8Bytes('ckpt/v1');
const WEIGHTS_TAG = utf8Bytes('weights/v1');

/** Root over a list of weight tensors (layer l: layers[l] x layers[l+1]). */
export function weightsRoot(task: TrainingTask, weights: readonly Int32Array[]): Uint8Array {
  checkWeights(task, weights, 'weights');
  return sha256(WEIGHTS_TAG, ...weights.map((w, l) => rootInt32(w, task.layers[l]!, task.layers[l + 1]!)));
}

export function checkpointRoot(task: TrainingTask, ck: Checkpoint): Uint8Array {
  checkWeights(task, ck.weights, 'weights');
  checkWeights(task, ck.momentum, 'momentum');
  const roots = [...ck.weights, ...ck.momentum].map((w, i) => {
    const l = i % layerCount(task);
    return rootInt32(w, task.layers[l]!, task.layers[l + 1]!);
  });
  return sha256(CKPT_TAG, ...roots);
}

export function checkWeights(task: TrainingTask, ws: readonly Int32Array[], what: string): void {
  if (ws.length !== layerCount(task)) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what, reason: `${ws.length} layers` });
  ws.forEach((w, l) => {
    if (!(w instanceof Int32Array) || w.length !== layerSize(task, l))
      throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what, index: l, reason: `length ${w.length}` });
  });
}

/** W_0 of a task: layer l uniform in [-initBound[l], initBound[l]] from the PRF stream of (initSeed, l). */
export function initCheckpoint(task: TrainingTask): Checkpoint {
  validateTask(task);
  const weights: Int32Array[] = [];
  const momentum: Int32Array[] = [];
  for (let l = 0; l < layerCount(task); l++) {
    const b = task.initBound[l]!;
    const prf = new PrfStream(deriveSeed(task.initSeed, new Uint8Array([l])));
    const w = new Int32Array(layerSize(task, l));
    for (let i = 0; i < w.length; i++) w[i] = prf.below(2 * b + 1) - b;
    weights.push(w);
    momentum.push(new Int32Array(w.length));
  }
  return { weights, momentum };
}

export function cloneWeights(ws: readonly Int32Array[]): Int32Array[] {
  return ws.map((w) => new Int32Array(w));
}

/** Saturates a master value into [-INT32_SAFE, INT32_SAFE]. */
export function sat(x: number): number {
  return x > INT32_SAFE ? INT32_SAFE : x < -INT32_SAFE ? -INT32_SAFE : x;
}
