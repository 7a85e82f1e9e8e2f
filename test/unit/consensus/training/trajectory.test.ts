import { describe, expect, it } from 'vitest';
import { checkInt7, matmulPlain, matmulRef, type MatmulFn, type MatmulJob } from '../../../../consensus/matmul.ts';
import { checkpointRoot, initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import { stepJobShapes } from '../../../../consensus/training/step.ts';
import { runTrajectory } from '../../../../consensus/training/trajectory.ts';
import { jobsPerStep } from '../../../../consensus/training/spec.ts';
import { miner, mnist, SMALL } from './fixtures.ts';

/** An independent exact product: column-blocked, computed over transposed B, resolved a tick later. */
const matmulBlocked: MatmulFn = async (job: MatmulJob) => {
  await new Promise((r) => setTimeout(r, 0));
  const { m, k, n, a, b } = job;
  const bt = new Int8Array(k * n);
  for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) bt[j * k + l] = b[l * n + j]!;
  const c = new Int32Array(m * n);
  for (let j0 = 0; j0 < n; j0 += 7)
    for (let i = 0; i < m; i++)
      for (let j = j0; j < Math.min(n, j0 + 7); j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += a[i * k + l]! * bt[j * k + l]!;
        c[i * n + j] = s;
      }
  return c;
};

describe('trajectory', () => {
  const { train } = mnist();
  const ck = initCheckpoint(SMALL);
  const ctx = { round: 3, miner: miner(1), lane: 2 };

  it('is deterministic: same inputs, same roots and delta', async () => {
    const a = await runTrajectory(SMALL, train, ck, ctx, matmulPlain);
    const b = await runTrajectory(SMALL, train, initCheckpoint(SMALL), ctx, matmulPlain);
    expect(b.baseRoot).toEqual(a.baseRoot);
    expect(b.steps).toEqual(a.steps);
    expect(b.delta).toEqual(a.delta);
    expect(a.steps.length).toBe(SMALL.localSteps);
    expect(a.steps[0]!.jobs.length).toBe(jobsPerStep(SMALL));
    // weights really move, and each step starts from different weights
    expect(a.delta[0]!.some((v) => v !== 0)).toBe(true);
    expect(a.steps[1]!.weightsRoot).not.toEqual(a.steps[0]!.weightsRoot);
    // another lane trains on another shard
    const c = await runTrajectory(SMALL, train, ck, { ...ctx, lane: 3 }, matmulPlain);
    expect(c.steps[0]!.jobs[0]!.aRoot).not.toEqual(a.steps[0]!.jobs[0]!.aRoot);
  });

  it('through another exact MatmulFn equals the plain trajectory bit for bit; every operand is int7', async () => {
    const jobs: MatmulJob[] = [];
    const checking: MatmulFn = async (job) => {
      checkInt7('a', job.a);
      checkInt7('b', job.b);
      jobs.push(job);
      return matmulBlocked(job);
    };
    const plain = await runTrajectory(SMALL, train, ck, ctx, matmulPlain);
    const other = await runTrajectory(SMALL, train, ck, ctx, checking);
    expect(other.steps).toEqual(plain.steps);
    expect(other.delta).toEqual(plain.delta);
    const shapes = stepJobShapes(SMALL);
    expect(jobs.length).toBe(SMALL.localSteps * shapes.length);
    jobs.forEach((j, i) => {
      expect(j.step).toBe(Math.floor(i / shapes.length));
      expect(j.jobId).toBe(i % shapes.length);
      expect([j.m, j.k, j.n]).toEqual(shapes[i % shapes.length]);
    });
  });

  it('through the ticket path (miner/ticket-matmul.ts, js backend) equals the plain trajectory', async () => {
    const { ticketMatmul } = await import('../../../../miner/ticket-matmul.ts');
    const { createBackend } = await import('../../../../miner/backends/index.ts');
    const backend = await createBackend('js');
    try {
      // r = 4 so the 784x16x32 gradient job and the 16x784x32 forward job carry tickets
      const spec = { r: 4, h: 8, w: 8, minDimFactor: 4 };
      const fn = ticketMatmul({ parent: new Uint8Array(32).fill(1), miner: ctx.miner, round: ctx.round, lane: ctx.lane, target: 1n << 250n, spec }, backend);
      const plain = await runTrajectory(SMALL, train, ck, ctx, matmulPlain);
      const viaTickets = await runTrajectory(SMALL, train, ck, ctx, fn);
      expect(viaTickets.steps).toEqual(plain.steps);
      expect(viaTickets.delta).toEqual(plain.delta);
    } finally {
      await backend.close();
    }
  });

  it('a product of the wrong size is a typed error', async () => {
    const bad: MatmulFn = async (job) => matmulRef(job).subarray(1);
    await expect(runTrajectory(SMALL, train, ck, ctx, bad)).rejects.toThrow(/TRAINING_BAD_PRODUCT/);
  });

  it('the checkpoint root covers every weight', () => {
    const r = checkpointRoot(SMALL, ck);
    const w = ck.weights.map((x) => new Int32Array(x));
    w[1]![w[1]!.length - 1]! += 1;
    expect(checkpointRoot(SMALL, { weights: w, momentum: ck.momentum })).not.toEqual(r);
  });
});
