// Challenges (fraud proofs) through whole blocks on a real Chain over LevelDB (the mining test chain:
// roundBlocks 3, challengeWindow 5, challenge bond 500). Faulty parts are built from the real lane
// code with tampered weights; the validator's side (find the fraud, build the tx) is the API of
// vm/fraud-proofs.ts. Each proven fraud voids the part, slashes its miner's bond and the part's
// locked rewards, pays the challenger half, and the model equals a replay without the void part,
// through the round after it; a challenge of an honest part lands and costs its signer the bond.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTx } from '../../../consensus/crypto/signature.ts';
import { decodeTx, encodeTx } from '../../../consensus/encoding/tx.ts';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { BPS } from '../../../consensus/params.ts';
import type { Checkpoint } from '../../../consensus/training/checkpoint.ts';
import { outerUpdate } from '../../../consensus/training/outer.ts';
import { TypeTag, type Tx } from '../../../consensus/types.ts';
import { decodeRewards, rewardsKey } from '../../../vm/keys.ts';
import {
  aggregateChallenge, challengeBurned, findAggregateFraud, findLaneFraud, judge, lanePath, partVoidOf, roundBaseOf, stepChallenge, stepChallengeOfLeaves,
} from '../../../vm/fraud-proofs.ts';
import { openRoundBase } from '../../../vm/round/history.ts';
import { readBond, readCheckpoint } from '../../../vm/round/state.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { FRAUD_PARAMS as p, FraudChain, runLane, signedPart, TINY_DATA, type LaneData } from '../../fixtures/fraud.ts';
import { supplyOf } from '../../fixtures/supply.ts';
import { decodePartRecord, partKey, roundBaseKey } from '../../../vm/round/keys.ts';

const t = p.training!;
const task = t.task;
const [kA, kB, kC, kD, kE, kV] = [1, 2, 3, 4, 5, 6].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];
const BOND = 10_000n; // miningGenesis bonds
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

function lockedAt(s: State, height: number, who: Uint8Array): bigint {
  const v = s.get(rewardsKey(height));
  return v ? decodeRewards(v).filter((r) => eq(r.address, who)).reduce((n, r) => n + r.amount, 0n) : 0n;
}

const total = (s: State) => {
  const x = supplyOf(s);
  return x.supply + x.burned;
};

let ch: FraudChain;
let nonce = 0;
const fields = () => ({ chainId: p.chainId, nonce: nonce++, fee: p.minFee });

beforeAll(async () => {
  ch = await FraudChain.open([kA, kB, kC, kD, kE, kV].map((k) => k.address()), [kA, kB, kC, kD, kE].map((k) => k.address()));
});
afterAll(async () => ch?.close());

describe('challenges through whole blocks', () => {
  // round 0: A honest on lanes 0-1, B wrong weights after step 1 on lane 1 (lane 0 honest)
  let W0: Checkpoint;
  let aLanes: LaneData[];
  let bLanes: LaneData[];
  let bPart: Uint8Array;
  let cLanes: LaneData[];

  it('a part with a wrong weight at step s, proven after its round closed: void, bond slashed, challenger paid, W_{R+1} and W_{R+2} as a replay without it', async () => {
    W0 = ch.round().base;
    aLanes = await Promise.all([0, 1].map((l) => runLane(t, W0, 0, kA.address(), l)));
    bLanes = [await runLane(t, W0, 0, kB.address(), 0), await runLane(t, W0, 0, kB.address(), 1, { kind: 'weights', step: 1 })];
    bPart = signedPart(p, W0, 0, kB, bLanes);
    await ch.mine({ contributions: [signedPart(p, W0, 0, kA, aLanes), bPart] });
    await ch.mine();
    await ch.mine(); // block 3 closes round 0 on all four lanes
    const closeHeight = 3;
    expect(readCheckpoint(ch.state(), task)).toEqual(outerUpdate(task, W0, [...aLanes, ...bLanes].map((l) => l.delta)));
    const W1 = ch.round().base;
    cLanes = [await runLane(t, W1, 1, kC.address(), 0)];
    await ch.mine({ contributions: [signedPart(p, W1, 1, kC, cLanes)] }); // block 4: round 1's part, on the faulty W_1

    // the validator: round 0's base from state, B's leaves served, replays lane 1, finds step 1
    const rb = roundBaseOf(ch.state(), t, 0)!;
    expect(rb.open).toBe(false);
    expect(rb.windowEnd).toBe(closeHeight + t.challengeWindow);
    expect(await findLaneFraud(task, TINY_DATA, rb.base, W0.weights, { round: 0, miner: kB.address() }, 0, bLanes[0]!.leaf, matmulPlain)).toBeNull();
    const fraud = (await findLaneFraud(task, TINY_DATA, rb.base, W0.weights, { round: 0, miner: kB.address() }, 1, bLanes[1]!.leaf, matmulPlain))!;
    expect([fraud.step, fraud.verdict.reason]).toEqual([1, 'next-weights']);
    const tx = stepChallengeOfLeaves(task, { part: bPart, lane: 1, step: fraud.step, leaves: bLanes.map((l) => l.leaf), weights: fraud.weights }, fields(), kV);
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    expect(judge(ch.state(), p, tx, ch.height() + 1)).toEqual({ fraud: true, reason: 'next-weights' });

    const pre = ch.state();
    const paid = lockedAt(pre, closeHeight + t.challengeWindow, kA.address()); // A and B: two lanes each, the same pay
    expect(paid).toBeGreaterThan(0n);
    expect(lockedAt(pre, closeHeight + t.challengeWindow, kB.address())).toBe(paid);
    const v0 = pre.getAccount(kV.address()).balance;
    await ch.mine({ txs: [tx] }); // block 5
    const post = ch.state();
    const rec = partVoidOf(post, 0, kB.address(), 0)!;
    const slashed = BOND; // fraudBondSlashBps defaults to all of it
    expect(rec).toEqual({ height: 5, challenger: kV.address(), kind: 0, bondSlashed: slashed, rewardsTaken: paid, challengerPaid: ((slashed + paid) * 5_000n) / BigInt(BPS) });
    expect(readBond(post, kB.address())).toBe(0n);
    expect(lockedAt(post, closeHeight + t.challengeWindow, kB.address())).toBe(0n);
    expect(lockedAt(post, closeHeight + t.challengeWindow, kA.address())).toBe(paid); // the honest miner keeps its pay
    expect(post.getAccount(kV.address()).balance).toBe(v0 - tx.fee + rec.challengerPaid);
    expect(challengeBurned(post)).toBe(slashed + paid - rec.challengerPaid);
    // conservation: the block adds its subsidy; the slash moved to the challenger or to the burn counter
    expect(total(post)).toBe(total(pre) + p.subsidy);
    // the open round (1) keeps the root its parts trained on; its close applies their sum to W'_1
    const W1r = outerUpdate(task, W0, aLanes.map((l) => l.delta)); // replay without B's part
    expect(openRoundBase(post, task, 1)).toEqual(W1r);
    expect(post.get(roundBaseKey(1, 0))).toBeDefined();
    await ch.mine(); // block 6 closes round 1
    expect(readCheckpoint(ch.state(), task)).toEqual(outerUpdate(task, W1r, cLanes.map((l) => l.delta)));
  });

  it('the same fraud again (replay, or another step of the void part): CHALLENGE_PART_VOID, nothing lands', async () => {
    const fraud = (await findLaneFraud(task, TINY_DATA, roundBaseOf(ch.state(), t, 0)!.base, W0.weights, { round: 0, miner: kB.address() }, 1, bLanes[1]!.leaf, matmulPlain))!;
    const again = stepChallenge({ part: bPart, lane: 1, step: 1, leaf: bLanes[1]!.leaf, siblings: lanePath(0, bLanes.map((l) => l.leaf), 1), weights: fraud.weights }, fields(), kV);
    nonce--;
    const head = ch.chain.head().hash;
    await expect(ch.chain.importBlock(await ch.unchecked([again]))).rejects.toMatchObject({ code: 'TX_CHALLENGE_PART_VOID' });
    expect(ch.chain.head().hash).toEqual(head);
  });

  it('a wrong aggregate (D != the sum of the lanes), proven with one element while the round is open', async () => {
    // round 2 (blocks 7-9): A honest on lanes 0-1, D's lanes 0-1 honest but one entry of its D off by 3
    const { round, base: W2 } = ch.round();
    expect(round).toBe(2);
    const a2 = await Promise.all([0, 1].map((l) => runLane(t, W2, 2, kA.address(), l)));
    const d2 = await Promise.all([0, 1].map((l) => runLane(t, W2, 2, kD.address(), l)));
    const dPart = signedPart(p, W2, 2, kD, d2, (D) => (D[0]![37]! += 3));
    await ch.mine({ contributions: [signedPart(p, W2, 2, kA, a2), dPart] }); // block 7
    const rb = roundBaseOf(ch.state(), t, 2)!;
    expect(rb.open).toBe(true);
    const index = findAggregateFraud(task, W2.weights, d2.map((l) => l.final), (await import('../../../consensus/training/part.ts')).decodeSignedPart(task, dPart).delta);
    expect(index).toBe(37);
    const tx = aggregateChallenge(task, { part: dPart, index, baseWeights: W2.weights, leaves: d2.map((l) => l.leaf), finals: d2.map((l) => l.final) }, fields(), kV);
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    // at another index the lanes add up to D: that claim would be false
    const honestIdx = aggregateChallenge(task, { part: dPart, index: 36, baseWeights: W2.weights, leaves: d2.map((l) => l.leaf), finals: d2.map((l) => l.final) }, fields(), kV);
    nonce--;
    expect(judge(ch.state(), p, honestIdx, ch.height() + 1)).toEqual({ fraud: false });
    const pre = ch.state();
    await ch.mine({ txs: [tx] }); // block 8
    const post = ch.state();
    expect(partVoidOf(post, 2, kD.address(), 0)).toMatchObject({ kind: 1, bondSlashed: BOND, rewardsTaken: 0n, challengerPaid: BOND / 2n });
    expect(total(post)).toBe(total(pre) + p.subsidy);
    await ch.mine(); // block 9 closes round 2 without D's lanes; D is paid nothing
    expect(readCheckpoint(ch.state(), task)).toEqual(outerUpdate(task, W2, a2.map((l) => l.delta)));
    expect(lockedAt(ch.state(), 9 + t.challengeWindow, kD.address())).toBe(0n);
    expect(lockedAt(ch.state(), 9 + t.challengeWindow, kA.address())).toBeGreaterThan(0n);
  });

  let aPart3: Uint8Array;
  let a3: LaneData[];
  it('a junk lane among honest ones: its step 0 from W_R does not give its job roots', async () => {
    const { round, base: W3 } = ch.round();
    expect(round).toBe(3);
    const e3 = [await runLane(t, W3, 3, kE.address(), 0), await runLane(t, W3, 3, kE.address(), 1, { kind: 'junk' }), await runLane(t, W3, 3, kE.address(), 2)];
    const ePart = signedPart(p, W3, 3, kE, e3);
    a3 = [await runLane(t, W3, 3, kA.address(), 0)];
    aPart3 = signedPart(p, W3, 3, kA, a3);
    await ch.mine({ contributions: [ePart, aPart3] }); // block 10
    const fraud = (await findLaneFraud(task, TINY_DATA, roundBaseOf(ch.state(), t, 3)!.base, W3.weights, { round: 3, miner: kE.address() }, 1, e3[1]!.leaf, matmulPlain))!;
    expect([fraud.step, fraud.verdict.reason]).toEqual([0, 'job']);
    const tx = stepChallengeOfLeaves(task, { part: ePart, lane: 1, step: 0, leaves: e3.map((l) => l.leaf), weights: fraud.weights }, fields(), kV);
    await ch.mine({ txs: [tx] }); // block 11
    expect(partVoidOf(ch.state(), 3, kE.address(), 0)).toMatchObject({ kind: 0, bondSlashed: BOND });
    await ch.mine(); // block 12 closes round 3 on A's lane only
    expect(readCheckpoint(ch.state(), task)).toEqual(outerUpdate(task, W3, a3.map((l) => l.delta)));
  });

  it('an honest part challenged: the challenge lands, its signer loses the bond (burned), the miner nothing', async () => {
    const W3 = (await import('../../../vm/round/history.ts')).readRoundBase(ch.state(), task, 3)!;
    const rb = roundBaseOf(ch.state(), t, 3)!;
    const tx = stepChallenge({ part: aPart3, lane: 0, step: 1, leaf: a3[0]!.leaf, siblings: [], weights: a3[0]!.inputs[1]! }, fields(), kV);
    expect(rb.open).toBe(false);
    expect(W3.weights).toEqual(a3[0]!.inputs[0]);
    const pre = ch.state();
    const v0 = pre.getAccount(kV.address());
    const aBond = readBond(pre, kA.address());
    const aLocked = lockedAt(pre, 12 + t.challengeWindow, kA.address());
    const burned0 = challengeBurned(pre);
    await ch.mine({ txs: [tx] }); // block 13: lands
    const post = ch.state();
    expect(ch.chain.head().header.height).toBe(13);
    expect((await ch.chain.getBlockByHeight(13))!.block.txs.length).toBe(1);
    expect(post.getAccount(kV.address())).toEqual({ balance: v0.balance - tx.fee - t.challengeBond!, nonce: v0.nonce + 1 });
    expect(challengeBurned(post)).toBe(burned0 + t.challengeBond!);
    expect(readBond(post, kA.address())).toBe(aBond);
    expect(lockedAt(post, 12 + t.challengeWindow, kA.address())).toBe(aLocked);
    expect(partVoidOf(post, 3, kA.address(), 0)).toBeUndefined();
    expect(total(post)).toBe(total(pre) + p.subsidy);
    // the part's record is still there until the window closes, then gone with the round's records
    expect(post.get(partKey(3, kA.address(), 0))).toBeDefined();
    expect(decodePartRecord(partKey(3, kA.address(), 0), post.get(partKey(3, kA.address(), 0))!).laneCount).toBe(1);
  });

  it('a fraud proven after the next round closed too: both outer updates recomputed, the open round\'s base replaced', async () => {
    await ch.mine(); // block 14: round 4 is 13-15
    const { round, base: W4 } = ch.round();
    expect([round, ch.height()]).toEqual([4, 14]);
    const a4 = await Promise.all([4, 5].map((l) => runLane(t, W4, 4, kA.address(), l)));
    const c4 = [await runLane(t, W4, 4, kC.address(), 0, { kind: 'weights', step: 0 })];
    const cPart = signedPart(p, W4, 4, kC, c4);
    await ch.mine({ contributions: [signedPart(p, W4, 4, kA, a4), cPart] }); // block 15 closes round 4
    const W5 = ch.round().base;
    const a5 = [await runLane(t, W5, 5, kA.address(), 0)];
    await ch.mine({ contributions: [signedPart(p, W5, 5, kA, a5)] }); // block 16
    await ch.mine();
    await ch.mine(); // block 18 closes round 5 on the faulty W_5
    expect(ch.round().round).toBe(6);
    const fraud = (await findLaneFraud(task, TINY_DATA, roundBaseOf(ch.state(), t, 4)!.base, W4.weights, { round: 4, miner: kC.address() }, 0, c4[0]!.leaf, matmulPlain))!;
    const tx = stepChallengeOfLeaves(task, { part: cPart, lane: 0, step: fraud.step, leaves: c4.map((l) => l.leaf), weights: fraud.weights }, fields(), kV);
    const pre = ch.state();
    await ch.mine({ txs: [tx] }); // block 19: the last height round 4's window allows (15 + 5 - 1)
    const post = ch.state();
    const W5r = outerUpdate(task, W4, a4.map((l) => l.delta));
    const W6r = outerUpdate(task, W5r, a5.map((l) => l.delta));
    expect((await import('../../../vm/round/history.ts')).readRoundBase(post, task, 5)).toEqual(W5r);
    expect(openRoundBase(post, task, 6)).toEqual(W6r);
    expect(readCheckpoint(post, task)).toEqual(readCheckpoint(pre, task)); // round 6's parts still train on the root in the header
    expect(total(post)).toBe(total(pre) + p.subsidy);
    await ch.mine();
    await ch.mine(); // block 21 closes round 6 (no parts): W_7 is the replay's
    expect(readCheckpoint(ch.state(), task)).toEqual(W6r);
  });

  it('a challenger that cannot put up the bond is refused before the proof is looked at', async () => {
    const poor = testKey(7);
    const tx = signTx({ type: TypeTag.Challenge, chainId: p.chainId, nonce: 0, fee: p.minFee, part: aPart3, proof: stepChallenge({ part: aPart3, lane: 0, step: 1, leaf: a3[0]!.leaf, siblings: [], weights: a3[0]!.inputs[1]! }, fields(), kV).proof, sig: new Uint8Array(65) }, poor) as Tx;
    nonce--;
    await expect(ch.chain.importBlock(await ch.unchecked([tx]))).rejects.toMatchObject({ code: 'TX_INSUFFICIENT_BALANCE' });
  });
});
