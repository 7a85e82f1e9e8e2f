import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { checkpointRoot, initCheckpoint, weightsRoot } from '../../../../consensus/training/checkpoint.ts';
import { laneLeafOf } from '../../../../consensus/training/contribution.ts';
import {
  checkAggregate, checkLaneStep, elementProof, findAggregateFraud, findLaneFraud, laneElements, verifyElement, weightPosition, type RoundBase,
} from '../../../../consensus/training/fraud.ts';
import { lanesRoot, sumDeltas, type LaneLeaf } from '../../../../consensus/training/part.ts';
import { shardIndices, shardSeed } from '../../../../consensus/training/shard.ts';
import { paramCount } from '../../../../consensus/training/spec.ts';
import { runStep, runStepSync, type StepCommit } from '../../../../consensus/training/step.ts';
import { runTrajectory, stepBatch } from '../../../../consensus/training/trajectory.ts';
import { miner, mnist, SMALL } from './fixtures.ts';

describe('fraud proofs on v2 lanes: single step and single element', async () => {
  const { train } = mnist();
  const ck = initCheckpoint(SMALL);
  const p = { round: 2, miner: miner(9) };
  const base: RoundBase = { checkpointRoot: checkpointRoot(SMALL, ck), weightsRoot: weightsRoot(SMALL, ck.weights) };
  const honest = await runTrajectory(SMALL, train, ck, { ...p, lane: 0 }, matmulPlain);
  const honestLeaf = laneLeafOf(SMALL, ck.weights, honest);

  /** A lane computed honestly except one weight of W_{s+1} flipped after step s; returns its leaf and the true inputs W_k. */
  async function cheat(s: number): Promise<{ leaf: LaneLeaf; inputs: Int32Array[][] }> {
    const seed = shardSeed(base.checkpointRoot, { ...p, lane: 0 });
    const idx = shardIndices(SMALL, train.n, seed);
    let w: Int32Array[] = ck.weights.map((x) => new Int32Array(x));
    const steps: StepCommit[] = [];
    const inputs: Int32Array[][] = [];
    for (let k = 0; k < SMALL.localSteps; k++) {
      inputs.push(w);
      const r = await runStep(SMALL, train, w, k, stepBatch(SMALL, idx, k), seed, matmulPlain);
      steps.push(r.commit);
      w = r.weights;
      if (k === s) w[1]![17]! += 1; // one wrong weight
    }
    return { leaf: { finalRoot: weightsRoot(SMALL, w), steps }, inputs };
  }

  it('runStepSync gives the bits of runStep', async () => {
    const seed = shardSeed(base.checkpointRoot, { ...p, lane: 3 });
    const idx = stepBatch(SMALL, shardIndices(SMALL, train.n, seed), 1);
    const a = await runStep(SMALL, train, ck.weights, 1, idx, seed, matmulPlain);
    const b = runStepSync(SMALL, train, ck.weights, 1, idx, seed);
    expect(b.weights).toEqual(a.weights);
    expect(b.commit).toEqual(a.commit);
  });

  it('an honest lane passes the replay and every step check', async () => {
    expect(await findLaneFraud(SMALL, train, base, ck.weights, p, 0, honestLeaf, matmulPlain)).toBeNull();
    const seed = shardSeed(base.checkpointRoot, { ...p, lane: 0 });
    const idx = shardIndices(SMALL, train.n, seed);
    let w: readonly Int32Array[] = ck.weights;
    for (let s = 0; s < SMALL.localSteps; s++) {
      expect(checkLaneStep(SMALL, train, base, p, 0, honestLeaf, s, w)).toEqual({ fraud: false });
      w = runStepSync(SMALL, train, w, s, stepBatch(SMALL, idx, s), seed).weights;
    }
  });

  for (let s = 0; s < SMALL.localSteps; s++) {
    it(`catches one wrong weight introduced at step ${s} (the last step: against finalRoot)`, async () => {
      const { leaf, inputs } = await cheat(s);
      const fraud = await findLaneFraud(SMALL, train, base, ck.weights, p, 0, leaf, matmulPlain);
      expect(fraud?.step).toBe(s);
      expect(fraud!.weights).toEqual(inputs[s]);
      expect(checkLaneStep(SMALL, train, base, p, 0, leaf, s, fraud!.weights)).toEqual({ fraud: true, reason: 'next-weights' });
      for (let k = 0; k < s; k++) expect(checkLaneStep(SMALL, train, base, p, 0, leaf, k, inputs[k]!).fraud).toBe(false);
    });
  }

  it('a wrong job root is caught at its step; a W_s that is not the committed input is refused (BAD_CHALLENGE)', async () => {
    const steps = honestLeaf.steps.map((st, s) => (s === 1 ? { ...st, jobs: st.jobs.map((j, id) => (id === 4 ? { ...j, cRoot: new Uint8Array(32) } : j)) } : st));
    const leaf = { ...honestLeaf, steps };
    const fraud = await findLaneFraud(SMALL, train, base, ck.weights, p, 0, leaf, matmulPlain);
    expect(fraud?.step).toBe(1);
    expect(checkLaneStep(SMALL, train, base, p, 0, leaf, 1, fraud!.weights)).toEqual({ fraud: true, reason: 'job', jobId: 4 });
    const wrong = fraud!.weights.map((x) => new Int32Array(x));
    wrong[0]![0]! += 1;
    expect(() => checkLaneStep(SMALL, train, base, p, 0, leaf, 1, wrong)).toThrow(/TRAINING_BAD_CHALLENGE/);
    expect(() => checkLaneStep(SMALL, train, base, p, 0, leaf, 3, fraud!.weights)).toThrow(/TRAINING_BAD_CHALLENGE/);
  });

  it('a lane whose step 0 does not start from W_R is a fraud at step 0 from W_R itself', () => {
    const other = ck.weights.map((x) => new Int32Array(x));
    other[0]![5]! += 3;
    const leaf = { ...honestLeaf, steps: honestLeaf.steps.map((st, s) => (s === 0 ? { ...st, weightsRoot: weightsRoot(SMALL, other) } : st)) };
    expect(checkLaneStep(SMALL, train, base, p, 0, leaf, 0, ck.weights)).toEqual({ fraud: true, reason: 'base' });
    // the miner's own W_0 is not W_R: refused as evidence
    expect(() => checkLaneStep(SMALL, train, base, p, 0, leaf, 0, other)).toThrow(/not W_R/);
  });

  it('element proofs: every layer, first and last rows; a wrong row or path fails', () => {
    const n = paramCount(SMALL);
    for (const i of [0, 31, 32, 784 * 32 - 1, 784 * 32, n - 1]) {
      const e = elementProof(SMALL, honest.weights, i);
      const pos = weightPosition(SMALL, i);
      expect(verifyElement(SMALL, honestLeaf.finalRoot, i, e)).toBe(honest.weights[pos.layer]![pos.row * pos.cols + pos.col]);
      const row = e.row.slice();
      row[0]! ^= 1;
      expect(verifyElement(SMALL, honestLeaf.finalRoot, i, { ...e, row })).toBeUndefined();
      if (e.siblings.length) expect(verifyElement(SMALL, honestLeaf.finalRoot, i, { ...e, siblings: e.siblings.slice(1) })).toBeUndefined();
    }
    expect(() => weightPosition(SMALL, n)).toThrow(/TRAINING_BAD_CHALLENGE/);
  });

  it('aggregate: a D that is not the sum of the lanes is proven at one index; the honest D passes there', async () => {
    const lanes = [honest, await runTrajectory(SMALL, train, ck, { ...p, lane: 1 }, matmulPlain)];
    const leaves = lanes.map((l) => laneLeafOf(SMALL, ck.weights, l));
    const part = { ...p, laneStart: 0, laneCount: 2, lanesRoot: lanesRoot(0, leaves) };
    const D = sumDeltas(SMALL, lanes.map((l) => l.delta));
    const finals = lanes.map((l) => l.weights);
    expect(findAggregateFraud(SMALL, ck.weights, finals, D)).toBe(-1);
    const bad = D.map((x) => new Float64Array(x));
    bad[1]![7]! += 2;
    const index = findAggregateFraud(SMALL, ck.weights, finals, bad);
    expect(index).toBe(784 * 32 + 7);
    const pos = weightPosition(SMALL, index);
    const args = [elementProof(SMALL, ck.weights, index), laneElements(SMALL, part, leaves, finals, index)] as const;
    expect(checkAggregate(SMALL, part, base.weightsRoot, index, bad[pos.layer]![pos.col + pos.row * pos.cols]!, ...args).fraud).toBe(true);
    expect(checkAggregate(SMALL, part, base.weightsRoot, index, D[pos.layer]![pos.col + pos.row * pos.cols]!, ...args).fraud).toBe(false);
    // one lane's final value from another lane: its path fails
    const swapped = [args[1][0]!, { ...args[1][1]!, element: args[1][0]!.element }];
    expect(() => checkAggregate(SMALL, part, base.weightsRoot, index, 0, args[0], swapped)).toThrow(/lane 1/);
    expect(() => checkAggregate(SMALL, part, base.weightsRoot, index, 0, args[0], args[1].slice(0, 1))).toThrow(/1 lanes/);
  });
});
