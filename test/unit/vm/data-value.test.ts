// What registered data is worth to the model, measured with the consensus training rules (exact
// integer rounds, plain products):
//  - data registered after genesis joins the training set the state declares at the next round
//    boundary, and the model trained on it is better on held-out data than without it;
//  - junk (random labels) earns attribution like any data: its contributor's share of pay is its
//    share of samples drawn, while its share of the model's improvement is nil or negative
//    (docs/attribution.md: what a later issue could do about it).
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../consensus/hash.ts';
import { makeDataset } from '../../../consensus/training/dataset.ts';
import { shardIndices, shardSeed } from '../../../consensus/training/shard.ts';
import type { TrainingTask } from '../../../consensus/training/spec.ts';
import { trainingSetOf } from '../../../vm/data/training-set.ts';
import { readRegistry } from '../../../vm/data/registry.ts';
import { testKey } from '../../fixtures/chain.ts';
import { concat, rows, simulate, synthDataset, TrainChain } from '../../fixtures/data.ts';
import { TEST_GOVERNANCE } from '../../fixtures/gov.ts';
import { MINING_PARAMS, TINY_TASK } from '../../fixtures/mining.ts';

const TASK: TrainingTask = { ...TINY_TASK, localSteps: 8 };
const heldOut = synthDataset(256, 'held out');
const ROUNDS = 5;
const MINERS = 3;

describe('registered data and the model', () => {
  it('samples registered later are trained on from the next round and raise held-out accuracy', async () => {
    const A = testKey(1);
    const early = synthDataset(128, 'classes 0 and 1', [0, 1]);
    const late = synthDataset(128, 'classes 2 and 3', [2, 3]);
    const all = concat(early, late);
    const P = { ...MINING_PARAMS, governance: TEST_GOVERNANCE };
    const ch = new TrainChain(P, [A.address()], [A.address()], [{ contributor: testKey(11).address(), royaltyBps: 10_000, from: 0, to: 128 }], all);
    const builtin = () => all;
    const before = trainingSetOf(ch.state, builtin)!;
    expect(before.n).toBe(128);
    const reg = rows(all, 128, 256);
    await ch.mine(A, 0, [], [ch.register(A, testKey(12).address(), 10_000, 16, reg.pixels, reg.labels)]);
    expect(trainingSetOf(ch.state, builtin)!.n).toBe(128); // not before the round closes
    await ch.mine(A, 1);
    await ch.mine(A, 2);
    const after = trainingSetOf(ch.state, builtin)!;
    expect(readRegistry(ch.state)!.active).toBe(256);
    expect(after.y).toEqual(all.y);
    expect(after.x).toEqual(all.x);
    const without = await simulate(TASK, before, heldOut, ROUNDS, MINERS);
    const withLate = await simulate(TASK, after, heldOut, ROUNDS, MINERS);
    // without classes 2 and 3 the model cannot name half the held-out digits
    expect(without.accuracyBp).toBeLessThan(6_000);
    expect(withLate.accuracyBp).toBeGreaterThan(without.accuracyBp + 3_000);
  });

  it('junk samples are paid their share of samples but add nothing to the model', async () => {
    const honest = synthDataset(128, 'honest');
    const junkPixels = synthDataset(128, 'junk');
    const junk = makeDataset(junkPixels.x, junkPixels.y.map((_, i) => sha256(new Uint8Array([i, 0x6a]))[0]! % 4), 16, 4); // random labels
    const both = concat(honest, junk);
    const all = await simulate(TASK, both, heldOut, ROUNDS, MINERS);
    const honestOnly = await simulate(TASK, honest, heldOut, ROUNDS, MINERS);
    const junkOnly = await simulate(TASK, junk, heldOut, ROUNDS, MINERS);
    // pay: the data share splits pro rata samples drawn by the finalized lanes (vm/attribution)
    let drawn = 0;
    let junkDrawn = 0;
    for (const l of all.lanes)
      for (const i of shardIndices(TASK, both.n, shardSeed(l.root, l))) {
        drawn++;
        if (i >= honest.n) junkDrawn++;
      }
    const junkPayShare = junkDrawn / drawn;
    // improvement: what each contributor's data adds, leaving it out (held-out accuracy, basis points)
    const junkAdds = all.accuracyBp - honestOnly.accuracyBp;
    const honestAdds = all.accuracyBp - junkOnly.accuracyBp;
    console.log(
      `junk contributor: ${(junkPayShare * 100).toFixed(1)}% of the data pay; held-out accuracy ${all.accuracyBp / 100}% with it, ${honestOnly.accuracyBp / 100}% without ` +
        `(adds ${junkAdds / 100} points); the honest contributor adds ${honestAdds / 100} points`,
    );
    expect(junkPayShare).toBeGreaterThan(0.4);
    expect(junkAdds).toBeLessThanOrEqual(0);
    expect(honestAdds).toBeGreaterThan(3_000);
  });
});
