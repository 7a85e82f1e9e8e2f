import { describe, expect, it } from 'vitest';
import { MNIST_MLP } from '../../../consensus/training/spec.ts';
import { TASKS, taskByName } from '../../../genesis/tasks.ts';
import { GenesisError } from '../../../genesis/errors.ts';

describe('training task registry', () => {
  it('names every task by its own name, and each is a valid spec', () => {
    for (const [name, t] of TASKS) {
      expect(t.name).toBe(name);
      expect(taskByName(name)).toBe(t);
    }
    expect(() => taskByName('mnist-mlp-784-128-10/h7')).toThrow(GenesisError);
  });

  it('the H = 32 and H = 64 tasks are the default MLP with more local steps, the default unchanged', () => {
    expect(MNIST_MLP.localSteps).toBe(8);
    for (const [name, H] of [['mnist-mlp-784-128-10/h32', 32], ['mnist-mlp-784-128-10/h64', 64]] as const) {
      const t = taskByName(name);
      expect(t.localSteps).toBe(H);
      expect({ ...t, name: MNIST_MLP.name, localSteps: MNIST_MLP.localSteps }).toEqual(MNIST_MLP);
    }
  });

  it('the hidden-512 task is the devnet h32 task with a 784-512-10 MLP and its Glorot bounds', () => {
    const t = taskByName('mnist-mlp-784-512-10/h32');
    const h32 = taskByName('mnist-mlp-784-128-10/h32');
    expect(t.layers).toEqual([784, 512, 10]);
    // round(2^24 · sqrt(6 / (fan_in + fan_out)))
    expect(t.initBound).toEqual([Math.round(2 ** 24 * Math.sqrt(6 / (784 + 512))), Math.round(2 ** 24 * Math.sqrt(6 / (512 + 10)))]);
    expect({ ...t, name: h32.name, layers: h32.layers, initBound: h32.initBound }).toEqual(h32);
  });
});
