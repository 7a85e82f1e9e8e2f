// The round close on parts (v2) against the close it replaced (v1: one contribution per lane, the
// new weights W_{R+1} = outerUpdate(W_R, the lanes' deltas one by one, in key order (miner, lane)),
// and every finalized lane's shard walked at the close for attribution). Real lanes of the tiny task
// from three miners, split into parts of several sizes over several blocks, through the real part
// encoding, signatures and VM (applyParts, closeRound with the data share): W_{R+1} is bit for bit
// the v1 one, and the data usage the parts counted as they landed is exactly the lane-by-lane walk,
// so the contributors' attribution and pay are unchanged.
import { describe, expect, it } from 'vitest';
import { BPS, governanceOf, type ChainParams } from '../../../consensus/params.ts';
import { compareBytes, toHex } from '../../../consensus/bytes.ts';
import { initCheckpoint } from '../../../consensus/training/checkpoint.ts';
import { contributionOf, partOfLanes, type Contribution } from '../../../consensus/training/contribution.ts';
import { outerUpdate } from '../../../consensus/training/outer.ts';
import { encodeSignedPart, signPart } from '../../../consensus/training/part.ts';
import { runTrajectory } from '../../../consensus/training/trajectory.ts';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { recordedRoundUsage, removePartUsage, roundUsage } from '../../../vm/attribution/attribute.ts';
import { decodeRoundAttribution, roundAttributionKey } from '../../../vm/data/keys.ts';
import { registryEntries } from '../../../vm/data/genesis.ts';
import { readRegistry } from '../../../vm/data/registry.ts';
import { dataShareHook } from '../../../vm/rewards-split.ts';
import { closeRound } from '../../../vm/round/close.ts';
import { roundUsageKey } from '../../../vm/round/keys.ts';
import { applyParts } from '../../../vm/round/parts.ts';
import { readCheckpoint, readRound, writeRound } from '../../../vm/round/state.ts';
import { State } from '../../../vm/state.ts';
import { StateView } from '../../../vm/view.ts';
import { testKey } from '../../fixtures/chain.ts';
import { rows } from '../../fixtures/data.ts';
import { TEST_GOVERNANCE } from '../../fixtures/gov.ts';
import { MINING_PARAMS, TINY_TASK, miningGenesis, tinyDataset } from '../../fixtures/mining.ts';

const task = TINY_TASK;
const P: ChainParams = { ...MINING_PARAMS, governance: { ...TEST_GOVERNANCE, dataShareBps: 2_000 } };
const T = P.training!;
const keys = [testKey(1), testKey(2), testKey(3)];
const [C1, C2] = [testKey(11).address(), testKey(12).address()];
const data = tinyDataset();
const ck = initCheckpoint(task);

/** Genesis with the three miners bonded (10 lanes each), 64 samples registered in two slices, a round pool. */
function base(): State {
  const g = miningGenesis([], keys.map((k) => k.address()), P);
  const reg = registryEntries(data.dim, 4, [
    { contributor: C1, royaltyBps: 10_000, source: 'tiny:0-24', ...rows(data, 0, 24) },
    { contributor: C2, royaltyBps: 5_000, source: 'tiny:24-64', ...rows(data, 24, 64) },
  ]);
  const v = new StateView(State.fromEntries([...g.state.entries(), ...reg]));
  writeRound(v, { ...readRound(v)!, pool: 1_000_000_007n });
  return v.toState();
}

async function lane(m: number, l: number): Promise<Contribution> {
  return contributionOf(await runTrajectory(task, data, ck, { round: 0, miner: keys[m]!.address(), lane: l }, matmulPlain));
}

/** parts: [miner, laneStart, laneCount, block height]; the blocks applied in height order. */
async function closeOnParts(parts: readonly (readonly [number, number, number, number])[]) {
  const s0 = base();
  const view = new StateView(s0);
  const round = readRound(view)!;
  const lanes: Contribution[] = [];
  const byHeight = new Map<number, Uint8Array[]>();
  for (const [m, a, n, h] of parts) {
    const ls = await Promise.all(Array.from({ length: n }, (_, i) => lane(m, a + i)));
    lanes.push(...ls);
    const bytes = encodeSignedPart(signPart(partOfLanes(task, ck.weights, ls, []), keys[m]!, P.chainId));
    byHeight.set(h, [...(byHeight.get(h) ?? []), bytes]);
  }
  for (const h of [...byHeight.keys()].sort((x, y) => x - y)) applyParts(view, byHeight.get(h)!, T, readRound(view)!, h, P.chainId);
  const recorded = recordedRoundUsage(view, readRegistry(view)!.active);
  const height = T.roundBlocks;
  const out = closeRound(view, T, readRound(view)!, height, dataShareHook(view, P, round.round));
  return { s0, view, lanes, recorded, out, height };
}

describe('the round close on parts is the v1 close', () => {
  for (const [name, parts] of [
    ['12 lanes (3 miners, 5 parts over 3 blocks)', [[0, 0, 3, 1], [1, 0, 1, 1], [0, 3, 2, 2], [2, 0, 2, 2], [1, 1, 4, 3]]],
    ['8 lanes (a power of two: the shift path), one lane per part', [[0, 0, 1, 1], [1, 0, 1, 1], [2, 0, 1, 1], [0, 1, 1, 2], [1, 1, 1, 2], [2, 1, 1, 2], [0, 2, 1, 3], [2, 2, 1, 3]]],
  ] as const)
    it(`${name}: W_{R+1} bit for bit, and the same attribution`, async () => {
      const { s0, view, lanes, recorded, out, height } = await closeOnParts(parts);
      expect(out.lanes).toBe(lanes.length);
      // v1: the lanes' deltas one by one, in key order (miner, lane)
      const v1Order = [...lanes].sort((x, y) => compareBytes(x.miner, y.miner) || x.lane - y.lane);
      const v1 = outerUpdate(task, ck, v1Order.map((c) => c.delta));
      const v2 = readCheckpoint(view, task);
      expect(v2.weights).toEqual(v1.weights);
      expect(v2.momentum).toEqual(v1.momentum);
      expect(v2.weights[0]).not.toEqual(ck.weights[0]); // the lanes moved the model

      // attribution: what the parts counted as they landed == every lane's shard walked (v1's close)
      const reg = readRegistry(s0)!;
      const walked = roundUsage(s0, T, 0, readRound(s0)!.checkpointRoot, lanes.map((c) => ({ miner: c.miner, lane: c.lane })), reg.active);
      expect(recorded).toEqual(walked);
      expect(walked.total).toBe(BigInt(lanes.length * task.localSteps * task.batch));
      const dataPool = (readRound(s0)!.pool * BigInt(governanceOf(P).dataShareBps)) / BigInt(BPS);
      for (const who of [C1, C2]) {
        const u = walked.byContributor.get(toHex(who))!;
        expect(u.samples).toBeGreaterThan(0n);
        expect(decodeRoundAttribution(view.get(roundAttributionKey(who, 0))!)).toEqual({
          samples: u.samples, weighted: u.weighted, earned: (dataPool * u.weighted) / (walked.total * BigInt(BPS)), closeHeight: height,
        });
      }
      expect(view.get(roundUsageKey())).toBeUndefined(); // the close deletes the round's usage record
    });

  it("a part voided in the open round (a proven fraud) leaves the usage record: the close attributes only the others' lanes", async () => {
    const view = new StateView(base());
    const round = readRound(view)!;
    const a = await Promise.all([0, 1, 2].map((l) => lane(0, l)));
    const b = await Promise.all([0, 1].map((l) => lane(1, l)));
    const pa = partOfLanes(task, ck.weights, a, []);
    const bytes = [encodeSignedPart(signPart(pa, keys[0]!, P.chainId)), encodeSignedPart(signPart(partOfLanes(task, ck.weights, b, []), keys[1]!, P.chainId))];
    applyParts(view, bytes, T, round, 1, P.chainId);
    removePartUsage(view, T, pa);
    const active = readRegistry(view)!.active;
    expect(recordedRoundUsage(view, active)).toEqual(roundUsage(view, T, 0, round.checkpointRoot, b.map((c) => ({ miner: c.miner, lane: c.lane })), active));
    expect(() => removePartUsage(view, T, pa)).toThrow(RangeError); // removed twice: below zero, a caller bug
  });
});
