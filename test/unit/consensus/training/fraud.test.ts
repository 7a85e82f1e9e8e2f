import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { checkpointRoot, initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import type { Contribution } from '../../../../consensus/training/contribution.ts';
import { checkStep, findFirstFraud } from '../../../../consensus/training/fraud.ts';
import { shardIndices, shardSeed } from '../../../../consensus/training/shard.ts';
import { runStep, type StepCommit } from '../../../../consensus/training/step.ts';
import { runTrajectory, stepBatch } from '../../../../consensus/training/trajectory.ts';
import { miner, mnist, SMALL } from './fixtures.ts';

describe('single-step re-execution (fraud proofs)', async () => {
  const { train } = mnist();
  const base = initCheckpoint(SMALL);
  const ctx = { round: 2, miner: miner(9), lane: 0 };
  const honest = await runTrajectory(SMALL, train, base, ctx, matmulPlain);
  const honestC: Contribution = { ...ctx, baseRoot: honest.baseRoot, steps: honest.steps, delta: honest.delta };

  /** A cheater that computes honestly but flips one weight of W_{s+1} after step s, then goes on. */
  async function cheat(s: number): Promise<{ c: Contribution; honestWs: Int32Array[][] }> {
    const seed = shardSeed(checkpointRoot(SMALL, base), ctx);
    const idx = shardIndices(SMALL, train.n, seed);
    let w: Int32Array[] = base.weights.map((x) => new Int32Array(x));
    const steps: StepCommit[] = [];
    const honestWs: Int32Array[][] = [];
    for (let k = 0; k < SMALL.localSteps; k++) {
      honestWs.push(w);
      const r = await runStep(SMALL, train, w, k, stepBatch(SMALL, idx, k), seed, matmulPlain);
      steps.push(r.commit);
      w = r.weights;
      if (k === s) w[1]![17]! += 1; // one wrong weight
    }
    const delta = w.map((x, l) => x.map((v, i) => v - base.weights[l]![i]!));
    return { c: { ...ctx, baseRoot: honest.baseRoot, steps, delta }, honestWs };
  }

  it('an honest contribution passes replay and every step check', async () => {
    expect(await findFirstFraud(SMALL, train, base, honestC, matmulPlain)).toBeNull();
    const seed = shardSeed(honest.baseRoot, ctx);
    const idx = shardIndices(SMALL, train.n, seed);
    let w = base.weights;
    for (let s = 0; s < SMALL.localSteps; s++) {
      expect(await checkStep(SMALL, train, base, honestC, s, w, matmulPlain)).toEqual({ ok: true });
      w = (await runStep(SMALL, train, w, s, stepBatch(SMALL, idx, s), seed, matmulPlain)).weights;
    }
  });

  for (let s = 0; s < SMALL.localSteps; s++) {
    it(`catches one wrong weight introduced at step ${s}`, async () => {
      const { c, honestWs } = await cheat(s);
      const fraud = await findFirstFraud(SMALL, train, base, c, matmulPlain);
      expect(fraud?.step).toBe(s);
      // every node re-executes only step s from the evidence W_s and sees the mismatch
      expect(await checkStep(SMALL, train, base, c, s, fraud!.weights, matmulPlain)).toEqual({ ok: false, reason: 'next-weights' });
      // the steps before s are consistent, so a challenge of an earlier step fails
      for (let k = 0; k < s; k++) expect((await checkStep(SMALL, train, base, c, k, honestWs[k]!, matmulPlain)).ok).toBe(true);
    });
  }

  it('catches a wrong job output root, and refuses a challenge that does not start from the committed W_s', async () => {
    const steps = honest.steps.map((st, s) => (s === 1 ? { ...st, jobs: st.jobs.map((j, id) => (id === 4 ? { ...j, cRoot: new Uint8Array(32) } : j)) } : st));
    const c = { ...honestC, steps };
    const fraud = await findFirstFraud(SMALL, train, base, c, matmulPlain);
    expect(fraud?.step).toBe(1);
    expect(await checkStep(SMALL, train, base, c, 1, fraud!.weights, matmulPlain)).toEqual({ ok: false, reason: 'job', jobId: 4 });
    const wrong = fraud!.weights.map((x) => new Int32Array(x));
    wrong[0]![0]! += 1;
    await expect(checkStep(SMALL, train, base, c, 1, wrong, matmulPlain)).rejects.toThrow(/TRAINING_BAD_CHALLENGE/);
  });
});
