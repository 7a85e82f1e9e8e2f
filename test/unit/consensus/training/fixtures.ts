// Shared fixtures of the training tests: a small task on the real MNIST digits, so every test is fast.
import { MNIST_MLP, type TrainingTask } from '../../../../consensus/training/spec.ts';
import { loadMnist } from '../../../../genesis/datasets/mnist.ts';

/** MLP 784-32-10, batch 16, 3 local steps: same code path as the default task, ~40x cheaper. */
export const SMALL: TrainingTask = Object.freeze({
  ...MNIST_MLP,
  name: 'test-mlp-784-32-10',
  layers: Object.freeze([784, 32, 10]),
  initBound: Object.freeze([1_438_660, 6_341_000]),
  localSteps: 3,
  batch: 16,
  lr: Object.freeze({ num: 1, shift: 2 }),
}) as TrainingTask;

export function miner(i: number): Uint8Array {
  const m = new Uint8Array(20);
  m[0] = i;
  m[19] = 0xa5;
  return m;
}

export const mnist = () => loadMnist();
