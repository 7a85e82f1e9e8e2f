// Attribution through whole mined blocks: each contributor's samples per round equal what the
// finalized lanes' shards (PRF of W_R root, R, miner, lane over the active samples) drew from its
// registrations; data earnings and royalties are exactly the split's formula, the treasury gets the
// rest; data registered during a round is used from the next round on.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../consensus/bytes.ts';
import { BPS } from '../../../consensus/params.ts';
import { shardIndices, shardSeed } from '../../../consensus/training/shard.ts';
import { attributionKey, decodeAttribution, decodeRoundAttribution, roundAttributionKey } from '../../../vm/data/keys.ts';
import { readRegistry } from '../../../vm/data/registry.ts';
import { readRound } from '../../../vm/round/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { rows, TrainChain } from '../../fixtures/data.ts';
import { TEST_GOVERNANCE } from '../../fixtures/gov.ts';
import { MINING_PARAMS, TINY_TASK } from '../../fixtures/mining.ts';

const A = testKey(1);
const B = testKey(2);
const U = testKey(3);
const [C1, C2, C3] = [11, 12, 13].map((i) => testKey(i).address()) as [Uint8Array, Uint8Array, Uint8Array];
const gov = { ...TEST_GOVERNANCE, dataShareBps: 2_000, treasuryShareBps: 500 };
const P = { ...MINING_PARAMS, governance: gov };
const T = P.training!;
const slices = [
  { contributor: C1, royaltyBps: 10_000, from: 0, to: 20 },
  { contributor: C2, royaltyBps: 5_000, from: 20, to: 40 },
];
const later = { contributor: C3, royaltyBps: 10_000, from: 40, to: 64 };
const ROYALTY = 100_000n;

describe('attribution and the reward split', () => {
  it('credits exactly the samples the finalized lanes trained on, pays the formula, and uses data registered later', async () => {
    const ch = new TrainChain(P, [A.address(), B.address(), U.address()], [A.address(), B.address()], slices);
    const rounds: { root: Uint8Array; active: number; lanes: [Uint8Array, number][]; fees: bigint[] }[] = [];
    const open = () => {
      const r = readRound(ch.state)!;
      rounds[r.round] = { root: r.checkpointRoot, active: readRegistry(ch.state)!.active, lanes: [], fees: [] };
      return rounds[r.round]!;
    };
    let cur = open();
    const mine = async (lane: number, others: [typeof A, number][] = [], txs: Parameters<typeof ch.mine>[3] = [], fee = 0n) => {
      await ch.mine(A, lane, others, txs);
      cur.lanes.push([A.address(), lane], ...others.map(([k, l]) => [k.address(), l] as [Uint8Array, number]));
      cur.fees.push(fee);
      if (readRound(ch.state)!.round === rounds.length) cur = open();
    };
    const d = rows(ch.data, later.from, later.to);
    await mine(0, [[B, 0]]);
    await mine(1, [], [ch.register(U, C3, later.royaltyBps, 16, d.pixels, d.labels)], P.minFee * BigInt(later.to - later.from));
    expect(readRegistry(ch.state)).toMatchObject({ total: 64, active: 40 }); // used from the next round
    await mine(2, [[B, 1]]);
    expect(readRegistry(ch.state)).toMatchObject({ total: 64, active: 64 });
    await mine(0, [[B, 0]]);
    await mine(1, [], [ch.royalty(U, ROYALTY)], 10n);
    await mine(2);
    await mine(0);
    await mine(1); // height 8: round 1's payments (closed at 6, window 2) are credited
    expect(ch.height).toBe(8);

    const owner = (i: number) => (i < 20 ? C1 : i < 40 ? C2 : C3);
    const bps = (i: number) => (i >= 20 && i < 40 ? 5_000n : 10_000n);
    const expectedEarned = new Map<string, bigint>();
    let treasuryExpected = 0n;
    let attributedAfter0 = 0n;
    const weightedAfter0 = new Map<string, bigint>();
    let carry = 0n; // the miners' rounding remainder carries to the next round's pool
    let dataShares = 0n;
    let dataPaid = 0n;
    for (const R of [0, 1]) {
      const r = rounds[R]!;
      const samples = new Map<string, bigint>();
      const weighted = new Map<string, bigint>();
      for (const [miner, lane] of r.lanes)
        for (const i of shardIndices(TINY_TASK, r.active, shardSeed(r.root, { round: R, miner, lane }))) {
          const k = toHex(owner(i));
          samples.set(k, (samples.get(k) ?? 0n) + 1n);
          weighted.set(k, (weighted.get(k) ?? 0n) + bps(i));
        }
      if (R === 0) expect(samples.has(toHex(C3))).toBe(false);
      else expect(samples.get(toHex(C3)) ?? 0n).toBeGreaterThan(0n);
      let pool = carry;
      for (const fee of r.fees) {
        const reward = P.subsidy + fee;
        const toTreasury = (reward * BigInt(gov.treasuryShareBps)) / BigInt(BPS);
        const rest = reward - toTreasury;
        pool += rest - (rest * BigInt(T.ticketShareBps)) / BigInt(BPS);
        treasuryExpected += toTreasury;
      }
      const data = (pool * BigInt(gov.dataShareBps)) / BigInt(BPS);
      const total = [...samples.values()].reduce((x, y) => x + y, 0n);
      expect(total).toBe(BigInt(r.lanes.length * TINY_TASK.localSteps * TINY_TASK.batch));
      let paid = 0n;
      for (const [k, n] of samples) {
        const earned = (data * weighted.get(k)!) / (total * BigInt(BPS));
        const rec = decodeRoundAttribution(ch.state.get(roundAttributionKey(Buffer.from(k, 'hex'), R))!);
        expect(rec).toMatchObject({ samples: n, weighted: weighted.get(k)!, earned });
        expectedEarned.set(k, (expectedEarned.get(k) ?? 0n) + earned);
        paid += earned;
        if (R === 0) weightedAfter0.set(k, weighted.get(k)!);
      }
      treasuryExpected += data - paid;
      dataShares += data;
      dataPaid += paid;
      // what stays behind: the part contributors with royaltyBps < 100% do not claim, plus under one
      // unit per contributor from the floors
      const claimed = (data * [...weighted.values()].reduce((x, y) => x + y, 0n)) / (total * BigInt(BPS));
      expect(claimed - paid).toBeGreaterThanOrEqual(0n);
      expect(claimed - paid).toBeLessThan(BigInt(samples.size));
      expect(data - claimed).toBeGreaterThan(0n); // C2 claims half of its share
      const miners = pool - data;
      carry = miners - BigInt(r.lanes.length) * (miners / BigInt(Math.max(T.laneBudget, r.lanes.length))); // one price per lane
      if (R === 0) attributedAfter0 = total;
    }
    // the royalty (block 5) splits by the attribution as of then: round 0 only, so C3 gets none
    let royaltyPaid = 0n;
    for (const who of [C1, C2, C3]) {
      const k = toHex(who);
      const royalty = (ROYALTY * (weightedAfter0.get(k) ?? 0n)) / (attributedAfter0 * BigInt(BPS));
      royaltyPaid += royalty;
      const a = decodeAttribution(ch.state.get(attributionKey(who))!);
      expect(a.royalties).toBe(royalty);
      expect(a.dataEarnings).toBe(expectedEarned.get(k));
      // contributors hold nothing else: their balance is exactly what attribution paid them
      expect(ch.balance(who)).toBe(expectedEarned.get(k)! + royalty);
    }
    expect(decodeAttribution(ch.state.get(attributionKey(C3))!).royalties).toBe(0n);
    treasuryExpected += ROYALTY - royaltyPaid;
    // what contributors hold in all is what the data shares and the royalty paid them
    const earnedAll = [C1, C2, C3].reduce((s, c) => s + ch.balance(c), 0n);
    expect(earnedAll).toBe(dataPaid + royaltyPaid);
    expect(dataPaid).toBeLessThanOrEqual(dataShares);
    for (const fee of rounds[2]!.fees) treasuryExpected += ((P.subsidy + fee) * BigInt(gov.treasuryShareBps)) / BigInt(BPS); // blocks 7, 8
    expect(ch.treasury).toBe(treasuryExpected);
  });
});
