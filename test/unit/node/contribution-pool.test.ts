import { describe, expect, it } from 'vitest';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import { encodePartRecord, partKey } from '../../../vm/round/keys.ts';
import { State } from '../../../vm/state.ts';

const miner = new Uint8Array(20).fill(9);
const other = new Uint8Array(20).fill(8);
const c = (round: number, laneStart: number, laneCount = 1, size = 10, m = miner) => ({ round, miner: m, laneStart, laneCount, bytes: new Uint8Array(size).fill(laneStart) });

describe('ContributionPool', () => {
  it('refuses duplicates and entries past its count and byte caps', () => {
    const p = new ContributionPool({ maxCount: 2, maxBytes: 25 });
    expect(p.add(c(0, 0))).toBe('added');
    expect(p.add(c(0, 0))).toBe('duplicate');
    expect(p.add(c(0, 1, 1, 20))).toBe('full'); // bytes
    expect(p.add(c(0, 1))).toBe('added');
    expect(p.add(c(0, 2))).toBe('full'); // count
    expect(p.size).toBe(2);
    expect(p.totalBytes).toBe(20);
  });

  it('offers one part per miner of the open round whose lanes the state does not cover, and prunes the rest', () => {
    const p = new ContributionPool();
    p.add(c(3, 0, 2)); // overlaps the landed [1, 3)
    p.add(c(3, 3, 2));
    p.add(c(3, 5, 1));
    p.add(c(3, 0, 4, 10, other));
    p.add(c(2, 9));
    const landed = { round: 3, miner, laneStart: 1, laneCount: 2, height: 1, lanesRoot: new Uint8Array(32), partHash: new Uint8Array(32) };
    const state = State.fromEntries([[partKey(3, miner, 1), encodePartRecord(landed)]]);
    expect(p.forBlock(state, 3, 10, 1000).map((x) => [x.miner[0], x.laneStart])).toEqual([[9, 3], [8, 0]]);
    expect(p.forBlock(state, 3, 1, 1000).map((x) => x.laneStart)).toEqual([3]);
    expect(p.forBlock(state, 3, 10, 1000, miner).map((x) => x.miner[0])).toEqual([8]);
    expect(p.prune(state, 3)).toBe(2); // round 2's entry and [0, 2) (covered)
    expect(p.size).toBe(3);
  });
});
