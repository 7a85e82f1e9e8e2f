// Fault injection (miner/faults.ts) against the validator's checks (node/validator/check.ts): every
// kind produces exactly its fault and nothing else. Lanes run through the miner's own runLane and
// StepStore on the tiny task; the validator's checks re-execute every step of every lane (served
// W_s from the faulty miner's store, and recomputed from W_R) and the aggregate of the part.
import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { isTicketJob } from '../../../../consensus/pouw/spec.ts';
import { initCheckpoint, weightsRoot } from '../../../../consensus/training/checkpoint.ts';
import { checkpointRoot } from '../../../../consensus/training/checkpoint.ts';
import { sumDeltas } from '../../../../consensus/training/part.ts';
import type { TrainingTask } from '../../../../consensus/training/spec.ts';
import { faultyAggregate, parseFault, type FaultSpec } from '../../../../miner/faults.ts';
import { runLane, type LaneResult } from '../../../../miner/lane.ts';
import { StepStore } from '../../../../miner/step-store.ts';
import { aggregateMismatch, reexecuteStep, recomputeTo, type LaneRef } from '../../../../node/validator/check.ts';
import { TINY_TASK, TINY_TRAINING, tinyDataset } from '../../../fixtures/mining.ts';

const H = 4;
const TASK: TrainingTask = Object.freeze({ ...TINY_TASK, localSteps: H }) as TrainingTask;
const miner = new Uint8Array(20).fill(7);
const data = tinyDataset();
const ck = initCheckpoint(TASK);
const baseRoot = checkpointRoot(TASK, ck);
const ctx = { task: TASK, data, matmul: matmulPlain };
const isTicket = (m: number, k: number, n: number): boolean => isTicketJob(TINY_TRAINING.pouw, m, k, n);
const LANES = [0, 1, 2];

async function lanes(f?: FaultSpec): Promise<LaneResult[]> {
  const out: LaneResult[] = [];
  for (const lane of LANES) out.push((await runLane(TASK, data, ck, { round: 0, miner, lane }, matmulPlain, () => false, () => false, f ? { spec: f, isTicket } : undefined))!);
  return out;
}

/** Every step of every lane checked, from W_s served by the miner's store and from W_s recomputed: the faults found, as "lane/step/reason". */
async function stepFaults(results: LaneResult[], f?: FaultSpec): Promise<{ served: Set<string>; recomputed: Set<string>; servedCount: number }> {
  const store = new StepStore({ task: TASK, miner, keepRounds: 1 }, { data, matmul: matmulPlain, ...(f ? { fault: f } : {}) });
  store.openRound(0, ck);
  const served = new Set<string>();
  const recomputed = new Set<string>();
  let servedCount = 0;
  for (const [i, r] of results.entries()) {
    const lane = LANES[i]!;
    const ref: LaneRef = { round: 0, miner, lane, baseRoot };
    store.put(0, lane, r.leaf.steps.map((s) => s.weightsRoot));
    for (let s = 0; s < H; s++) {
      const ws = await store.get(0, lane, s).catch(() => undefined);
      if (ws) {
        servedCount++;
        const x = await reexecuteStep(ctx, ref, r.leaf, s, ws);
        if (!x.ok) served.add(`${lane}/${x.step}/${x.reason}${x.jobId !== undefined ? `/${x.jobId}` : ''}`);
      }
      const w = await recomputeTo(ctx, ref, r.leaf, ck.weights, s);
      const x = 'fault' in w ? w.fault : await reexecuteStep(ctx, ref, r.leaf, s, w.weights);
      if (!x.ok) recomputed.add(`${lane}/${x.step}/${x.reason}${x.jobId !== undefined ? `/${x.jobId}` : ''}`);
    }
  }
  return { served, recomputed, servedCount };
}

function aggregateOf(results: LaneResult[], f?: FaultSpec) {
  const finals = results.map((r) => r.contribution.delta.map((d, l) => Int32Array.from(d, (x, i) => x + ck.weights[l]![i]!)));
  return aggregateMismatch(TASK, ck.weights, finals, faultyAggregate(f, sumDeltas(TASK, results.map((r) => r.contribution.delta))));
}

describe('fault injection: each kind is exactly its fault', () => {
  it('honest lanes: no step and no aggregate fault, every W_s served', async () => {
    const r = await lanes();
    const x = await stepFaults(r);
    expect([...x.served, ...x.recomputed]).toEqual([]);
    expect(x.servedCount).toBe(LANES.length * H);
    expect(aggregateOf(r)).toBeUndefined();
  });

  it('wrong-weights:2 — step 2 of every lane, nothing else; the miner serves W_s matching its roots', async () => {
    const f = parseFault('wrong-weights:2');
    const r = await lanes(f);
    const x = await stepFaults(r, f);
    const expected = LANES.map((l) => `${l}/2/next-weights`);
    expect([...x.served].sort()).toEqual(expected);
    expect([...x.recomputed].sort()).toEqual(expected);
    expect(x.servedCount).toBe(LANES.length * H);
    expect(aggregateOf(r, f)).toBeUndefined(); // D is the sum of what the lanes committed
  });

  it('junk-lane:1 — every step of lane 1 and only lane 1', async () => {
    const f = parseFault('junk-lane:1');
    const r = await lanes(f);
    const x = await stepFaults(r, f);
    expect([...x.served].sort()).toEqual(Array.from({ length: H }, (_, s) => `1/${s}/next-weights`));
    // recomputed from W_R, every sampled step past 0 meets the first divergence (step 0)
    expect([...x.recomputed]).toEqual(['1/0/next-weights']);
    expect(r[1]!.contribution.delta.every((d) => d.every((v) => v === 0))).toBe(true);
    expect(aggregateOf(r, f)).toBeUndefined();
  });

  it('synthetic-operands — the ticket jobs of every step, the weights honest', async () => {
    const f = parseFault('synthetic-operands');
    const r = await lanes(f);
    const honest = await lanes();
    for (let i = 0; i < r.length; i++) expect(r[i]!.contribution.delta).toEqual(honest[i]!.contribution.delta);
    const x = await stepFaults(r, f);
    const ticketJob = 0; // forward X·W1 (8x16x16) is the tiny task's first ticket job
    expect(isTicket(8, 16, 16)).toBe(true);
    expect([...x.served].sort()).toEqual(LANES.flatMap((l) => Array.from({ length: H }, (_, s) => `${l}/${s}/job/${ticketJob}`)).sort());
    expect([...x.recomputed].sort()).toEqual(LANES.map((l) => `${l}/0/job/${ticketJob}`));
    expect(aggregateOf(r, f)).toBeUndefined();
  });

  it('wrong-aggregate — D off by one in its first element, every step honest', async () => {
    const f = parseFault('wrong-aggregate');
    const r = await lanes(f);
    const x = await stepFaults(r, f);
    expect([...x.served, ...x.recomputed]).toEqual([]);
    const bad = aggregateOf(r, f)!;
    expect(bad).toMatchObject({ layer: 0, index: 0 });
    expect(bad.got - bad.expected).toBe(1);
  });

  it('withheld — nothing served, every recomputed step honest', async () => {
    const f = parseFault('withheld');
    const r = await lanes(f);
    const x = await stepFaults(r, f);
    expect([...x.recomputed]).toEqual([]);
    expect(aggregateOf(r, f)).toBeUndefined();
    // the store itself still regenerates (what withholding refuses is the serving: MinerLoop.getStepData)
    expect(x.servedCount).toBe(LANES.length * H);
  });

  it('parses kinds and refuses anything else', () => {
    expect(parseFault('wrong-weights:5')).toEqual({ kind: 'wrong-weights', at: 5 });
    expect(parseFault('junk-lane')).toEqual({ kind: 'junk-lane', at: 1 });
    expect(parseFault('withheld')).toEqual({ kind: 'withheld' });
    expect(() => parseFault('wrong-weights:x')).toThrow(RangeError);
    expect(() => parseFault('withheld:2')).toThrow(RangeError);
    expect(() => parseFault('lazy')).toThrow(/one of wrong-weights/);
  });

  it('a served W_s that is not the leaf\'s is refused before re-execution', async () => {
    const r = await lanes();
    await expect(reexecuteStep(ctx, { round: 0, miner, lane: 0, baseRoot }, r[0]!.leaf, 1, ck.weights)).rejects.toThrow(/not the leaf's/);
    expect(weightsRoot(TASK, ck.weights)).toEqual(r[0]!.leaf.steps[0]!.weightsRoot);
  });
});

describe('withheld: the miner loop serves no per-step data', () => {
  it('getStepData answers nothing for a kept lane under withheld, the weights for an honest miner', async () => {
    const { MinerLoop } = await import('../../../../miner/loop.ts');
    const { JsBackend } = await import('../../../../miner/backends/js.ts');
    const [r] = await lanes();
    const roots = r!.leaf.steps.map((s) => s.weightsRoot);
    const make = (fault?: FaultSpec) =>
      new MinerLoop({ task: TASK, pouw: TINY_TRAINING.pouw, miner, keepRounds: 1, ...(fault ? { fault } : {}) }, { backend: new JsBackend(), data, events: { ticket: () => {}, contribution: () => {} } });
    const honest = make();
    honest.restoreLanes(0, ck, [{ lane: 0, roots }]);
    expect(await honest.getStepData(0, 0, 2)).toBeDefined();
    const withheld = make(parseFault('withheld'));
    withheld.restoreLanes(0, ck, [{ lane: 0, roots }]);
    expect(await withheld.getStepData(0, 0, 2)).toBeUndefined();
  });
});
