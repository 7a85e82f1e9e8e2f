// A round's checkpoint as a safetensors file: what `tessera model export` writes and the node's
// HTTP server serves at /model/round/<N>.safetensors.
import type { Checkpoint } from '../../consensus/training/checkpoint.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { encodeSafetensors, type Tensor } from './safetensors.ts';

/** The safetensors tensors of a checkpoint's weights. */
export function modelTensors(task: TrainingTask, ck: Checkpoint): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const scale = 2 ** task.weightFracBits;
  ck.weights.forEach((w, l) => {
    const shape = [task.layers[l]!, task.layers[l + 1]!];
    const f = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) f[i] = w[i]! / scale;
    out[`layer${l}.weight`] = { dtype: 'F32', shape, data: f };
    out[`layer${l}.weight_int32`] = { dtype: 'I32', shape, data: w };
  });
  return out;
}

/** The safetensors bytes of W_round (weights only), with task, round and checkpoint root as metadata. */
export function checkpointSafetensors(task: TrainingTask, round: number, root: string, ck: Checkpoint): Uint8Array {
  return encodeSafetensors(modelTensors(task, ck), {
    task: task.name, round: String(round), checkpointRoot: root, weightFracBits: String(task.weightFracBits),
    layout: 'layer<l>.weight: inputs x outputs (y = x W), ReLU between layers, no biases',
  });
}
