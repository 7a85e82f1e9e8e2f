import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import { evaluate } from '../../../../consensus/training/evaluate.ts';
import { outerUpdate } from '../../../../consensus/training/outer.ts';
import { runTrajectory } from '../../../../consensus/training/trajectory.ts';
import type { TrainingTask } from '../../../../consensus/training/spec.ts';
import { miner, mnist, SMALL } from './fixtures.ts';

describe('integer training learns MNIST', () => {
  it('a few rounds of 3 miners raise held-out accuracy far above chance', async () => {
    const task: TrainingTask = { ...SMALL, localSteps: 8, batch: 32, lr: { num: 1, shift: 2 } };
    const { train, heldOut } = mnist();
    let ck = initCheckpoint(task);
    const before = await evaluate(task, ck.weights, heldOut);
    for (let r = 0; r < 4; r++) {
      const deltas = [];
      for (let m = 0; m < 3; m++) deltas.push((await runTrajectory(task, train, ck, { round: r, miner: miner(m), lane: 0 }, matmulPlain)).delta);
      ck = outerUpdate(task, ck, deltas);
    }
    const after = await evaluate(task, ck.weights, heldOut);
    expect(before.accuracyBp).toBeLessThan(2000); // ~chance (10%) at init
    expect(after.accuracyBp).toBeGreaterThan(7500); // 3,072 samples seen
    expect(after.lossMilli).toBeLessThan(before.lossMilli / 2);
  });
});
