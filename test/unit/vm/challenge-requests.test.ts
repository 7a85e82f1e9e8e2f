// Data requests: a junk lane whose miner withholds its leaf is known only to that miner, so no proof
// can be built from served data. A request on chain makes the miner answer with the leaf (then anyone
// proves the fraud from it) or lose the part as if proven wrong at the deadline. Whole blocks on a
// Chain over LevelDB (mining test chain, challengeWindow 5, challengeAnswerBlocks 2 by default).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TxErrorCode } from '../../../consensus/errors.ts';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { outerUpdate } from '../../../consensus/training/outer.ts';
import type { Tx } from '../../../consensus/types.ts';
import {
  answerChallenge, answeredLeaf, challengeBurned, findLaneFraud, judge, lanePath, partVoidOf, requestChallenge, requestOf, roundBaseOf, stepChallenge,
} from '../../../vm/fraud-proofs.ts';
import { readBond } from '../../../vm/round/state.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { FRAUD_PARAMS as p, FraudChain, runLane, signedPart, TINY_DATA } from '../../fixtures/fraud.ts';
import { supplyOf } from '../../fixtures/supply.ts';

const t = p.training!;
const task = t.task;
const [kA, kB, kC, kV, kW] = [1, 2, 3, 6, 7].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];
const total = (s: State) => {
  const x = supplyOf(s);
  return x.supply + x.burned;
};

let ch: FraudChain;
let aPart2: Uint8Array;
const nonces = new Map<string, number>();
const f = (k: typeof kV) => {
  const n = nonces.get(k.address().join()) ?? 0;
  nonces.set(k.address().join(), n + 1);
  return { chainId: p.chainId, nonce: n, fee: p.minFee };
};

/** A block on the head carrying `txs` is refused with `code`; head and state unchanged. */
async function refused(txs: Tx[], code: TxErrorCode): Promise<void> {
  const head = ch.chain.head().hash;
  const root = ch.state().root();
  await expect(ch.chain.importBlock(await ch.unchecked(txs))).rejects.toMatchObject({ code });
  expect(ch.chain.head().hash).toEqual(head);
  expect(ch.state().root()).toEqual(root);
}

beforeAll(async () => {
  ch = await FraudChain.open([kA, kB, kC, kV, kW].map((k) => k.address()), [kA, kB, kC].map((k) => k.address()));
});
afterAll(async () => ch?.close());

describe('data requests on chain', () => {
  it('a request nobody answers voids the part at its deadline: bond slashed, requester paid and its bond back', async () => {
    const { base: W0 } = ch.round();
    const a = await Promise.all([0, 1].map((l) => runLane(t, W0, 0, kA.address(), l)));
    const b = [await runLane(t, W0, 0, kB.address(), 0), await runLane(t, W0, 0, kB.address(), 1, { kind: 'junk' })];
    const bPart = signedPart(p, W0, 0, kB, b); // B serves nothing: its lane 1 leaf is known only to B
    await ch.mine({ contributions: [signedPart(p, W0, 0, kA, a), bPart] }); // block 1
    const req = requestChallenge({ part: bPart, lane: 1 }, f(kV), kV);
    const pre = ch.state();
    const v0 = pre.getAccount(kV.address()).balance;
    await ch.mine({ txs: [req] }); // block 2: deadline 4
    expect(requestOf(ch.state(), 0, kB.address(), 0)).toMatchObject({ lane: 1, deadline: 4, bond: t.challengeBond });
    expect(ch.state().getAccount(kV.address()).balance).toBe(v0 - req.fee - t.challengeBond!);
    expect(total(ch.state())).toBe(total(pre) + p.subsidy); // the bond is held, not gone
    // one request per part at a time
    await refused([requestChallenge({ part: bPart, lane: 0 }, { ...f(kW), nonce: 0 }, kW)], TxErrorCode.CHALLENGE_PENDING);
    nonces.set(kW.address().join(), 0);
    await ch.mine(); // block 3 closes round 0 on all four lanes (the part is not void yet)
    const mid = ch.state();
    await ch.mine(); // block 4: the deadline, unanswered
    const post = ch.state();
    expect(requestOf(post, 0, kB.address(), 0)).toBeUndefined();
    const rec = partVoidOf(post, 0, kB.address(), 0)!;
    expect(rec).toMatchObject({ height: 4, challenger: kV.address(), kind: 2, bondSlashed: 10_000n });
    expect(rec.rewardsTaken).toBeGreaterThan(0n); // its pay locked at the close of round 0
    expect(readBond(post, kB.address())).toBe(0n);
    expect(post.getAccount(kV.address()).balance).toBe(v0 - req.fee + rec.challengerPaid);
    expect(total(post)).toBe(total(mid) + p.subsidy);
    // round 1's base: the replay without B's part
    const { openRoundBase } = await import('../../../vm/round/history.ts');
    expect(openRoundBase(post, task, 1)).toEqual(outerUpdate(task, W0, a.map((l) => l.delta)));
  });

  it('a request answered in time: the leaf is on chain, the requester\'s bond pays the answerer, and the leaf proves the junk lane', async () => {
    const { round, base: W1 } = ch.round();
    expect(round).toBe(1);
    const c = [await runLane(t, W1, 1, kC.address(), 0), await runLane(t, W1, 1, kC.address(), 1, { kind: 'junk' })];
    const cPart = signedPart(p, W1, 1, kC, c);
    await ch.mine({ contributions: [cPart] }); // block 5
    const req = requestChallenge({ part: cPart, lane: 1 }, f(kV), kV);
    await ch.mine({ txs: [req] }); // block 6 (closes round 1): deadline 8
    // answers that do not count: another lane, a wrong path; an answer with no request
    const leaves = c.map((l) => l.leaf);
    await refused([answerChallenge({ part: cPart, lane: 0, leaf: leaves[0]!, siblings: lanePath(0, leaves, 0) }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kC)], TxErrorCode.CHALLENGE_NO_REQUEST);
    await refused([answerChallenge({ part: cPart, lane: 1, leaf: leaves[1]!, siblings: [new Uint8Array(32)] }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kC)], TxErrorCode.CHALLENGE_BAD_PATH);
    const ans = answerChallenge({ part: cPart, lane: 1, leaf: leaves[1]!, siblings: lanePath(0, leaves, 1) }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kC);
    const pre = ch.state();
    const c0 = pre.getAccount(kC.address()).balance;
    const burned0 = challengeBurned(pre);
    await ch.mine({ txs: [ans] }); // block 7
    const post = ch.state();
    expect(requestOf(post, 1, kC.address(), 0)).toBeUndefined();
    expect(post.getAccount(kC.address()).balance).toBe(c0 - ans.fee + t.challengeBond!);
    expect(challengeBurned(post)).toBe(burned0);
    expect(total(post)).toBe(total(pre) + p.subsidy);
    const W2 = ch.round().base;
    aPart2 = signedPart(p, W2, 2, kA, [await runLane(t, W2, 2, kA.address(), 0)]);
    await ch.mine({ contributions: [aPart2] }); // block 8: the deadline passes, nothing happens; A's round-2 part lands
    expect(partVoidOf(ch.state(), 1, kC.address(), 0)).toBeUndefined();
    // the answered leaf, read from the block, proves the fraud
    const onChain = (await ch.chain.getBlockByHeight(7))!.block.txs[0]!;
    const got = answeredLeaf(task, onChain as never)!;
    const fraud = (await findLaneFraud(task, TINY_DATA, roundBaseOf(ch.state(), t, 1)!.base, W1.weights, { round: 1, miner: kC.address() }, 1, got.leaf, matmulPlain))!;
    expect([fraud.step, fraud.verdict.reason]).toEqual([0, 'job']);
    await ch.mine({ txs: [stepChallenge({ part: cPart, lane: 1, step: 0, leaf: got.leaf, siblings: got.siblings, weights: fraud.weights }, f(kV), kV)] }); // block 9
    expect(partVoidOf(ch.state(), 1, kC.address(), 0)).toMatchObject({ kind: 0, challenger: kV.address() });
  });

  it('a request that could not resolve inside its round\'s window, or on a lane outside the part, is refused', async () => {
    // round 2 closed at 9: its window ends at 14; a request at h resolves at h + 2
    expect(judge(ch.state(), p, requestChallenge({ part: aPart2, lane: 0 }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kW), 11)).toEqual({ fraud: false, reason: 'request' });
    expect(() => judge(ch.state(), p, requestChallenge({ part: aPart2, lane: 0 }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kW), 12)).toThrow(/TX_CHALLENGE_WINDOW_CLOSED/);
    await ch.mine(); // block 10
    await ch.mine(); // block 11
    await refused([requestChallenge({ part: aPart2, lane: 0 }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kW)], TxErrorCode.CHALLENGE_WINDOW_CLOSED);
    await refused([requestChallenge({ part: aPart2, lane: 1 }, { chainId: p.chainId, nonce: 0, fee: p.minFee }, kW)], TxErrorCode.CHALLENGE_MALFORMED);
  });
});
