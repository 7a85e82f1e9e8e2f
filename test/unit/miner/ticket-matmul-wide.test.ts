// The hidden-512 task (genesis/tasks.ts mnist-mlp-784-512-10/h32) through the ticket path: its ticket
// jobs are 256x784x512 and 784x256x512, wider than any other task's; a local step on the wasm ticket
// path equals the plain-JS step bit for bit at r = 8 and r = 16, and every tile is hashed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { DEFAULT_POUW_SPEC } from '../../../consensus/pouw/spec.ts';
import { initCheckpoint } from '../../../consensus/training/checkpoint.ts';
import type { TrainingTask } from '../../../consensus/training/spec.ts';
import { runTrajectory } from '../../../consensus/training/trajectory.ts';
import { loadMnist } from '../../../genesis/datasets/mnist.ts';
import { taskByName } from '../../../genesis/tasks.ts';
import { createBackend, type TileBackend } from '../../../miner/backends/index.ts';
import { newTicketStats, ticketMatmul } from '../../../miner/ticket-matmul.ts';

let wasm: TileBackend;
beforeAll(async () => {
  wasm = await createBackend('wasm', { threads: 2 });
});
afterAll(() => wasm.close());

describe('hidden-512 task on the ticket path', () => {
  it('one local step equals the plain step at r = 8 and 16, ticket jobs at the wide shapes', async () => {
    const wide = taskByName('mnist-mlp-784-512-10/h32');
    const task: TrainingTask = { ...wide, localSteps: 1 };
    const { train } = loadMnist();
    const ck = initCheckpoint(task);
    const miner = new Uint8Array(20).fill(5);
    const ctx = { round: 1, miner, lane: 0 };
    const plain = await runTrajectory(task, train, ck, ctx, matmulPlain);
    for (const r of [8, 16]) {
      const stats = newTicketStats();
      const spec = { ...DEFAULT_POUW_SPEC, r, h: wide.tile.h, w: wide.tile.w };
      const mm = ticketMatmul({ parent: new Uint8Array(32).fill(1), miner, round: 1, lane: 0, target: 1n << 224n, spec }, wasm, undefined, stats);
      const t = await runTrajectory(task, train, ck, ctx, mm);
      expect(t.steps).toEqual(plain.steps);
      expect(t.delta).toEqual(plain.delta);
      expect(stats.ticketJobs).toBe(2);
      expect(stats.ticketMacs).toBe(2 * 256 * 784 * 512);
      expect(stats.tiles).toBe((256 / 16) * (512 / 16) + (784 / 16) * (512 / 16));
    }
  }, 180_000);
});
