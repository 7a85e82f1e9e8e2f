import { describe, expect, it } from 'vitest';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import { contributionKey } from '../../../vm/round/keys.ts';
import { State } from '../../../vm/state.ts';

const miner = new Uint8Array(20).fill(9);
const c = (round: number, lane: number, size = 10) => ({ round, miner, lane, bytes: new Uint8Array(size).fill(lane) });

describe('ContributionPool', () => {
  it('refuses duplicates and entries past its count and byte caps', () => {
    const p = new ContributionPool({ maxCount: 2, maxBytes: 25 });
    expect(p.add(c(0, 0))).toBe('added');
    expect(p.add(c(0, 0))).toBe('duplicate');
    expect(p.add(c(0, 1, 20))).toBe('full'); // bytes
    expect(p.add(c(0, 1))).toBe('added');
    expect(p.add(c(0, 2))).toBe('full'); // count
    expect(p.size).toBe(2);
    expect(p.totalBytes).toBe(20);
  });

  it('offers the open round entries the state lacks, within the block caps, and prunes closed rounds', () => {
    const p = new ContributionPool();
    for (let l = 0; l < 4; l++) p.add(c(3, l));
    p.add(c(2, 9));
    const state = State.fromEntries([[contributionKey(3, miner, 1), new Uint8Array([1])]]);
    expect(p.forBlock(state, 3, 10, 1000).map((x) => x.lane)).toEqual([0, 2, 3]);
    expect(p.forBlock(state, 3, 2, 1000).map((x) => x.lane)).toEqual([0, 2]);
    expect(p.forBlock(state, 3, 10, 15).map((x) => x.lane)).toEqual([0]);
    expect(p.lanesOf(3, miner).sort()).toEqual([0, 1, 2, 3]);
    expect(p.prune(state, 3)).toBe(2); // round 2's entry and lane 1 (in state)
    expect(p.lanesOf(3, miner).sort()).toEqual([0, 2, 3]);
  });
});
