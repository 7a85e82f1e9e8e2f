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
});
