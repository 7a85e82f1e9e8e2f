import { describe, expect, it } from 'vitest';
import { shardIndices, shardSeed } from '../../../../consensus/training/shard.ts';
import { MNIST_MLP } from '../../../../consensus/training/spec.ts';
import { miner } from './fixtures.ts';

const root = new Uint8Array(32).fill(9);
const ctx = { round: 5, miner: miner(1), lane: 0 };

describe('shard PRF', () => {
  it('is a function of (root of W_R, R, miner, lane)', () => {
    const a = shardIndices(MNIST_MLP, 8004, shardSeed(root, ctx));
    expect(shardIndices(MNIST_MLP, 8004, shardSeed(root, { ...ctx, miner: miner(1) }))).toEqual(a);
    const others = [
      shardSeed(root, { ...ctx, round: 6 }),
      shardSeed(root, { ...ctx, miner: miner(2) }),
      shardSeed(root, { ...ctx, lane: 1 }),
      shardSeed(new Uint8Array(32).fill(8), ctx),
    ];
    for (const s of others) {
      const b = shardIndices(MNIST_MLP, 8004, s);
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      expect(same).toBeLessThan(10); // independent shards agree by chance on ~H·B/n positions
    }
  });

  it('draws H·batch distinct in-range samples', () => {
    const a = shardIndices(MNIST_MLP, 8004, shardSeed(root, ctx));
    expect(a.length).toBe(MNIST_MLP.localSteps * MNIST_MLP.batch);
    expect(new Set(a).size).toBe(a.length);
    for (const i of a) expect(i).toBeLessThan(8004);
  });

  it('covers the set uniformly over many shards and starts a new pass when H·batch > n', () => {
    const n = 100;
    const counts = new Array(n).fill(0);
    const task = { ...MNIST_MLP, localSteps: 5, batch: 32 }; // 160 > 100: two passes
    for (let m = 0; m < 200; m++) {
      const a = shardIndices(task, n, shardSeed(root, { ...ctx, miner: miner(m) }));
      expect(new Set(a.subarray(0, n)).size).toBe(n); // first pass is a permutation
      for (const i of a) counts[i]++;
    }
    // each index expected 320 times; a binomial-ish spread stays well within ±25%
    for (const c of counts) expect(Math.abs(c - 320)).toBeLessThan(80);
  });

  it('rejects a miner that is not 20 bytes', () => {
    expect(() => shardSeed(root, { ...ctx, miner: new Uint8Array(19) })).toThrow(/TRAINING_BAD_SHAPE/);
  });
});
